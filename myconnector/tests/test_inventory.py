# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Inventory over SOAP (and REST): levels into stock.quant at mapped
locations, a quantity pushed back with UpdateInventory, faults as failed
jobs with their reason."""

from psycopg2 import errors

from odoo.sql_db import db_connect
from odoo.tests import tagged

from .common import MyConnectorCase


class InventoryCase(MyConnectorCase):
    seed_records = 12

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend.write(
            {"username": "demo", "password": "demo-password", "page_size": 100}
        )
        cls.main = cls.backend.default_location_id
        cls.store_location = cls.env["stock.location"].create(
            {"name": "Retail Store", "usage": "internal", "location_id": cls.main.id}
        )
        cls.backend.inventory_location_ids = [
            (0, 0, {"remote_location_id": 2, "location_id": cls.store_location.id}),
            (0, 0, {"remote_location_id": 1, "location_id": cls.main.id}),
        ]

    def import_catalogue_and_inventory(self):
        self.backend.action_import_products()
        self.run_jobs()
        self.backend.action_import_inventory()
        return self.run_jobs()

    def remote_levels(self):
        """``{(sku, remote location id): available}`` from the REST API."""
        items = self.remote(
            "GET", "/api/v1/inventory_levels", params={"per_page": 250}
        )["data"]["items"]
        total = self.remote("GET", "/api/v1/inventory_levels")["data"]["total"]
        page = 2
        while len(items) < total:
            items += self.remote(
                "GET",
                "/api/v1/inventory_levels",
                params={"per_page": 250, "page": page},
            )["data"]["items"]
            page += 1
        return {(i["sku"], i["location_id"]): i["available"] for i in items}

    def assertRowFree(self, record):
        """No transaction holds a write lock on ``record``'s row: another
        transaction (a parallel chunk job) may write it at once."""
        with db_connect(self.env.cr.dbname).cursor() as other:
            try:
                other.execute(
                    f"SELECT id FROM {record._table} WHERE id = %s "
                    "FOR NO KEY UPDATE NOWAIT",
                    (record.id,),
                )
            except errors.LockNotAvailable:
                self.fail(f"{record.display_name} is locked by the import")

    def odoo_levels(self):
        locations = {1: self.main, 2: self.store_location}
        result = {}
        for binding in self.variant_bindings():
            for remote_id, location in locations.items():
                quantity = binding.odoo_id.with_context(
                    location=location.id
                ).qty_available
                # The main location's figure includes its child, the store.
                if remote_id == 1:
                    quantity -= binding.odoo_id.with_context(
                        location=self.store_location.id
                    ).qty_available
                result[(binding.default_code, remote_id)] = quantity
        return result


@tagged("post_install", "-at_install")
class TestInventorySoap(InventoryCase):
    def test_levels_land_in_quants_and_updates_go_back(self):
        outcomes = self.import_catalogue_and_inventory()
        self.assertEqual(outcomes["failed"], 0)
        served = self.remote("GET", "/admin/stats")["requests"]
        self.assertNotIn("GET /api/v1/inventory_levels", served)
        self.assertEqual(served["POST /soap"], len(self.variant_bindings()))
        remote = self.remote_levels()
        self.assertEqual(len(remote), 2 * len(self.variant_bindings()))
        self.assertEqual(self.odoo_levels(), remote)
        # A second run changes nothing.
        self.backend.action_import_inventory()
        self.run_jobs()
        results = self.job_results("_import_inventory_chunk")
        self.assertIn("0 quant(s) changed", results[0])

        # Odoo's stock of a variant at the store changes: UpdateInventory.
        variant = self.variant_bindings()[0]
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": variant.odoo_id.id,
                "location_id": self.store_location.id,
                "inventory_quantity_auto_apply": 123,
            }
        )
        variant.with_delay().export_stock_level(self.store_location)
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertEqual(self.remote_levels()[(variant.default_code, 2)], 123)

    def test_sync_run_whose_chunks_do_not_collide(self):
        self.backend.import_chunk_size = 4
        self.backend.action_import_products()
        self.run_jobs()
        variants = self.variant_bindings()
        self.assertRowFree(self.main)
        counted_on = self.main.last_inventory_date
        served_before = self.remote("GET", "/admin/stats")["requests"]
        self.backend.action_import_inventory()
        self.assertEqual(self.run_jobs()["failed"], 0)
        served = self.remote("GET", "/admin/stats")["requests"]
        run = self.env["generic.sync.run"].search(
            [("backend_id", "=", self.backend.id), ("resource", "=", "stock.quant")]
        )
        self.assertEqual(len(run), 1, "Import inventory is a sync run")
        self.assertEqual(run.state, "done")
        self.assertEqual(run.trigger, "button")
        self.assertEqual(run.protocol, "soap")
        chunks = run.job_ids.filtered(
            lambda j: j.method_name == "_import_inventory_chunk"
        )
        self.assertEqual(len(chunks), -(-len(variants) // 4))
        self.assertEqual(run.fetched, len(variants))
        # A variant is updated when one of its quants changed.
        self.assertTrue(run.updated)
        self.assertEqual(run.updated + run.skipped, len(variants))
        # Its calls are the SOAP requests the platform served meanwhile.
        soap_calls = sum(
            count - served_before.get(route, 0)
            for route, count in served.items()
            if route.endswith("/soap")
        )
        self.assertTrue(soap_calls)
        self.assertEqual(run.http_calls, soap_calls)
        # Parallel chunks apply inventories at the same locations: none of
        # them writes the location's row (its last inventory date), where
        # they would meet in serialization failures.
        self.assertRowFree(self.main)
        self.main.invalidate_recordset()
        self.assertEqual(self.main.last_inventory_date, counted_on)

    def test_unknown_sku_fault_fails_the_job_with_its_reason(self):
        self.import_catalogue_and_inventory()
        variant = self.variant_bindings()[0]
        variant.odoo_id.default_code = "NOT-ON-THE-PLATFORM"
        job = variant.with_delay().export_stock_level(self.main)
        outcomes = self.run_jobs()
        self.assertEqual(outcomes["failed"], 1)
        record = job.db_record()
        self.assertEqual(record.state, "failed")
        self.assertIn("NOT-ON-THE-PLATFORM", record.exc_info)
        self.assertIn("SOAP fault", record.exc_message)

    def test_non_storable_variants_are_skipped_by_name(self):
        self.backend.action_import_products()
        self.run_jobs()
        variant = self.variant_bindings()[0]
        variant.product_tmpl_id.detailed_type = "consu"
        self.backend.action_import_inventory()
        self.assertEqual(self.run_jobs()["failed"], 0)
        results = " ".join(self.job_results("_import_inventory_chunk"))
        self.assertIn(f"not storable, skipped: {variant.default_code}", results)

    def test_unmapped_location_lands_in_the_default(self):
        self.backend.inventory_location_ids.filtered(
            lambda m: m.remote_location_id == 2
        ).unlink()
        self.import_catalogue_and_inventory()
        remote = self.remote_levels()
        binding = self.variant_bindings()[0]
        self.assertEqual(
            binding.odoo_id.with_context(location=self.main.id).qty_available,
            remote[(binding.default_code, 1)] + remote[(binding.default_code, 2)],
        )


@tagged("post_install", "-at_install")
class TestInventoryRest(InventoryCase):
    seed_records = 10

    def test_same_levels_over_rest(self):
        self.backend.inventory_protocol = "rest"
        self.assertEqual(self.import_catalogue_and_inventory()["failed"], 0)
        self.assertEqual(self.odoo_levels(), self.remote_levels())
        served = self.remote("GET", "/admin/stats")["requests"]
        self.assertNotIn("POST /soap", served)
        variant = self.variant_bindings()[0]
        variant.with_delay().export_stock_level(self.main)
        self.run_jobs()
        # What the main location holds by itself, not its child store's too.
        expected = self.odoo_levels()[(variant.default_code, 1)]
        self.assertEqual(self.remote_levels()[(variant.default_code, 1)], expected)
