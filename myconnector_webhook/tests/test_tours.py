# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The admin's path through the suite, in headless Chromium (Odoo tours).

Each tour checks what the UI shows; between tours this side runs the real
queue jobs against the sandbox and changes the remote, as the job runner and
the platform would. Without a Chrome or Chromium, Odoo skips these tests
(reported as skipped in the closing count).
"""

from unittest.mock import patch

from odoo import api
from odoo.tests import HttpCase, tagged

from odoo.addons.generic_connector.tests.common import run_jobs
from odoo.addons.myconnector.tests.common import MyConnectorCase

BACKENDS = "/web#action=myconnector.myconnector_backend_action"
RUNS = "/web#action=generic_connector.generic_sync_run_action"
INBOX = "/web#action=generic_connector.generic_webhook_action"
DASHBOARD = "/web#action=myconnector.myconnector_backend_dashboard_action"
PLANS = "/web#action=generic_connector.generic_import_plan_action"
PRODUCTS = "/web#action=myconnector.myconnector_product_template_action"
ORDERS = "/web#action=myconnector.myconnector_sale_order_action"
QUOTATIONS = "/web#action=sale.action_quotations_with_onboarding"


@tagged("post_install", "-at_install")
class TestAdminTours(HttpCase, MyConnectorCase):
    seed_records = 12

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("web.base.url", cls.base_url())
        cls.env.ref("base.user_admin").groups_id |= cls.env.ref(
            "connector.group_connector_manager"
        ) | cls.env.ref("queue_job.group_queue_job_manager")
        cls.backend.name = "Tour sandbox"

    def tour(self, url, name):
        self.start_tour(url, name, login="admin", timeout=120)

    def runs(self):
        return self.env["generic.sync.run"].search([])

    def test_create_backend_and_test_connection(self):
        self.tour(BACKENDS, "connector_create_backend_test_connection")
        backend = self.env["myconnector.backend"].search([("name", "=", "Tour shop")])
        self.assertEqual(backend.connection_state, "failed")

    def test_import_watch_the_run_retry_a_failed_record(self):
        self.remote(
            "POST", "/admin/corrupt", json={"product_id": 7, "fields": {"price": "n/a"}}
        )
        self.tour(BACKENDS, "connector_import_products")
        run = self.runs()
        self.assertEqual((run.trigger, run.state), ("button", "running"))
        run_jobs(self.env)
        self.assertEqual(run.state, "partial")
        self.remote("PATCH", "/api/v1/products/7", json={"price": "7.00"})
        self.tour(RUNS, "connector_retry_failed_record")
        run_jobs(self.env)
        self.assertEqual(run.state, "done")
        self.tour(RUNS, "connector_run_done")

    def test_reprocess_a_failed_webhook(self):
        self.backend.action_register_webhook()
        self.backend.action_import_products()
        run_jobs(self.env)
        self.remote(
            "POST", "/admin/corrupt", json={"product_id": 5, "fields": {"price": "n/a"}}
        )
        self.sandbox.wait_for_deliveries(timeout=20)
        run_jobs(self.env)
        event = self.env["generic.webhook"].search([("state", "=", "failed")])
        self.assertEqual(len(event), 1)
        self.remote("PATCH", "/api/v1/products/5", json={"price": "5.00"})
        self.sandbox.wait_for_deliveries(timeout=20)
        run_jobs(self.env)
        self.tour(INBOX, "connector_reprocess_webhook")
        run_jobs(self.env)
        self.assertEqual(event.state, "done")
        self.tour(INBOX, "connector_reprocess_done_not_highlighted")

    def test_plan_then_apply_a_first_import(self):
        remote = self.remote_products()
        ours = self.env["product.template"].create(
            [
                {"name": f"Ours {i}", "default_code": remote[str(i)]["sku"]}
                for i in range(1, 5)
            ]
        )
        before = self.env["product.template"].search_count([])
        self.tour(BACKENDS, "connector_plan_products")
        plan = self.env["generic.import.plan"].search([])
        self.assertEqual(plan.state, "planning")
        run_jobs(self.env)
        self.assertEqual((plan.create_count, plan.bind_count), (8, 4))
        self.assertEqual(self.env["product.template"].search_count([]), before)
        self.tour(PLANS, "connector_apply_plan")
        run_jobs(self.env)
        self.assertEqual(plan.run_id.state, "done", plan.run_id.message)
        self.assertEqual(self.env["product.template"].search_count([]), before + 8)
        self.assertEqual(len(ours.myconnector_bind_ids), 4)

    def test_dashboard_flags_a_wrong_key(self):
        wrong = self.backend.copy(
            {"name": "Tour wrong key", "api_key": "wrong-key", "webhook_token": "t2"}
        )
        (self.backend | wrong).action_import_products()
        run_jobs(self.env)
        self.tour(DASHBOARD, "connector_dashboard")

    def test_a_record_timeline_and_replay(self):
        self.backend.action_import_products()
        run_jobs(self.env)
        binding = self.env["myconnector.product.template"].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", "3")]
        )
        old_price = round(binding.list_price, 2)
        self.remote("PATCH", "/api/v1/products/3", json={"price": "123.45"})
        binding.import_record(self.backend, "3")
        self.tour(PRODUCTS, "connector_record_timeline")
        run_jobs(self.env)
        self.assertAlmostEqual(binding.list_price, old_price)
        replay = self.env["generic.binding.version"].search(
            [("binding_id", "=", binding.id), ("replay_of_id", "!=", False)]
        )
        self.assertEqual(replay.replay_of_id.outcome, "created")

    def test_a_held_order_and_its_payment_gateway(self):
        journal = self.env["account.journal"].create(
            {"name": "Tour bank", "type": "bank", "code": "TOURB"}
        )
        order = self.remote(
            "POST",
            "/api/v1/orders",
            json={
                "number": "#TOUR-1",
                "customer_id": 1,
                "status": "paid",
                "lines": [
                    {
                        "sku": "SKU-00001",
                        "quantity": 1,
                        "price": "10.00",
                        "taxes": [
                            {"title": "Tour VAT", "rate": "7.5", "country": "BE"}
                        ],
                    }
                ],
                "payments": [{"gateway": "tourpay", "amount": "10.75"}],
            },
        )["data"]
        Binding = self.env["myconnector.sale.order"]
        Binding.import_record(self.backend, order["id"])
        binding = Binding.search([("external_id", "=", str(order["id"]))])
        self.assertEqual(binding.state, "draft")
        self.tour(ORDERS, "connector_held_order")
        self.tour(BACKENDS, "connector_map_payment_gateway")
        gateway = self.backend.payment_gateway_ids
        self.assertEqual((gateway.name, gateway.journal_id), ("tourpay", journal))
        # With the tax mapped too, the next import confirms and invoices it.
        self.backend.tax_map_ids.tax_id = self.env["account.tax"].create(
            {"name": "Tour VAT 7.5%", "amount": 7.5, "type_tax_use": "sale"}
        )
        Binding.import_record(self.backend, order["id"], force=True)
        self.assertFalse(binding.hold_reason)
        self.assertEqual(binding.state, "sale")
        self.assertEqual(f"{binding.invoice_ids.amount_total:.2f}", "10.75")
        self.assertEqual(
            binding.invoice_ids.payment_state in ("paid", "in_payment"), True
        )

    def test_a_run_form_turns_done_without_a_reload(self):
        Run = type(self.env["generic.sync.run"])
        live_revision = Run.live_revision
        form_polls = []

        @api.model
        def runner_between_polls(model, domain):
            # The job runner at work while the run's form is open: the jobs
            # run between the form's first poll (at load) and its next one.
            if domain[:1] and domain[0][0] == "id":
                form_polls.append(domain)
                if len(form_polls) == 2:
                    run_jobs(model.env)
            return live_revision(model, domain)

        with patch.object(Run, "live_revision", runner_between_polls):
            self.tour(BACKENDS, "connector_run_done_live")
        run = self.runs()
        self.assertEqual(run.state, "done", run.message)
        self.assertGreaterEqual(len(form_polls), 2)

    def test_my_quotations_lists_the_imported_orders(self):
        admin = self.env.ref("base.user_admin")
        self.backend.action_import_orders()
        run_jobs(self.env)
        self.tour(QUOTATIONS, "connector_my_quotations")
        # What the tour listed under My Quotations were imported orders.
        imported = self.env["myconnector.sale.order"].search([]).odoo_id
        self.assertTrue(imported)
        mine = self.env["sale.order"].search([("user_id", "=", admin.id)])
        self.assertEqual(mine, imported)
        self.assertEqual(self.backend.order_user_id, admin)

    def test_the_backend_shows_its_watermarks_as_dates(self):
        stamp = "2026-12-02T12:11:52.000000Z"
        self.backend.write(
            {
                "products_imported_until": stamp,
                "customers_imported_until": stamp,
                "orders_imported_until": stamp,
            }
        )
        self.tour(BACKENDS, "connector_watermark_as_date")
