# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""MyConnector's variants through the framework's variant importer, as it
declares it: one *MyConnector Option* value per variant title (the
framework's other declarations are tested in ``test_generic_connector``)."""

import uuid

from odoo.tests import tagged

from .common import VARIANT_MODEL, MyConnectorCase


def variant(variant_id, price, title):
    return {
        "id": variant_id,
        "title": title,
        "sku": f"SKU-{variant_id}",
        "price": price,
    }


@tagged("post_install", "-at_install")
class TestVariantImporter(MyConnectorCase):
    seed_records = 1

    def sync(self, template, price, variants):
        """Run the variant importer on ``template`` at ``price`` (the
        mapper's work) for a remote product of ``price`` and ``variants``;
        return ``{remote variant id: binding}``."""
        template.list_price = float(price)
        record = {"id": template.id, "price": price, "variants": variants}
        with self.backend.work_on("myconnector.product.template") as work:
            work.component(usage="variant.importer").run([(template, record)])
        bindings = (
            self.env[VARIANT_MODEL]
            .with_context(active_test=False)
            .search([("product_tmpl_id", "=", template.id)])
        )
        return {int(b.external_id): b for b in bindings}

    def test_prices_exact_to_the_cent_across_a_price_change(self):
        """Each variant's price is the remote one to the cent, before and
        after the product's price changes; a variant gone remotely is
        archived, not deleted."""
        template = self.env["product.template"].create(
            {"name": f"Shirt {uuid.uuid4().hex[:6]}", "detailed_type": "product"}
        )
        bound = self.sync(
            template, "0.10", [variant(1, "0.30", "A"), variant(2, "19.99", "B")]
        )
        self.assertEqual([round(bound[i].lst_price, 2) for i in (1, 2)], [0.3, 19.99])

        bound = self.sync(
            template, "0.20", [variant(1, "0.30", "A"), variant(3, "999999.01", "C")]
        )
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
