# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Freshness and silence: a platform that stops sending webhooks is seen at
the next incremental run (missed webhooks, the health says why); lag is
measured from the inbox; each finished run logs one JSON line."""

import json
import logging
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import WebhookHttpCase

NOT_WEBHOOK_JOB = ("method_name", "!=", "_process")


@tagged("post_install", "-at_install")
class TestFreshness(WebhookHttpCase):
    seed_records = 20

    def setUp(self):
        super().setUp()
        self.backend.action_import_products()
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.products = sorted(self.remote_products(), key=int)

    def change(self, external_ids):
        for external_id in external_ids:
            self.remote(
                "PATCH", f"/api/v1/products/{external_id}", json={"price": "77.70"}
            )

    def misses(self):
        return self.env["generic.webhook.miss"].search(
            [("backend_model", "=", self.backend._name)]
        )

    def test_changes_without_webhooks_are_missed_and_the_health_says_why(self):
        # A first import reads what predates any subscription: no miss.
        self.assertFalse(self.misses())
        subscription = self.backend.webhook_subscription_id
        self.remote("DELETE", f"/api/v1/webhooks/{subscription}")
        # The platform outlives the test's rollback: subscribe it again.
        self.addCleanup(self.backend.action_register_webhook)
        changed = self.products[:10]
        self.change(changed)
        self.assertTrue(self.sandbox.wait_for_deliveries(timeout=20))
        self.assertFalse(self.inbox())

        self.backend.action_import_products()
        self.assertEqual(self.run_jobs()["failed"], 0)

        misses = self.misses()
        self.assertEqual(sorted(misses.mapped("external_id"), key=int), changed)
        self.assertEqual(
            set(misses.mapped("subject")), {f"product:{i}" for i in changed}
        )
        run = misses.run_id
        self.assertEqual(len(run), 1)
        self.assertEqual(run.updated, 10)
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.webhook_missed_24h, 10)
        self.assertEqual(self.backend.health_state, "warning")
        self.assertIn("10 change(s) found by sync runs", self.backend.health_reason)
        self.assertIn("never arrived as webhooks", self.backend.health_reason)
        self.assertIn(": 10", self.backend.webhook_missed_summary)
        self.assertIn("10 missed", self.backend.freshness_summary)
        action = self.backend.action_view_webhook_misses()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), misses)

        # The same run twice (at-least-once jobs) finds nothing more.
        self.backend.action_import_products()
        self.run_jobs()
        self.assertEqual(len(self.misses()), 10)

    def test_delivered_webhooks_are_not_missed_and_their_lag_is_measured(self):
        changed = self.products[:2]
        self.change(changed)
        self.assertTrue(self.sandbox.wait_for_deliveries(timeout=20))
        self.assertEqual(len(self.inbox()), 2)
        # The run reads the changes before the webhooks' jobs apply them:
        # they arrived, so nothing is missed.
        self.backend.action_import_products()
        self.assertEqual(self.run_jobs(domain=[NOT_WEBHOOK_JOB])["failed"], 0)
        self.assertEqual(self.snapshot()[changed[0]][1], 77.7)
        self.assertFalse(self.misses())

        self.run_jobs()
        self.backend.invalidate_recordset()
        self.assertEqual(set(self.inbox().mapped("state")), {"done"})
        self.assertTrue(self.backend.last_event_at)
        self.assertTrue(self.backend.last_applied_at)
        self.assertGreaterEqual(self.backend.webhook_lag_p95, 0)
        self.assertEqual(self.backend.health_state, "ok", self.backend.health_reason)

        # Events applied ten minutes after their arrival: past the threshold.
        self.inbox().write({"processed_at": fields.Datetime.now()})
        self.env.cr.execute(
            "UPDATE generic_webhook SET received_at = %s WHERE id = ANY(%s)",
            (fields.Datetime.now() - timedelta(minutes=10), self.inbox().ids),
        )
        self.backend.invalidate_recordset()
        self.assertAlmostEqual(self.backend.webhook_lag_p95, 600, delta=2)
        self.assertEqual(self.backend.health_state, "warning")
        self.assertIn("past the 300 s threshold", self.backend.health_reason)

    def test_a_finished_run_logs_one_json_line(self):
        self.change(self.products[:3])
        self.assertTrue(self.sandbox.wait_for_deliveries(timeout=20))
        self.backend.action_import_products()
        # logging.INFO: "INFO" is Odoo's level 25 in its tests.
        with self.assertLogs("generic_connector.sync_run", logging.INFO) as logs:
            self.run_jobs(domain=[NOT_WEBHOOK_JOB])
        lines = [json.loads(record.getMessage()) for record in logs.records]
        (line,) = (entry for entry in lines if entry["trigger"] != "webhook")
        self.assertEqual(line["event"], "sync_run_finished")
        self.assertEqual(line["state"], "done")
        self.assertEqual(line["resource"], "myconnector.product.template")
        self.assertEqual((line["updated"], line["created"]), (3, 0))
        self.assertGreater(line["http_calls"], 0)
