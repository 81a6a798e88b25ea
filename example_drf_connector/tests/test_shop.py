# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The example connector against the sandbox's Django REST framework dialect
(``/drf/api/``), over real HTTP on loopback: every run walks the whole shop,
skips what did not change, and archives what the shop no longer lists."""

from decimal import Decimal
from unittest import mock

from odoo.tests import tagged

from odoo.addons.generic_connector.stock import own_quantity
from odoo.addons.generic_connector.tests.common import GenericConnectorCase, run_jobs

from ..models.example_backend import PRODUCT_MODEL, VARIANT_MODEL

TOKEN = "demo-drf-token"


@tagged("post_install", "-at_install")
class TestShop(GenericConnectorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The sandbox package is at the repository's root, on the path.
        from sandbox import SandboxServer  # noqa: PLC0415

        cls.sandbox = SandboxServer(seed_records=12, seed=7).start()
        cls.addClassCleanup(cls.sandbox.stop)
        cls.retail = cls.env["stock.location"].create(
            {"name": "Retail", "usage": "internal"}
        )
        cls.backend = cls.env["example.drf.backend"].create(
            {
                "name": "Shop",
                "base_url": cls.sandbox.url,
                "api_key": TOKEN,
                "page_size": 5,
                "import_chunk_size": 4,
                "retry_backoff": 0.01,
                "inventory_location_ids": [
                    (0, 0, {"remote_location_id": 2, "location_id": cls.retail.id})
                ],
            }
        )

    def setUp(self):
        super().setUp()
        self.sandbox.reset()  # reseeded: each test starts from the same shop
        self.store = self.sandbox.store

    def import_products(self):
        """One whole run: the driver, its chunks and its finaliser."""
        self.backend._action_import("products")
        run_jobs(self.env)
        return self.env["generic.sync.run"].search(
            [("backend_model", "=", self.backend._name)], limit=1
        )

    def variant(self, sku):
        return self.env[VARIANT_MODEL].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", sku)]
        )

    def template(self, product_id):
        return (
            self.env[PRODUCT_MODEL]
            .with_context(active_test=False)
            .search(
                [("backend_id", "=", self.backend.id), ("external_id", "=", product_id)]
            )
        )

    def assert_like_the_shop(self):
        stock = {1: self.backend.default_location_id, 2: self.retail}
        for product in self.store.products.records.values():
            self.assertEqual(self.template(str(product["id"])).name, product["title"])
            for remote in product["variants"]:
                variant = self.variant(remote["sku"])
                self.assertEqual(variant.default_code, remote["sku"])
                price = Decimal(str(variant.lst_price)).quantize(Decimal("0.01"))
                self.assertEqual(price, Decimal(remote["price"]))
                for level in self.store.inventory_for_variant(remote["id"]):
                    location = stock[level["location_id"]]
                    quantity = own_quantity(variant.odoo_id, location)
                    self.assertEqual(quantity, level["available"])

    def test_first_run_imports_products_variants_prices_and_stock(self):
        run = self.import_products()
        self.assertEqual((run.state, run.fetched, run.created), ("done", 12, 12))
        self.assertTrue(
            any(len(p["variants"]) > 1 for p in self.store.products.records.values())
        )
        self.assert_like_the_shop()

    def test_next_run_skips_the_unchanged_and_reprices_the_changed(self):
        self.import_products()
        product = self.store.get_product(4)
        changed = product["variants"][-1]
        self.store.update_product(
            4,
            {
                "variants": [{"id": v["id"]} for v in product["variants"][:-1]]
                + [{"id": changed["id"], "price": "123.45"}]
            },
            partial=True,
        )
        run = self.import_products()
        self.assertEqual((run.state, run.updated, run.skipped), ("done", 1, 11))
        self.assertEqual(self.variant(changed["sku"]).lst_price, 123.45)
        self.assert_like_the_shop()

    def test_a_product_deleted_in_the_shop_is_archived(self):
        self.import_products()
        sku = self.store.get_product(3)["variants"][0]["sku"]
        self.store.delete_product(3)
        run = self.import_products()
        self.assertEqual((run.state, run.archived, run.skipped), ("done", 1, 11))
        self.assertFalse(self.template("3").active)
        self.assertFalse(self.variant(sku))  # archived with its template
        self.assertEqual(self.template("4").active, True)

    def test_a_walk_short_of_the_count_archives_nothing(self):
        self.import_products()
        self.store.delete_product(3)
        # The shop announces one product more than its pages hold.
        with mock.patch.object(self.sandbox.app.config, "total_extra", 1):
            run = self.import_products()
        self.assertEqual((run.state, run.archived), ("partial", 0))
        self.assertIn("fetched 11 of 12 announced", run.message)
        self.assertTrue(self.template("3").active)

    def test_a_page_size_the_shop_caps_still_walks_everything(self):
        self.backend.page_size = 50
        with mock.patch("sandbox.drf.MAX_PAGE_SIZE", 5):
            run = self.import_products()
        self.assertEqual((run.state, run.fetched, run.created), ("done", 12, 12))

    def test_a_refused_token_says_so_on_the_run(self):
        self.backend.api_key = "wrong"
        run = self.import_products()
        self.assertEqual(run.state, "failed")
        self.assertIn("refused our credentials (401 Unauthorized)", run.message)
        self.assertEqual(self.backend.product_binding_count, 0)
