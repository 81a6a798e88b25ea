# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``refund.created`` and ``fulfillment.created``: the order is read again,
with its new refund (a credit note, made by the integration user's job) or
its new shipment (the delivery validated, when the backend says so)."""

from odoo.tests import tagged

from odoo.addons.myconnector.tests.test_import_orders import OrderCaseMixin

from .common import WebhookHttpCase
from .test_webhook_orders import TestWebhookOrders


@tagged("post_install", "-at_install")
class TestWebhookAfterSale(OrderCaseMixin, WebhookHttpCase):
    seed_records = 6

    # The order tests' helpers, not their tests.
    simulate = TestWebhookOrders.simulate
    deliver = TestWebhookOrders.deliver
    binding = TestWebhookOrders.binding

    def test_refund_and_fulfilment_events(self):
        self.backend.fulfillment_validates_delivery = True
        order = self.simulate("order", status="paid")
        self.deliver("order.created")
        binding = self.binding(order)
        self.assertEqual(binding.state, "sale")
        refund = self.simulate("refund", order_id=order["id"], shipping="2.50")
        events = self.deliver("refund.created")
        self.assertEqual(events.mapped("state"), ["done"])
        credit = self.env["myconnector.account.move"].search(
            [("order_binding_id", "=", binding.id)]
        )
        self.assertEqual(credit.external_id, str(refund["id"]))
        self.assertEqual(f"{credit.amount_total:.2f}", "2.50")
        self.assertEqual(credit.state, "posted")

        shipped = self.simulate(
            "fulfillment", order_id=order["id"], tracking_number="WH-77"
        )
        self.assertEqual(self.deliver("fulfillment.created").mapped("state"), ["done"])
        delivery = binding.picking_ids
        self.assertEqual(delivery.state, "done")
        self.assertEqual(delivery.myconnector_bind_ids.external_id, str(shipped["id"]))
        self.assertEqual(delivery.myconnector_tracking_ref, "WH-77")
