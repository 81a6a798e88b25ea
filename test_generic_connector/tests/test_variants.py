# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Products with variants (``generic.variant.importer``) on the test
connector, whose variants are combinations of named options: one attribute
per option name, prices exact to the cent, SKUs and barcodes, variants gone
remotely archived and come back unarchived, through the chunk's batch path
and the one-record path; and the shared option values two transactions
need at once, made once."""

import uuid

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from odoo.addons.generic_connector.components.core import (
    SharedRowRace,
    find_or_create,
)
from odoo.addons.generic_connector.exceptions import RemoteDataError
from odoo.addons.generic_connector.tests.common import MockAdapter, mock_adapter

from ..models.test_generic_backend import PRODUCT_MODEL, VARIANT_MODEL
from .common import TestConnectorCase


def product(external_id, price, variants, updated_at="2026-01-01T00:00:00Z"):
    return {
        "id": external_id,
        "name": f"Product {external_id}",
        "price": price,
        "updated_at": updated_at,
        "variants": variants,
    }


def variant(external_id, price, **options):
    return {
        "id": external_id,
        "sku": f"SKU-{external_id}",
        "barcode": f"40{external_id:04d}",
        "price": price,
        "options": options,
    }


@tagged("post_install", "-at_install")
class TestVariants(TestConnectorCase):
    def import_one(self, record):
        with self.backend.work_on(PRODUCT_MODEL) as work:
            work.component(usage="record.importer").run(record["id"], data=record)

    def variants(self):
        """``{remote id: (option values, price, SKU, barcode, active)}``."""
        bindings = (
            self.env[VARIANT_MODEL]
            .with_context(active_test=False)
            .search([("backend_id", "=", self.backend.id)])
        )
        return {
            int(b.external_id): (
                sorted(b.product_template_attribute_value_ids.mapped("name")),
                round(b.lst_price, 2),
                b.default_code,
                b.barcode,
                b.active,
            )
            for b in bindings
        }

    def template(self, external_id):
        binding = self.env[PRODUCT_MODEL].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", external_id)]
        )
        return binding.odoo_id

    def test_chunk_makes_each_product_its_variants(self):
        """Two new products in one chunk (one ``create()``, then their
        variants together): one attribute per option name, each variant on
        its values at its price; the combination Odoo makes that the remote
        lacks (Blue/M) is archived."""
        shirt = product(
            1,
            "10.00",
            [
                variant(11, "10.00", Color="Red", Size="S"),
                variant(12, "10.00", Color="Red", Size="M"),
                variant(13, "12.50", Color="Blue", Size="S"),
            ],
        )
        mug = product(
            2,
            "7.00",
            [variant(21, "7.00", Volume="S"), variant(22, "7.35", Volume="L")],
        )
        with mock_adapter(MockAdapter({})):  # the records are whole
            self.env[PRODUCT_MODEL].import_chunk(self.backend, [shirt, mug])

        self.assertEqual(
            self.variants(),
            {
                11: (["Red", "S"], 10.0, "SKU-11", "400011", True),
                12: (["M", "Red"], 10.0, "SKU-12", "400012", True),
                13: (["Blue", "S"], 12.5, "SKU-13", "400013", True),
                21: (["S"], 7.0, "SKU-21", "400021", True),
                22: (["L"], 7.35, "SKU-22", "400022", True),
            },
        )
        attributes = self.template("1").attribute_line_ids.attribute_id
        self.assertEqual(sorted(attributes.mapped("name")), ["Test Color", "Test Size"])
        self.assertEqual(len(self.template("1").product_variant_ids), 3)

    def test_reimport_reprices_archives_and_brings_back(self):
        """The product's price and a variant's change, Red/M goes and Blue/M
        comes: prices exact to the cent, Red/M archived (not deleted), Blue/M
        gets the product Odoo had archived."""
        red_s = variant(11, "10.00", Color="Red", Size="S")
        blue_s = variant(13, "12.50", Color="Blue", Size="S")
        self.import_one(
            product(
                1, "10.00", [red_s, variant(12, "10.00", Color="Red", Size="M"), blue_s]
            )
        )
        archived_blue_m = (
            self.template("1")
            .with_context(active_test=False)
            .product_variant_ids.filtered(lambda p: not p.active)
        )
        self.import_one(
            product(
                1,
                "11.11",
                [
                    dict(red_s, price="11.11"),
                    dict(blue_s, price="0.30"),
                    variant(14, "0.30", Color="Blue", Size="M"),
                ],
                updated_at="2026-01-02T00:00:00Z",
            )
        )
        self.assertEqual(
            {i: (v[1], v[4]) for i, v in self.variants().items()},
            {11: (11.11, True), 12: (11.11, False), 13: (0.3, True), 14: (0.3, True)},
        )
        blue_m = self.env[VARIANT_MODEL].search([("external_id", "=", "14")])
        self.assertEqual(blue_m.odoo_id, archived_blue_m)
        self.assertEqual(len(self.template("1").product_variant_ids), 3)

    def test_prices_no_option_can_carry_are_refused(self):
        """Red/S and Red/M at different prices: with one attribute per option
        the first option carries the price, so the product is refused, by
        name, with what to declare instead."""
        record = product(
            3,
            "10.00",
            [
                variant(31, "10.00", Color="Red", Size="S"),
                variant(32, "11.00", Color="Red", Size="M"),
            ],
        )
        with self.assertRaisesRegex(
            RemoteDataError, "Test product 3 .*_option_attribute"
        ):
            self.import_one(record)

    def test_two_jobs_creating_one_option_value_make_one_row(self):
        """Two transactions need the same new option value at once: the
        second is retried (``SharedRowRace``) while the first creates it and
        once it committed, and then finds its row: one row, no failure."""
        name = f"Race {uuid.uuid4().hex}"

        def value(env, attribute):
            return find_or_create(
                env["product.attribute.value"],
                "name",
                [name],
                {"attribute_id": attribute},
            )[name]

        try:
            with self.registry.cursor() as cr:
                attribute = api.Environment(cr, SUPERUSER_ID, {})["product.attribute"]
                attribute = attribute.create({"name": name}).id
            with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
                env1 = api.Environment(cr1, SUPERUSER_ID, {})
                env2 = api.Environment(cr2, SUPERUSER_ID, {})
                cr2.execute("SELECT 1")  # its snapshot: before the creation
                first = value(env1, attribute)
                with self.assertRaises(SharedRowRace):
                    value(env2, attribute)  # the first one is creating it
                cr1.commit()
                with self.assertRaises(SharedRowRace):
                    value(env2, attribute)  # committed after this snapshot
                cr2.rollback()  # the job's retry
                self.assertEqual(value(env2, attribute), first)
            with self.registry.cursor() as cr:
                values = api.Environment(cr, SUPERUSER_ID, {})[
                    "product.attribute.value"
                ]
                self.assertEqual(values.search_count([("name", "=", name)]), 1)
        finally:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["product.attribute"].search([("name", "=", name)]).unlink()
