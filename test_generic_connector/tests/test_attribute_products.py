# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""An attribute's products (``product.attribute.product_tmpl_ids``) kept up
to date by the new lines' templates alone: creating a product costs the same
whether 20 or 200 products already share its attribute, and the stored set is
the one Odoo's own compute gives, through archive, unarchive and removal."""

from collections import Counter
from contextlib import contextmanager
from unittest.mock import patch

from odoo import Command
from odoo.sql_db import Cursor
from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import GenericConnectorCase

from .common import product_attribute

# The tables whose rows the attribute's products were recomputed from.
WATCHED = ("product_template_attribute_line", "product_attribute_product_template_rel")


@tagged("post_install", "-at_install")
class TestAttributeProducts(GenericConnectorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.attribute = product_attribute(cls.env, "Option", ("V0", "V1", "V2"))
        cls.other = product_attribute(cls.env, "Other", ("O",))

    def _line(self, attribute, **extra):
        return Command.create(
            dict(
                {
                    "attribute_id": attribute.id,
                    "value_ids": [Command.set(attribute.value_ids.ids)],
                },
                **extra,
            )
        )

    def _create(self, count, prefix, attributes=None):
        """``count`` templates made one at a time, as an import makes them."""
        templates = self.env["product.template"]
        for i in range(count):
            templates |= self.env["product.template"].create(
                {
                    "name": f"{prefix} {i}",
                    "attribute_line_ids": [
                        self._line(a) for a in (attributes or self.attribute)
                    ],
                }
            )
            self.env.flush_all()
        return templates

    @contextmanager
    def _rows_read(self):
        """Count the rows SELECTs return from the watched tables."""
        tally = {"rows": 0, "by_query": Counter()}
        execute = Cursor.execute

        def counting(cursor, query, params=None, log_exceptions=True):
            result = execute(cursor, query, params, log_exceptions)
            text = (
                query if isinstance(query, str) else str(getattr(query, "code", query))
            )
            if text.lstrip().upper().startswith("SELECT") and any(
                t in text for t in WATCHED
            ):
                tally["rows"] += max(cursor.rowcount, 0)
                tally["by_query"][" ".join(text.split())[:300]] += max(
                    cursor.rowcount, 0
                )
            return result

        with patch.object(Cursor, "execute", counting):
            yield tally

    def _stored(self, attribute):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT product_template_id FROM product_attribute_product_template_rel"
            " WHERE product_attribute_id = %s",
            [attribute.id],
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def assertProductsAsOdoo(self, attribute):
        """The stored set is the templates of the attribute's active lines, and
        what Odoo's compute writes when asked again."""
        stored = self._stored(attribute)
        lines = self.env["product.template.attribute.line"].search(
            [("attribute_id", "=", attribute.id)]
        )
        self.assertEqual(stored, set(lines.product_tmpl_id.ids))
        self.env.add_to_compute(self.attribute._fields["product_tmpl_ids"], attribute)
        self.assertEqual(self._stored(attribute), stored)
        attribute.invalidate_recordset(["product_tmpl_ids"])
        self.assertEqual(
            set(attribute.with_context(active_test=False).product_tmpl_ids.ids), stored
        )

    def test_cost_does_not_grow_with_the_products_sharing_the_attribute(self):
        self._create(20, "Before")
        with self._rows_read() as at_20:
            self._create(10, "At 20")
        self._create(160, "More")
        with self._rows_read() as at_200:
            self._create(10, "At 200")
        self.assertEqual(
            at_200["rows"],
            at_20["rows"],
            f"rows read, most at 200: {at_200['by_query'].most_common(3)}",
        )
        self.assertProductsAsOdoo(self.attribute)

    def test_products_as_odoo_computes_them(self):
        first = self._create(3, "Shared", self.attribute | self.other)
        self.assertProductsAsOdoo(self.attribute)
        self.assertProductsAsOdoo(self.other)
        self.assertEqual(len(self.attribute.product_tmpl_ids), 3)
        # several templates in one create
        batch = self.env["product.template"].create(
            [
                {
                    "name": f"Batch {i}",
                    "attribute_line_ids": [self._line(self.attribute)],
                }
                for i in range(3)
            ]
        )
        self.assertProductsAsOdoo(self.attribute)
        self.assertEqual(self.attribute.number_related_products, 6)
        # a line archived, then made again (Odoo unarchives it)
        line = first[0].attribute_line_ids.filtered(
            lambda ln: ln.attribute_id == self.attribute
        )
        line.active = False
        self.assertProductsAsOdoo(self.attribute)
        self.assertNotIn(first[0].id, self._stored(self.attribute))
        first[0].write({"attribute_line_ids": [self._line(self.attribute)]})
        self.assertTrue(line.active)
        self.assertProductsAsOdoo(self.attribute)
        self.assertIn(first[0].id, self._stored(self.attribute))
        # a line made inactive, on a new template
        inactive = self.env["product.template"].create(
            {
                "name": "Inactive line",
                "attribute_line_ids": [self._line(self.other, active=False)],
            }
        )
        self.assertProductsAsOdoo(self.other)
        self.assertNotIn(inactive.id, self._stored(self.other))
        # an archived template keeps its lines; a removed one leaves
        first[1].active = False
        self.assertProductsAsOdoo(self.attribute)
        (first[2] | batch[0]).unlink()
        self.assertProductsAsOdoo(self.attribute)
        self.assertProductsAsOdoo(self.other)
        self.assertEqual(len(self._stored(self.attribute)), 4)

    def test_precomputed_fields_as_without_the_lines(self):
        """The precomputed fields of a template made with its lines are those
        Odoo gives a template made without lines, then given them."""
        for detailed_type in ("product", "consu", "service"):
            with_lines = self.env["product.template"].create(
                {
                    "name": f"With {detailed_type}",
                    "detailed_type": detailed_type,
                    "attribute_line_ids": [self._line(self.attribute)],
                }
            )
            plain = self.env["product.template"].create(
                {"name": f"Plain {detailed_type}", "detailed_type": detailed_type}
            )
            plain.write({"attribute_line_ids": [self._line(self.attribute)]})
            for fname in ("type", "tracking"):
                self.assertEqual(with_lines[fname], plain[fname], fname)
            self.assertEqual(
                with_lines.product_variant_ids.product_template_attribute_value_ids.product_attribute_value_id,
                self.attribute.value_ids,
            )

    def test_attribute_waiting_for_its_recompute_keeps_it(self):
        """An attribute already waiting for its recompute (its stored set stale
        here) gets Odoo's full recompute when a template is made then."""
        templates = self._create(2, "Waiting")
        self.env.cr.execute(
            "DELETE FROM product_attribute_product_template_rel"
            " WHERE product_template_id = %s",
            [templates[1].id],
        )
        self.attribute.invalidate_recordset(["product_tmpl_ids"])
        self.env.add_to_compute(
            self.attribute._fields["product_tmpl_ids"], self.attribute
        )
        new = self.env["product.template"].create(
            {
                "name": "While waiting",
                "attribute_line_ids": [self._line(self.attribute)],
            }
        )
        self.assertEqual(self._stored(self.attribute), {*templates.ids, new.id})
