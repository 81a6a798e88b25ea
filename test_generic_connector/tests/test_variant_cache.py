# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A variant write that changes nothing leaves Odoo's caches alone.

Odoo clears every cache of the registry (access rights, record rules,
defaults, languages...) at each write of a variant's combination or of its
``active``, and again in every other worker at its next request. When a
template is created with an option of a single value, Odoo writes that
value onto each new variant, which already has it: each variant of an
import's chunk then emptied the caches, which the next queries filled again.
"""

from unittest.mock import patch

from odoo import Command
from odoo.modules.registry import Registry
from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import GenericConnectorCase

from .common import product_attribute


@tagged("post_install", "-at_install")
class TestVariantCache(GenericConnectorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.size = product_attribute(cls.env, "Size", ("S", "M", "L"))
        cls.colour = product_attribute(cls.env, "Colour", ("Red",))

    def _clears(self, action):
        """How many times ``action()`` cleared the registry's caches."""
        calls = []
        original = Registry.clear_cache

        def clear_cache(registry, *names):
            calls.append(names)
            return original(registry, *names)

        with patch.object(Registry, "clear_cache", clear_cache):
            action()
            self.env.flush_all()
        return len(calls)

    def _templates(self, count):
        return self.env["product.template"].create(
            [
                {
                    "name": f"Shirt {i}",
                    "attribute_line_ids": [
                        Command.create(
                            {
                                "attribute_id": attribute.id,
                                "value_ids": [Command.set(attribute.value_ids.ids)],
                            }
                        )
                        for attribute in (self.size, self.colour)
                    ],
                }
                for i in range(count)
            ]
        )

    def test_created_variants_clear_once(self):
        """Ten templates of three variants, each with a single-value option:
        the caches are cleared as often as for one template, not per
        variant."""
        created = []
        one = self._clears(lambda: created.append(self._templates(1)))
        ten = self._clears(lambda: created.append(self._templates(10)))
        self.assertEqual(len(created[1].product_variant_ids), 30)
        for variant in created[1].product_variant_ids:
            self.assertEqual(
                variant.product_template_attribute_value_ids.attribute_id,
                self.size | self.colour,
            )
        self.assertLessEqual(one, 2)
        self.assertEqual(ten, one, "clears for 10 templates against for 1")

    def test_a_change_still_clears(self):
        """A write that changes the combination or the state writes it and
        clears the caches, as Odoo does."""
        variants = self._templates(1).product_variant_ids
        first, second = variants[0], variants[1]
        theirs = second.product_template_attribute_value_ids
        self.assertEqual(self._clears(lambda: variants.write({"active": True})), 0)
        same = first.product_template_attribute_value_ids
        self.assertEqual(
            self._clears(
                lambda: first.write(
                    {"product_template_attribute_value_ids": [Command.set(same.ids)]}
                )
            ),
            0,
        )
        self.assertGreaterEqual(self._clears(lambda: first.write({"active": False})), 1)
        self.assertFalse(first.active)
        self.assertGreaterEqual(
            self._clears(
                lambda: first.write(
                    {"product_template_attribute_value_ids": [Command.set(theirs.ids)]}
                )
            ),
            1,
        )
        self.assertEqual(first.product_template_attribute_value_ids, theirs)
        first.write({"product_template_attribute_value_ids": [Command.set(same.ids)]})
        # One record changing among several: the write is Odoo's, whole.
        self.assertGreaterEqual(
            self._clears(
                lambda: variants.with_context(active_test=False).write({"active": True})
            ),
            1,
        )
        self.assertTrue(first.active)
