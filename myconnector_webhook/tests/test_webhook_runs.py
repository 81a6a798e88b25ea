# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A burst of webhooks from the sandbox, over real HTTP: one sync run per
event, whose counts are what the sandbox served and what Odoo changed."""

import json
import uuid
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import run_jobs
from odoo.addons.generic_connector.transport import sign_standard_webhook

from .common import WebhookHttpCase


@tagged("post_install", "-at_install")
class TestWebhookRuns(WebhookHttpCase):
    seed_records = 8

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend.action_import_products()
        run_jobs(cls.env)

    def webhook_runs(self):
        return self.env["generic.sync.run"].search([("trigger", "=", "webhook")])

    def single_gets(self):
        stats = self.remote("GET", "/admin/stats")["requests"]
        return sum(v for k, v in stats.items() if k.startswith("GET /api/v1/products/"))

    def test_burst_gives_one_counted_run_per_event(self):
        before = self.single_gets()
        for product_id, price in ((2, "20.00"), (3, "30.00"), (4, "40.00")):
            self.remote(
                "POST",
                "/admin/simulate/price",
                json={"product_id": product_id, "price": price},
            )
        self.sandbox.wait_for_deliveries(timeout=20)
        run_jobs(self.env)
        runs = self.webhook_runs()
        self.assertEqual(len(runs), 3)
        self.assertEqual(set(runs.mapped("state")), {"done"})
        self.assertEqual(set(runs.mapped("resource")), {"product.updated"})
        # Named by what they synchronised, as the product import runs are.
        self.assertEqual(
            set(runs.mapped("name")), {f"Products from {self.backend.name}"}
        )
        self.assertEqual(sum(runs.mapped("updated")), 3)
        self.assertEqual(sum(runs.mapped("fetched")), 3)
        self.assertEqual(sum(runs.mapped("http_calls")), self.single_gets() - before)
        self.assertEqual(sum(runs.mapped("http_calls")), 3)
        prices = {
            b.external_id: b.list_price
            for b in self.Binding.search([("external_id", "in", ("2", "3", "4"))])
        }
        self.assertEqual(prices, {"2": 20.0, "3": 30.0, "4": 40.0})
        for run in runs:
            self.assertEqual(run.job_ids.method_name, "_process")

    def test_refused_delivery_is_counted_without_its_body(self):
        url = f"/myconnector/webhook/{self.backend.webhook_token}"
        response = self.url_open(
            url,
            data=b'{"type": "product.updated", "secret-ish": "do-not-keep"}',
            headers={
                "Content-Type": "application/json",
                "webhook-id": "evt_x",
                "webhook-timestamp": "1",
                "webhook-signature": "v1,AAAA",
            },
        )
        self.assertEqual(response.status_code, 401)
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.webhook_refused_count, 1)
        self.assertIn(
            self.backend.webhook_refused_reason, ("stale_timestamp", "bad_signature")
        )
        self.assertNotIn("do-not-keep", self.backend.webhook_refused_reason)
        self.assertFalse(
            self.env["generic.webhook"].search([("delivery_id", "=", "evt_x")])
        )

    def post_signed(self, secret, url=None):
        body = json.dumps(
            {
                "id": f"evt_{uuid.uuid4().hex}",
                "type": "product.updated",
                "data": {"id": 2},
            }
        ).encode()
        headers = sign_standard_webhook(secret, f"msg_{uuid.uuid4().hex}", body)
        headers["Content-Type"] = "application/json"
        return self.url_open(
            url or f"/myconnector/webhook/{self.backend.webhook_token}",
            data=body,
            headers=headers,
        )

    def subscriptions(self):
        items = self.remote("GET", "/api/v1/webhooks")["data"]["items"]
        return {str(s["id"]): s for s in items}

    def test_secret_rotation_accepts_both_secrets_in_the_window(self):
        old_secret = self.backend.webhook_secret
        old_subscription = self.backend.webhook_subscription_id
        self.backend.action_rotate_webhook_secret()
        new_secret = self.backend.webhook_secret
        self.assertTrue(new_secret and new_secret != old_secret)
        subscriptions = self.subscriptions()
        self.assertNotIn(old_subscription, subscriptions)
        self.assertIn(self.backend.webhook_subscription_id, subscriptions)
        self.assertEqual(self.post_signed(new_secret).status_code, 202)
        self.assertEqual(self.post_signed(old_secret).status_code, 202)
        self.backend.webhook_secret_previous_until = fields.Datetime.now() - timedelta(
            seconds=1
        )
        self.assertEqual(self.post_signed(old_secret).status_code, 401)
        self.assertEqual(self.post_signed(new_secret).status_code, 202)

    def test_new_webhook_url_refuses_the_old_one(self):
        old_url = f"/myconnector/webhook/{self.backend.webhook_token}"
        old_subscription = self.backend.webhook_subscription_id
        self.backend.action_regenerate_webhook_token()
        secret = self.backend.webhook_secret
        self.assertEqual(self.post_signed(secret, url=old_url).status_code, 401)
        self.assertEqual(self.post_signed(secret).status_code, 202)
        subscriptions = self.subscriptions()
        self.assertNotIn(old_subscription, subscriptions)
        self.assertEqual(
            subscriptions[self.backend.webhook_subscription_id]["url"],
            self.backend.webhook_url,
        )

    def test_failed_event_is_a_failed_run_and_reprocess_fixes_it(self):
        self.remote(
            "POST", "/admin/corrupt", json={"product_id": 5, "fields": {"price": "n/a"}}
        )
        self.sandbox.wait_for_deliveries(timeout=20)
        run_jobs(self.env)
        run = self.webhook_runs()
        self.assertEqual(run.state, "failed")
        self.assertIn("product 5 has an invalid price 'n/a'", run.message)
        self.assertEqual(run.http_calls, 1)  # the GET that brought the bad data
        failure = run.failure_ids
        self.assertEqual(failure.webhook_id.state, "failed")

        # The fix is itself a webhook (its own run); Reprocess the failed one.
        self.remote("PATCH", "/api/v1/products/5", json={"price": "55.00"})
        self.sandbox.wait_for_deliveries(timeout=20)
        failure.action_retry()
        run_jobs(self.env)
        self.assertEqual(failure.state, "resolved")
        self.assertEqual(run.state, "done")
        self.assertEqual(
            self.Binding.search([("external_id", "=", "5")]).list_price, 55.0
        )
