# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The framework's variant importer (``generic.variant.importer``), driven
through MyConnector's declaration and, for the declarations MyConnector does
not use (one attribute per option name, barcodes), with them set on the
component: what a connector declaring them gets."""

import uuid

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from odoo.addons.generic_connector.components.core import (
    SharedRowRace,
    find_or_create,
)
from odoo.addons.generic_connector.exceptions import RemoteDataError

from .common import VARIANT_MODEL, MyConnectorCase

PER_OPTION = {
    "_option_attribute": None,
    "_attribute_name": "Test %s",
    "_variant_barcode_key": "barcode",
}


def variant(variant_id, price, options=None, title=None, **extra):
    return {
        "id": variant_id,
        "title": title,
        "sku": f"SKU-{variant_id}",
        "price": price,
        "options": options,
        **extra,
    }


@tagged("post_install", "-at_install")
class TestVariantImporter(MyConnectorCase):
    seed_records = 1

    def sync(self, template, price, variants, **declarations):
        """Run the variant importer on ``template`` for a remote product of
        ``price`` and ``variants``, its declarations overridden by
        ``declarations``; return ``{remote variant id: binding}``."""
        record = {"id": template.id, "price": price, "variants": variants}
        self.run_importer([(template, record)], **declarations)
        bindings = (
            self.env[VARIANT_MODEL]
            .with_context(active_test=False)
            .search([("product_tmpl_id", "=", template.id)])
        )
        return {int(b.external_id): b for b in bindings}

    def run_importer(self, items, **declarations):
        """Run the variant importer on ``items`` ``[(template, record)]``,
        each template at its record's price (the mapper's work), with
        ``declarations`` set on the component."""
        for template, record in items:
            template.list_price = float(record["price"])
        with self.backend.work_on("myconnector.product.template") as work:
            importer = work.component(usage="variant.importer")
            for name, value in declarations.items():
                setattr(importer, name, value)
            importer.run(items)

    def template(self):
        return self.env["product.template"].create(
            {"name": f"Shirt {uuid.uuid4().hex[:6]}", "detailed_type": "product"}
        )

    def test_one_attribute_per_option_name(self):
        """Combinations of options: one attribute per name, each variant
        on its values; the combination Odoo makes that the remote lacks is
        archived, and gets its product back when the remote adds it."""
        template = self.template()
        red_s = variant(1, "10.00", {"Color": "Red", "Size": "S"}, barcode="4001")
        # Options as a list of name/value pairs: the other shape understood.
        red_m = variant(
            2,
            "10.00",
            [{"name": "Color", "value": "Red"}, {"name": "Size", "value": "M"}],
        )
        blue_s = variant(3, "12.50", {"Color": "Blue", "Size": "S"})
        bound = self.sync(template, "10.00", [red_s, red_m, blue_s], **PER_OPTION)

        attributes = template.attribute_line_ids.attribute_id
        self.assertEqual(sorted(attributes.mapped("name")), ["Test Color", "Test Size"])
        self.assertEqual(set(attributes.mapped("create_variant")), {"always"})
        self.assertEqual(
            {
                i: (
                    sorted(b.product_template_attribute_value_ids.mapped("name")),
                    round(b.lst_price, 2),
                    b.default_code,
                    b.active,
                )
                for i, b in bound.items()
            },
            {
                1: (["Red", "S"], 10.0, "SKU-1", True),
                2: (["M", "Red"], 10.0, "SKU-2", True),
                3: (["Blue", "S"], 12.5, "SKU-3", True),
            },
        )
        self.assertEqual(bound[1].barcode, "4001")
        # Blue/M exists in Odoo (every combination does) but not remotely.
        bound_products = bound[1].odoo_id | bound[2].odoo_id | bound[3].odoo_id
        self.assertEqual(template.product_variant_ids, bound_products)

        # Remotely: Red/M goes, Blue/M comes.
        blue_m = variant(4, "12.50", {"Color": "Blue", "Size": "M"})
        bound = self.sync(template, "10.00", [red_s, blue_s, blue_m], **PER_OPTION)
        self.assertFalse(bound[2].active)
        self.assertTrue(bound[4].active)
        self.assertEqual(round(bound[4].lst_price, 2), 12.5)
        self.assertEqual(len(template.product_variant_ids), 3)

    def test_chunk_of_templates_gets_its_lines_at_once(self):
        """Templates without the lines (made in Odoo, or a remote option
        name that is new) get them in one run for the chunk, each its own."""
        shirt, mug = self.template(), self.template()
        items = [
            (
                shirt,
                {"id": 1, "price": "5", "variants": [variant(11, "5", {"Size": "S"})]},
            ),
            (
                mug,
                {"id": 2, "price": "7", "variants": [variant(21, "8", {"Size": "L"})]},
            ),
        ]
        self.run_importer(items, **PER_OPTION)
        self.assertEqual(
            [
                t.product_variant_ids.product_template_attribute_value_ids.name
                for t in (shirt, mug)
            ],
            ["S", "L"],
        )
        self.assertEqual(round(mug.product_variant_ids.lst_price, 2), 8.0)

    def test_prices_no_option_can_carry_are_refused(self):
        """Red/S and Red/M at different prices, Blue/S and Blue/M at the
        same difference or not: with one attribute per option the first
        option carries the price, so such a product is refused by name."""
        variants = [
            variant(1, "10.00", {"Color": "Red", "Size": "S"}),
            variant(2, "11.00", {"Color": "Red", "Size": "M"}),
        ]
        with self.assertRaisesRegex(RemoteDataError, "_option_attribute"):
            self.sync(self.template(), "10.00", variants, **PER_OPTION)

    def test_prices_exact_to_the_cent_across_a_price_change(self):
        """One option attribute (MyConnector's): each variant's price is the
        remote one to the cent, before and after the product's price
        changes; a variant gone remotely is archived, not deleted."""
        template = self.template()
        variants = [variant(1, "0.30", title="A"), variant(2, "19.99", title="B")]
        bound = self.sync(template, "0.10", variants)
        self.assertEqual([round(bound[i].lst_price, 2) for i in (1, 2)], [0.3, 19.99])

        variants = [variant(1, "0.30", title="A"), variant(3, "999999.01", title="C")]
        bound = self.sync(template, "0.20", variants)
        self.assertEqual(
            [round(bound[i].lst_price, 2) for i in (1, 3)], [0.3, 999999.01]
        )
        ptavs = template.attribute_line_ids.product_template_value_ids
        self.assertEqual(
            sorted(ptavs.filtered("ptav_active").mapped("price_extra")),
            [0.1, 999998.81],
        )
        self.assertFalse(bound[2].active)
        self.assertTrue(bound[2].odoo_id.exists())
        self.assertEqual(len(template.product_variant_ids), 2)

    def test_two_jobs_creating_one_attribute_value_make_one_row(self):
        """Two transactions need the same new option value at once: the
        second is retried (``SharedRowRace``) while the first holds it and
        once it committed, and then finds its row: one row, no failure."""
        name = f"Race {uuid.uuid4().hex}"
        attribute = self.env.ref("myconnector.product_attribute_option")

        def create(env):
            return find_or_create(
                env["product.attribute.value"],
                "name",
                [name],
                {"attribute_id": attribute.id},
            )[name]

        try:
            with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
                env1 = api.Environment(cr1, SUPERUSER_ID, {})
                env2 = api.Environment(cr2, SUPERUSER_ID, {})
                cr2.execute("SELECT 1")  # its snapshot: before the creation
                first = create(env1)
                with self.assertRaises(SharedRowRace):
                    create(env2)  # the first one is creating it
                cr1.commit()
                with self.assertRaises(SharedRowRace):
                    create(env2)  # committed after this snapshot
                cr2.rollback()  # the job's retry
                self.assertEqual(create(env2), first)
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                found = env["product.attribute.value"].search([("name", "=", name)])
                self.assertEqual(len(found), 1)
        finally:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["product.attribute.value"].search([("name", "=", name)]).unlink()
