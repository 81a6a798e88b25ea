# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Registering the webhook is idempotent: one subscription per backend on the
platform, signed with the secret the backend holds, however many times
``make run`` (or an admin) registers it again."""

from odoo.tests import tagged

from .common import WebhookHttpCase


@tagged("post_install", "-at_install")
class TestWebhookSubscription(WebhookHttpCase):
    seed_records = 3

    def own_subscriptions(self):
        """The platform's subscriptions posting to this backend's URL."""
        items = self.remote("GET", "/api/v1/webhooks", params={"per_page": 250})
        return [
            s for s in items["data"]["items"] if s["url"] == self.backend.webhook_url
        ]

    def test_registering_again_keeps_one_subscription_with_the_current_secret(self):
        subscription_id = self.backend.webhook_subscription_id
        secret = self.backend.webhook_secret
        self.backend.action_register_webhook()
        self.backend.action_register_webhook()
        (subscription,) = self.own_subscriptions()
        self.assertEqual(str(subscription["id"]), subscription_id)
        self.assertEqual(self.backend.webhook_subscription_id, subscription_id)
        self.assertEqual(self.backend.webhook_secret, secret)
        self.assertEqual(subscription["secret"], secret)

    def test_a_duplicate_with_an_old_secret_is_removed_then_deliveries_verify(self):
        # What every earlier `make run` left: a subscription to the same URL,
        # signing with the secret of its day.
        self.remote(
            "POST",
            "/api/v1/webhooks",
            json={"url": self.backend.webhook_url, "events": ["*"]},
        )
        self.backend.action_register_webhook()
        (subscription,) = self.own_subscriptions()
        self.assertEqual(str(subscription["id"]), self.backend.webhook_subscription_id)
        self.assertEqual(subscription["secret"], self.backend.webhook_secret)

        self.remote("PATCH", "/api/v1/products/1", json={"price": "12.34"})
        self.assertTrue(self.sandbox.wait_for_deliveries(timeout=20))
        self.assertEqual(self.backend.webhook_refused_count, 0)
        events = self.inbox().filtered(lambda e: e.event_type == "product.updated")
        self.assertEqual(len(events), 1)

    def test_without_a_secret_a_new_subscription_replaces_the_old_ones(self):
        old_id = self.backend.webhook_subscription_id
        old_secret = self.backend.webhook_secret
        self.backend.webhook_secret = False
        self.backend.action_register_webhook()
        (subscription,) = self.own_subscriptions()
        self.assertNotEqual(str(subscription["id"]), old_id)
        self.assertEqual(str(subscription["id"]), self.backend.webhook_subscription_id)
        self.assertTrue(self.backend.webhook_secret)
        self.assertNotEqual(self.backend.webhook_secret, old_secret)
        self.assertEqual(subscription["secret"], self.backend.webhook_secret)
