# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A binding's timeline against the sandbox, with the real jobs: every
version an import applied (created, updated with its diff, never a skip),
bounded per binding and by age, and *Replay* of a stored payload."""

import json
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import MyConnectorCase


@tagged("post_install", "-at_install")
class TestTimeline(MyConnectorCase):
    seed_records = 6

    def setUp(self):
        super().setUp()
        self.backend.action_import_products()
        self.run_jobs()
        self.binding = self.bindings().filtered(lambda b: b.external_id == "3")

    def versions(self, binding=None):
        binding = binding or self.binding
        return self.env["generic.binding.version"].search(
            [("binding_model", "=", binding._name), ("binding_id", "=", binding.id)]
        )

    def change_price(self, price):
        self.remote("PATCH", "/api/v1/products/3", json={"price": price})
        self.Binding.import_record(self.backend, "3")

    def test_a_created_binding_has_its_first_version(self):
        run = self.env["generic.sync.run"].search([])
        self.assertEqual(len(run), 1)
        for binding in self.bindings():
            version = self.versions(binding)
            self.assertEqual(len(version), 1, binding.external_id)
            self.assertEqual(version.outcome, "created")
            self.assertEqual(version.run_id, run)
            self.assertEqual(version.company_id, self.backend.company_id)
            self.assertEqual(
                json.loads(version.payload)["id"], int(binding.external_id)
            )
            diff = json.loads(version.diff)
            self.assertEqual(diff["name"], [None, binding.name])
            self.assertEqual(diff["list_price"], [None, round(binding.list_price, 2)])
            self.assertEqual(len(version.digest), 64)
        self.assertEqual(self.binding.version_count, 1)

    def test_an_update_records_what_changed_and_a_skip_nothing(self):
        old_price = round(self.binding.list_price, 2)
        self.change_price("123.45")
        newest, first = self.versions()
        self.assertEqual(newest.outcome, "updated")
        self.assertEqual(json.loads(newest.diff), {"list_price": [old_price, 123.45]})
        self.assertEqual(newest.changed_fields, "Sales Price")
        self.assertIn("Sales Price: %s → 123.45" % old_price, newest.diff_text)
        self.assertNotEqual(newest.digest, first.digest)
        self.assertEqual(json.loads(newest.payload)["price"], "123.45")
        # Not newer: skipped, and the timeline does not move.
        message = self.Binding.import_record(self.backend, "3")
        self.assertIn("Skipped", message)
        self.assertEqual(len(self.versions()), 2)

    def test_the_timeline_keeps_the_newest_versions_only(self):
        self.backend.timeline_size = 3
        for cents in range(5):
            self.change_price(f"50.0{cents}")
        versions = self.versions()
        self.assertEqual(len(versions), 3)
        self.assertEqual(
            [json.loads(v.payload)["price"] for v in versions],
            ["50.04", "50.03", "50.02"],
        )
        # The other bindings' timelines are untouched.
        self.assertEqual(len(self.versions(self.bindings()[0])), 1)

    def test_versions_past_their_retention_are_removed(self):
        self.change_price("77.00")
        first = self.versions()[-1]
        self.env.cr.execute(
            "UPDATE generic_binding_version SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=91), first.id),
        )
        self.env["generic.binding.version"].invalidate_model()
        self.assertEqual(self.env["generic.binding.version"]._gc(), 1)
        self.assertEqual(len(self.versions()), 1)
        self.assertFalse(first.exists())

    def test_replay_feeds_a_stored_payload_to_the_importer_again(self):
        old_price = round(self.binding.list_price, 2)
        first = self.versions()
        self.change_price("99.99")
        self.assertAlmostEqual(self.binding.list_price, 99.99)
        first.action_replay()
        self.run_jobs()
        self.assertEqual(first.replay_state, "done")
        self.assertIn("Updated 3", first.replay_result)
        self.assertAlmostEqual(self.binding.list_price, old_price)
        replay = self.versions()[0]
        self.assertEqual(replay.replay_of_id, first)
        self.assertEqual(replay.payload, first.payload)
        self.assertEqual(json.loads(replay.diff), {"list_price": [99.99, old_price]})
        # The next import brings the newest remote state back.
        self.Binding.import_record(self.backend, "3")
        self.assertAlmostEqual(self.binding.list_price, 99.99)
