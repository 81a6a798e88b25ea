# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Order and inventory events, posted by the sandbox's own simulators."""

from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import run_jobs
from odoo.addons.myconnector.tests.test_import_orders import OrderCaseMixin

from .common import WebhookHttpCase


@tagged("post_install", "-at_install")
class TestWebhookOrders(OrderCaseMixin, WebhookHttpCase):
    seed_records = 6

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend.inventory_protocol = "rest"

    def simulate(self, what, **body):
        return self.remote("POST", f"/admin/simulate/{what}", json=body)

    def deliver(self, event_type):
        """Wait for the sandbox's deliveries, run the jobs; return the inbox
        rows of ``event_type``."""
        self.assertTrue(self.sandbox.wait_for_deliveries(timeout=20))
        events = self.env["generic.webhook"].search([("event_type", "=", event_type)])
        self.assertTrue(events, f"no {event_type} delivered")
        self.assertEqual(run_jobs(self.env)["failed"], 0)
        return events

    def binding(self, order):
        return self.orders().filtered(lambda b: b.external_id == str(order["id"]))

    def test_order_created_updated_cancelled(self):
        order = self.simulate("order", status="pending")
        self.assertEqual(self.deliver("order.created").mapped("state"), ["done"])
        binding = self.binding(order)
        self.assertOrderMatches(binding, order)
        self.assertEqual(binding.state, "draft")

        updated = self.simulate("order_update", order_id=order["id"])
        self.assertEqual(self.deliver("order.updated").mapped("state"), ["done"])
        self.assertOrderMatches(binding, updated)
        self.assertNotEqual(updated["total"], order["total"])

        cancelled = self.simulate("order_cancel", order_id=order["id"])
        self.assertEqual(self.deliver("order.cancelled").mapped("state"), ["done"])
        self.assertOrderMatches(binding, cancelled)
        self.assertEqual(binding.state, "cancel")
        # Cancelled by the platform: not sent back to it.
        self.assertFalse(self.export_jobs())

    def test_order_updated_before_created(self):
        self.remote(
            "POST", "/admin/faults", json={"pattern": "webhooks:order.*", "reorder": 2}
        )
        try:
            order = self.simulate("order", status="paid")
            latest = self.simulate("order_update", order_id=order["id"])
            self.assertTrue(self.sandbox.wait_for_deliveries(timeout=20))
        finally:
            self.remote("DELETE", "/admin/faults")
        created = self.env["generic.webhook"].search(
            [("event_type", "=", "order.created")]
        )
        updated = self.deliver("order.updated")
        self.assertLess(updated.id, created.id, "the update arrived first")
        # The creation came while the update's job waited: covered by it.
        self.assertEqual((created | updated).mapped("state"), ["covered", "done"])
        self.assertIn(updated.delivery_id, created.result)
        binding = self.binding(order)
        self.assertOrderMatches(binding, latest)
        self.assertEqual(binding.state, "sale")
        self.assertEqual(binding.remote_updated_at, latest["updated_at"])
        self.assertFalse(binding.remote_change_note)

    def test_inventory_updated(self):
        self.Binding.import_record(self.backend, "2")
        variant = self.variant_bindings()[:1]
        product = variant.odoo_id
        self.simulate("stock", sku=variant.default_code, location_id=1, available=13)
        events = self.deliver("inventory.updated")
        self.assertEqual(events.mapped("state"), ["done"])
        levels = self.remote(
            "GET", "/api/v1/inventory_levels", params={"sku": variant.default_code}
        )["data"]["items"]
        self.assertIn(13, [level["available"] for level in levels])
        # Both remote locations land in the default location (none mapped).
        location = self.backend.default_location_id
        self.assertEqual(
            product.with_context(location=location.id).qty_available,
            sum(level["available"] for level in levels),
        )
        self.assertFalse(self.export_jobs())

    def test_remote_change_of_a_confirmed_order_needs_no_sender_email(self):
        # A fresh install: the integration user the webhooks run as has no
        # email, and the connector's notes must not need one.
        user = self.backend.webhook_user_id
        user.partner_id.email = False
        order = self.simulate("order", status="pending")
        self.assertEqual(self.deliver("order.created").mapped("state"), ["done"])
        binding = self.binding(order)
        binding.odoo_id.action_confirm()
        self.assertEqual(binding.state, "sale")

        updated = self.simulate("order_update", order_id=order["id"])
        events = self.deliver("order.updated")
        self.assertEqual(events.mapped("state"), ["done"], events.mapped("result"))
        self.assertEqual(binding.state, "sale")
        self.assertEqual(binding.remote_total, updated["total"])
        self.assertIn("not applied", binding.remote_change_note)
        note = binding.odoo_id.message_ids[:1]
        self.assertIn("not applied", note.body.striptags())
        self.assertEqual(note.author_id, user.partner_id)
