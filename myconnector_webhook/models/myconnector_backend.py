# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The MyConnector platform's webhooks: its events and its subscription API.

Everything else (settings, verification, intake, rotation, registration) is
``generic.webhook.backend``'s.
"""

from odoo import _, models

from odoo.addons.generic_connector.models.generic_webhook_backend import (
    WebhookEvent,
)
from odoo.addons.generic_connector.transport import OffsetPagination, iterate_items
from odoo.addons.myconnector.models.myconnector_backend import (
    CUSTOMER_MODEL,
    ORDER_MODEL,
    PRODUCT_MODEL,
    VARIANT_MODEL,
)

WEBHOOK_PATH = "/myconnector/webhook/"
SUBSCRIPTIONS = "/api/v1/webhooks"
# Every event re-reads its record from the API: whatever the order events
# arrive in (an update before the creation, a deletion: the 404 archives),
# the newest state is imported, and the late ones are skipped.
WEBHOOK_EVENTS = {
    "product.created": WebhookEvent("product", PRODUCT_MODEL),
    "product.updated": WebhookEvent("product", PRODUCT_MODEL),
    "product.deleted": WebhookEvent("product", PRODUCT_MODEL),
    "customer.created": WebhookEvent("customer", CUSTOMER_MODEL),
    "customer.updated": WebhookEvent("customer", CUSTOMER_MODEL),
    # An order's customer and products come with it when Odoo lacks them.
    "order.created": WebhookEvent("order", ORDER_MODEL),
    "order.updated": WebhookEvent("order", ORDER_MODEL),
    "order.cancelled": WebhookEvent("order", ORDER_MODEL),
    # The order carries its refunds and fulfilments: read again, it brings
    # the new one (credit note, validated delivery) with it.
    "refund.created": WebhookEvent("order", ORDER_MODEL, key="data.order_id"),
    "fulfillment.created": WebhookEvent("order", ORDER_MODEL, key="data.order_id"),
    # Paid: the import re-reads the order and applies its gateway's workflow.
    "order.paid": WebhookEvent("order", ORDER_MODEL),
    "inventory.updated": WebhookEvent(
        "inventory", handler="_webhook_inventory_changed", key="data.variant_id"
    ),
}


class MyConnectorBackend(models.Model):
    _name = "myconnector.backend"
    _inherit = ["generic.webhook.backend", "myconnector.backend"]

    _webhook_path = WEBHOOK_PATH
    _webhook_user_xmlid = "myconnector_webhook.user_integration"
    _webhook_events = WEBHOOK_EVENTS

    def _webhook_job_options(self):
        # Webhook jobs call the API too: under the backend's channel, whose
        # capacity is sized against its rate budget.
        return {"channel": f"{self._job_channel()}.webhook"}

    def _webhook_inventory_changed(self, event, payload):
        """Read the variant's levels again from the API into its quants."""
        variant_id = str(event.record_id(payload))
        binding = self.env[VARIANT_MODEL].search(
            [("backend_id", "=", self.id), ("external_id", "=", variant_id)]
        )
        if not binding:
            return _(
                "Variant %(id)s is not imported: its stock comes with its product",
                id=variant_id,
            )
        return self._import_inventory_chunk(binding)

    def _webhook_list_subscriptions(self, client):
        return iterate_items(
            client,
            SUBSCRIPTIONS,
            style=OffsetPagination(total_path="data.total"),
            items_path="data.items",
        )

    def _webhook_create_subscription(self, client, body):
        answer = client.request_json("POST", SUBSCRIPTIONS, json=body)
        return answer.get("data", answer)

    def _webhook_update_subscription(self, client, subscription_id, body):
        path = f"{SUBSCRIPTIONS}/{subscription_id}"
        answer = client.request_json("PATCH", path, json=body)
        return answer.get("data", answer)

    def _webhook_delete_subscription(self, client, subscription_id):
        client.request("DELETE", f"{SUBSCRIPTIONS}/{subscription_id}")
