# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What an admin runs a shop with: full re-import, inbox retention,
refusals counted, timestamps as dates."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import MyConnectorCase


@tagged("post_install", "-at_install")
class TestOperations(MyConnectorCase):
    seed_records = 6

    def test_full_reimport_applies_every_product_again(self):
        self.backend.action_import_products()
        self.run_jobs()
        self.assertTrue(self.backend.products_imported_until)
        # Odoo drifted from the remote (a restored remote, a local edit):
        # an incremental import sees nothing, a full re-import fixes it.
        binding = self.bindings()[:1]
        binding.list_price = 999.0
        self.backend.action_import_products()
        self.run_jobs()
        self.assertEqual(binding.list_price, 999.0)
        self.backend.action_reimport_products()
        run = self.env["generic.sync.run"].search([], limit=1)
        self.assertFalse(run.watermark_before)
        self.run_jobs()
        self.assertEqual((run.state, run.fetched, run.updated), ("done", 6, 6))
        remote = self.remote_products()[binding.external_id]
        self.assertAlmostEqual(binding.list_price, float(remote["price"]))
        self.assertTrue(self.backend.products_imported_until_at)
        self.assertEqual(
            binding.remote_updated_at_dt,
            fields.Datetime.to_datetime(remote["updated_at"][:19].replace("T", " ")),
        )

    def test_inbox_retention_keeps_failed_events(self):
        Inbox = self.env["generic.webhook"]
        now = fields.Datetime.now()

        def event(delivery_id, state, days):
            return Inbox.create(
                {
                    "backend_model": self.backend._name,
                    "backend_id": self.backend.id,
                    "delivery_id": delivery_id,
                    "event_type": "product.updated",
                    "payload": '{"id": "%s", "data": {"id": 1}}' % delivery_id,
                    "state": state,
                    "received_at": now - timedelta(days=days),
                }
            )

        old_done, old_failed, recent_done = (
            event("a", "done", 40),
            event("b", "failed", 400),
            event("c", "done", 3),
        )
        self.assertIn('\n  "data": {\n    "id": 1\n  }', old_done.payload_pretty)
        self.assertEqual(Inbox._gc(), 1)
        self.assertFalse(old_done.exists())
        self.assertTrue(old_failed.exists() and recent_done.exists())
        self.backend.webhook_retention_days = 2
        self.assertEqual(Inbox._gc(), 1)
        self.assertFalse(recent_done.exists())

    def test_chatter_notes_a_credential_change_but_never_its_value(self):
        backend = self.backend.with_context(tracking_disable=False)
        backend.write({"page_size": 25, "api_key": "new-secret-key"})
        bodies = " ".join(backend.message_ids.mapped("body"))
        self.assertIn("Credentials changed: API Key / Token", bodies)
        self.assertNotIn("new-secret-key", bodies)

    def test_chatter_tells_what_changed_once(self):
        # A transaction of its own, as the admin's: the class's set-up created
        # the backend without tracking, which discards it until a commit.
        self.env.cr.precommit.clear()
        backend = self.backend.with_context(tracking_disable=False)
        backend.write({"api_key": "key-1", "password": "pw-1"})
        notes = backend.message_ids
        # The same credentials written again (each start of the demo) and
        # configuration changes: the configuration is tracked, the
        # credentials are not noted a second time.
        backend.write(
            {
                "api_key": "key-1",
                "product_protocol": "graphql",
                "rate_limit_requests": 7,
                "order_confirm_statuses": "paid",
            }
        )
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking is written at commit
        backend.invalidate_recordset(["message_ids"])
        new = backend.message_ids - notes
        self.assertEqual(
            sorted(new.tracking_value_ids.field_id.mapped("name")),
            ["order_confirm_statuses", "product_protocol", "rate_limit_requests"],
        )
        self.assertNotIn("Credentials changed", " ".join(new.mapped("body")))
        backend.write({"api_key": "key-2", "password": "pw-1"})
        backend.invalidate_recordset(["message_ids"])
        bodies = (backend.message_ids - notes - new).mapped("body")
        self.assertEqual(len(bodies), 1)
        self.assertIn("Credentials changed: API Key / Token", bodies[0])
        self.assertNotIn("Password", bodies[0])

    def test_refusals_are_counted_and_flagged(self):
        self.backend.action_import_products()
        self.run_jobs()
        self.backend._webhook_note_refusal("bad_signature")
        self.backend._webhook_note_refusal("stale_timestamp")
        self.assertEqual(self.backend.webhook_refused_count, 2)
        self.assertEqual(self.backend.webhook_refused_reason, "stale_timestamp")
        self.assertTrue(self.backend.webhook_refused_at)
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.health_state, "warning")
        self.assertIn("refused (2 in all)", self.backend.health_reason)
        self.assertIn("stale_timestamp", self.backend.health_reason)
