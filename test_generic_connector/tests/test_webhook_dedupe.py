# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The webhook inbox's deduplication: a delivery id received twice is one
``generic.webhook`` row and one job, whether the second delivery comes after
the first or at the same time, in another transaction (the unique
constraint, not a job's identity key, decides)."""

import threading
import time
import uuid

from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .common import TestConnectorCase

# The backend of the deliveries received in transactions of their own: no
# row is needed (the inbox points at its backend by model and id), so
# nothing but the deliveries must be committed, and cleaned up.
OTHER_BACKEND_ID = 424242


@tagged("post_install", "-at_install")
class TestWebhookDedupe(TestConnectorCase):
    def receive(self, env, backend, delivery_id):
        return env["generic.webhook"]._receive(
            backend, delivery_id, "tag.updated", b'{"id": 5}', {}
        )

    def test_redelivery_is_one_row_and_one_job(self):
        first, created = self.receive(self.env, self.backend, "dlv-1")
        again, created_again = self.receive(self.env, self.backend, "dlv-1")
        self.assertEqual((created, created_again), (True, False))
        self.assertEqual(again, first)
        self.assertEqual(first.delivery_count, 2)
        inbox = self.env["generic.webhook"].search(
            [("backend_model", "=", self.backend._name), ("delivery_id", "=", "dlv-1")]
        )
        self.assertEqual(len(inbox), 1)
        self.assertEqual(len(inbox.job_id), 1)

    def test_simultaneous_deliveries_make_one_row(self):
        """The second transaction waits on the first one's row, then finds
        it: one row, two receipts, one job."""
        delivery_id = f"dlv-{uuid.uuid4().hex}"
        outcome = []

        def second_delivery():
            with self.registry.cursor() as cr2:
                cr2._cnx.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
                env2 = api.Environment(cr2, SUPERUSER_ID, {})
                backend = env2[self.backend._name].browse(OTHER_BACKEND_ID)
                outcome.append(self.receive(env2, backend, delivery_id)[1])

        try:
            with self.registry.cursor() as cr1:
                cr1._cnx.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
                env1 = api.Environment(cr1, SUPERUSER_ID, {})
                backend = env1[self.backend._name].browse(OTHER_BACKEND_ID)
                self.assertTrue(self.receive(env1, backend, delivery_id)[1])
                worker = threading.Thread(target=second_delivery)
                worker.start()
                time.sleep(0.5)
                self.assertTrue(worker.is_alive(), "the second delivery waits")
                cr1.commit()
            worker.join(10)
            self.assertEqual(outcome, [False])
            with self.registry.cursor() as cr:
                cr.execute(
                    "SELECT count(*), count(job_id), "
                    "(SELECT count(*) FROM generic_webhook_receipt r "
                    " JOIN generic_webhook w ON w.id = r.webhook_id "
                    " WHERE w.delivery_id = %s) "
                    "FROM generic_webhook WHERE delivery_id = %s",
                    [delivery_id, delivery_id],
                )
                self.assertEqual(cr.fetchone(), (1, 1, 2))
        finally:
            with self.registry.cursor() as cr:
                cr.execute(
                    "WITH gone AS (DELETE FROM generic_webhook WHERE delivery_id = %s "
                    "RETURNING job_id) DELETE FROM queue_job "
                    "WHERE id IN (SELECT job_id FROM gone)",
                    [delivery_id],
                )
