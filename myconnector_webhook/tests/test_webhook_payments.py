# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``order.paid``: the platform's payment confirms, invoices and pays."""

from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import run_jobs
from odoo.addons.myconnector.tests.test_import_orders import OrderCaseMixin

from .common import WebhookHttpCase


@tagged("post_install", "-at_install")
class TestWebhookPayments(OrderCaseMixin, WebhookHttpCase):
    seed_records = 6

    def deliver(self, event_type):
        self.assertTrue(self.sandbox.wait_for_deliveries(timeout=20))
        events = self.env["generic.webhook"].search([("event_type", "=", event_type)])
        self.assertTrue(events, f"no {event_type} delivered")
        self.assertEqual(run_jobs(self.env)["failed"], 0)
        return events

    def test_order_paid_confirms_invoices_and_pays(self):
        journal = self.env["account.journal"].create(
            {"name": "MyConnector webhook bank", "type": "bank", "code": "MCWB"}
        )
        self.env["myconnector.payment.gateway"].create(
            {"backend_id": self.backend.id, "name": "stripe", "journal_id": journal.id}
        )
        order = self.remote(
            "POST",
            "/admin/simulate/order",
            json={
                "status": "pending",
                "lines": [{"sku": "SKU-00001", "quantity": 2, "price": "12.50"}],
                "payments": [],
            },
        )
        self.deliver("order.created")
        binding = self.orders().filtered(lambda b: b.external_id == str(order["id"]))
        self.assertEqual(
            (binding.state, binding.financial_status), ("draft", "pending")
        )
        self.remote(
            "POST",
            "/admin/simulate/payment",
            json={"order_id": order["id"], "gateway": "stripe"},
        )
        # Its job, or the order.updated sent with it, re-reads the order.
        (paid,) = self.deliver("order.paid")
        self.assertIn(paid.state, ("done", "covered"))
        self.assertEqual((binding.state, binding.financial_status), ("sale", "paid"))
        self.assertEqual(f"{binding.invoice_ids.amount_total:.2f}", "25.00")
        self.assertIn(binding.invoice_ids.payment_state, ("paid", "in_payment"))
