# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The rule of a missed webhook (``_webhook_note_misses``), on the inbox as
it is: a delivery about the record since its change (give or take the clock
skew) means the webhook arrived, whatever its state."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.generic_connector.models.generic_webhook_miss import CLOCK_SKEW

from ..models.test_generic_backend import CATEGORY_MODEL
from .common import TestConnectorCase

CHANGED_AT = "2026-03-01T12:00:00.000000Z"
CHANGED = fields.Datetime.to_datetime("2026-03-01 12:00:00")


def subjects(self, model_name, external_ids):
    return {i: f"tag:{i}" for i in external_ids}


@tagged("post_install", "-at_install")
class TestMissedWebhooks(TestConnectorCase):
    def setUp(self):
        super().setUp()
        patcher = patch.object(type(self.backend), "_webhook_record_subjects", subjects)
        patcher.start()
        self.addCleanup(patcher.stop)

    def deliver(self, external_id, received_at, state="done"):
        self.env["generic.webhook"].create(
            {
                "backend_model": self.backend._name,
                "backend_id": self.backend.id,
                "delivery_id": f"d-{external_id}-{received_at}",
                "subject": f"tag:{external_id}",
                "received_at": received_at,
                "state": state,
            }
        )

    def missed(self):
        misses = self.env["generic.webhook.miss"].search(
            [("backend_model", "=", self.backend._name)]
        )
        return sorted(misses.mapped("external_id"))

    def test_a_delivery_since_the_change_is_no_miss_whatever_its_state(self):
        self.deliver("1", CHANGED - CLOCK_SKEW - timedelta(minutes=1))  # older
        self.deliver("2", CHANGED - CLOCK_SKEW + timedelta(minutes=1))  # skew
        self.deliver("3", CHANGED + timedelta(minutes=1), state="pending")
        self.deliver("4", CHANGED + timedelta(minutes=1), state="failed")
        changes = dict.fromkeys(("1", "2", "3", "4", "5"), CHANGED_AT)
        count = self.backend._webhook_note_misses(CATEGORY_MODEL, changes)
        self.assertEqual(count, 2)
        self.assertEqual(self.missed(), ["1", "5"])
        # A job run twice notes a change once.
        self.assertEqual(self.backend._webhook_note_misses(CATEGORY_MODEL, changes), 0)
        self.assertEqual(self.missed(), ["1", "5"])

    def test_a_deletion_is_judged_from_the_runs_watermark(self):
        run = self.env["generic.sync.run"]._start(
            self.backend, watermark_before=CHANGED_AT
        )
        self.deliver("1", CHANGED + timedelta(minutes=3))
        changes = {"1": None, "2": None}
        self.assertEqual(
            self.backend._webhook_note_misses(CATEGORY_MODEL, changes, run), 1
        )
        self.assertEqual(self.missed(), ["2"])
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.webhook_missed_24h, 1)
        self.assertEqual(self.backend.health_state, "warning")
        self.assertIn("never arrived as webhooks", self.backend.health_reason)

    def test_a_backend_expecting_no_webhook_misses_none(self):
        patch.stopall()
        changes = {"1": CHANGED_AT}
        self.assertEqual(self.backend._webhook_note_misses(CATEGORY_MODEL, changes), 0)
        self.assertEqual(self.missed(), [])

    def test_a_user_of_another_company_reads_none(self):
        changes = {"1": CHANGED_AT}
        self.backend._webhook_note_misses(CATEGORY_MODEL, changes)
        other = self.env["res.company"].create({"name": "Other company"})
        user = self.env["res.users"].create(
            {
                "name": "Other connector user",
                "login": "other-connector-user",
                "company_id": other.id,
                "company_ids": [(6, 0, other.ids)],
                "groups_id": [
                    (
                        4,
                        self.env.ref(
                            "generic_connector.generic_connector_group_user"
                        ).id,
                    )
                ],
            }
        )
        Miss = self.env["generic.webhook.miss"]
        self.assertEqual(len(Miss.search([])), 1)
        self.assertFalse(Miss.with_user(user).search([]))
