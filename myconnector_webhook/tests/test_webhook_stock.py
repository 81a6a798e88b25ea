# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stock both ways with the platform's own echo: an adjustment in a mapped
location that has a mapped child location sends what the location holds by
itself, and the ``inventory.updated`` the platform emits for our write comes
back through the real controller and inbox and changes nothing."""

import json

from odoo import Command
from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import run_jobs

from .common import WebhookHttpCase

EXPORT = ("method_name", "=", "export_stock_level")


@tagged("post_install", "-at_install")
class TestWebhookStockEcho(WebhookHttpCase):
    seed_records = 6

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Quant = cls.env["stock.quant"]
        cls.stock = cls.backend.default_location_id
        cls.store = cls.env["stock.location"].create(
            {"name": "Retail Store", "usage": "internal", "location_id": cls.stock.id}
        )
        cls.backend.write(
            {
                "inventory_protocol": "rest",
                "inventory_location_ids": [
                    Command.create(
                        {"remote_location_id": 1, "location_id": cls.stock.id}
                    ),
                    Command.create(
                        {"remote_location_id": 2, "location_id": cls.store.id}
                    ),
                ],
            }
        )

    def on_hand(self, product):
        """``(WH/Stock by itself, Retail Store)``."""
        return (
            self.Quant._get_available_quantity(product, self.stock, strict=True),
            self.Quant._get_available_quantity(product, self.store, strict=True),
        )

    def deliver(self, domain=None):
        """Let the sandbox's deliveries reach the controller, run the jobs."""
        self.assertTrue(self.sandbox.wait_for_deliveries(timeout=20))
        self.assertEqual(run_jobs(self.env, domain)["failed"], 0)

    def export(self):
        """Run the export jobs. The platform posts its echo at once: the
        test's HTTP server waits for the lock of the test's cursor until
        they are done, not sharing the cursor with them."""
        with self.env.registry.test_lock:
            self.assertEqual(run_jobs(self.env, [EXPORT])["failed"], 0)

    def echoes(self, sku, available):
        events = self.env["generic.webhook"].search(
            [("event_type", "=", "inventory.updated")]
        )
        wanted = {"sku": sku, "location_id": 1, "available": available}
        return events.filtered(
            lambda e: wanted.items() <= json.loads(e.payload)["data"].items()
        )

    def test_parent_adjustment_exports_its_own_stock_and_the_echo_is_a_no_op(self):
        self.Binding.import_record(self.backend, "1")
        variant = self.variant_bindings()[:1]
        product, sku = variant.odoo_id, variant.default_code
        # The platform holds 8 at its main location, 6 at the store: both
        # come into Odoo by webhook.
        self.remote("POST", "/admin/simulate/stock", json={"sku": sku, "available": 8})
        self.remote(
            "POST",
            "/admin/simulate/stock",
            json={"sku": sku, "location_id": 2, "available": 6},
        )
        self.deliver()
        self.assertEqual(self.on_hand(product), (8, 6))

        # Physical Inventory at WH/Stock: 8 -> 20, applied.
        self.Quant.with_context(inventory_mode=True).create(
            {
                "product_id": product.id,
                "location_id": self.stock.id,
                "inventory_quantity": 20,
            }
        ).action_apply_inventory()
        self.assertEqual(self.on_hand(product), (20, 6))
        self.export()
        # WH/Stock's own 20, not 26 with its child's 6.
        self.assertEqual(self.remote_level(sku, 1), 20)
        self.assertEqual(self.remote_level(sku, 2), 6)

        # The platform's echo of our write reaches the inbox; meanwhile a
        # delivery takes 3 from WH/Stock (its export is still to run).
        self.assertTrue(self.sandbox.wait_for_deliveries(timeout=20))
        self.assertTrue(self.echoes(sku, 20), "the platform echoes our write")
        self.Quant._update_available_quantity(product, self.stock, -3)
        self.deliver([("method_name", "!=", "export_stock_level")])
        # Processed (or covered by the event about the same variant before).
        self.assertIn(self.echoes(sku, 20).state, ("done", "covered"))
        self.assertEqual(self.on_hand(product), (17, 6), "the echo changed nothing")

        # The delivery's export, then its echo: still nothing changes.
        self.export()
        self.assertEqual(self.remote_level(sku, 1), 17)
        self.deliver()
        self.assertTrue(self.echoes(sku, 17))
        self.assertEqual(self.on_hand(product), (17, 6))
        self.assertEqual(self.remote_level(sku, 1), 17)
        self.assertFalse(
            self.env["queue.job"].search([EXPORT, ("state", "!=", "done")])
        )
