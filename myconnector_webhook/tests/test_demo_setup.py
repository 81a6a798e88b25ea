# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo of ``make run``, as the README's walkthrough tells it.

``setup/demo.py``'s :func:`configure` (what ``make run`` runs in
``odoo-bin shell``) sets up this fresh database against a sandbox seeded
like ``make run``'s (250 products); then the walkthrough's buttons are
pressed through the methods they call, as the admin, and each step's
numbers are the README's: 250 products created (step 3), 125 customers
(step 7), 250 orders (step 10). The broken product of step 13 fails alone,
with its reason, and without an ERROR line in the log.
"""

import importlib.util
from pathlib import Path

import requests

from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import GenericConnectorCase, run_jobs
from odoo.addons.myconnector.tests.sandbox import start_sandbox

DEMO_SCRIPT = Path(__file__).resolve().parents[2] / "setup" / "demo.py"
README = DEMO_SCRIPT.parents[1] / "README.md"
RECORDS = 250  # run.sh's SANDBOX_RECORDS


def load_demo():
    spec = importlib.util.spec_from_file_location("myconnector_demo", DEMO_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestDemoSetup(GenericConnectorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not DEMO_SCRIPT.exists():
            cls.skipTest(cls, "setup/demo.py is not shipped with the addons")
        cls.sandbox = start_sandbox(cls, seed_records=RECORDS)
        cls.admin = cls.env.ref("base.user_admin")
        backend = load_demo().configure(
            cls.env, cls.sandbox.url, "http://127.0.0.1:8069"
        )
        cls.backend = backend.with_user(cls.admin)

    def run_jobs(self):
        return run_jobs(self.env)

    def last_run(self, resource):
        return self.env["generic.sync.run"].search(
            [("backend_id", "=", self.backend.id), ("resource", "=", resource)],
            order="id desc",
            limit=1,
        )

    def count(self, field):
        """A count of the backend's buttons, as a reload of the form shows it."""
        self.backend.invalidate_recordset([field])
        return self.backend[field]

    def remote(self, method, path, **kwargs):
        response = requests.request(
            method,
            self.sandbox.url + path,
            headers={"X-API-Key": "demo-api-key"},
            timeout=10,
            **kwargs,
        )
        response.raise_for_status()
        return response.json()

    def test_settings_the_walkthrough_relies_on(self):
        admin = self.admin
        self.assertTrue(admin.has_group("product.group_product_variant"))
        self.assertTrue(admin.has_group("stock.group_stock_multi_locations"))
        self.assertEqual(self.backend.connection_state, "ok")
        self.assertTrue(self.backend.webhook_subscription_id)
        self.assertEqual(
            self.backend.inventory_location_ids.mapped("location_id.complete_name"),
            ["WH/Stock", "WH/Stock/Retail Store"],
        )
        # Run again (every `make run`): nothing is created twice.
        load_demo().configure(self.env, self.sandbox.url, "http://127.0.0.1:8069")
        self.assertEqual(
            self.env["myconnector.backend"].search_count([("name", "=", "Sandbox")]), 1
        )
        self.assertEqual(len(self.backend.inventory_location_ids), 2)

    def test_walkthrough_numbers(self):
        readme = README.read_text() if README.exists() else ""
        with self.assertNoLogs("odoo", level="ERROR"):
            # Step 3: Import products.
            self.backend.action_import_products()
            self.assertEqual(self.run_jobs()["failed"], 0)
            run = self.last_run("myconnector.product.template")
            self.assertEqual((run.state, run.fetched, run.created), ("done", 250, 250))
            self.assertEqual(self.count("product_binding_count"), 250)
            self.assertIn("250 fetched and created", readme)
            # Step 7: Import customers.
            self.backend.with_context(connector_resource="customers").action_import()
            self.assertEqual(self.run_jobs()["failed"], 0)
            self.assertEqual(self.count("customer_binding_count"), 125)
            self.assertIn("the 125 customers become contacts", readme)
            # Step 9: Import inventory: quants in both mapped locations.
            self.backend.action_import_inventory()
            self.assertEqual(self.run_jobs()["failed"], 0)
            locations = self.backend.inventory_location_ids.location_id
            quants = self.env["stock.quant"].search(
                [("location_id", "in", locations.ids), ("quantity", "!=", 0)]
            )
            self.assertEqual(quants.location_id, locations)
            # Step 10: Import orders.
            self.backend.with_context(connector_resource="orders").action_import()
            self.assertEqual(self.run_jobs()["failed"], 0)
            run = self.last_run("myconnector.sale.order")
            self.assertEqual((run.state, run.fetched), ("done", 250))
            self.assertEqual(self.count("order_binding_count"), 250)
            self.assertIn("The 250 orders become sales orders", readme)
            # Step 13: a product broken on the platform fails alone, quietly.
            self.remote(
                "POST",
                "/admin/corrupt",
                json={"product_id": 13, "fields": {"price": "n/a"}},
            )
            self.backend.action_import_products()
            self.run_jobs()
            run = self.last_run("myconnector.product.template")
            self.assertEqual(run.state, "partial")
            self.assertEqual(run.failure_ids.external_id, "13")
            self.assertIn("invalid price 'n/a'", run.failure_ids.reason)
            self.remote("PATCH", "/api/v1/products/13", json={"price": "13.00"})
            run.action_retry_failed()
            self.run_jobs()
            self.assertEqual(run.state, "done")
