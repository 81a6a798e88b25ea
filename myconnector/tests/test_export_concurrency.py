# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Concurrency of exports, with real PostgreSQL transactions in parallel.

These tests open their own cursors (a second worker) and commit what they
must share; they clean it up afterwards.
"""

import threading
import time
import uuid

from psycopg2 import errors

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.connector.database import pg_try_advisory_lock
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from .common import MyConnectorCase


@tagged("post_install", "-at_install")
class TestExportConcurrency(MyConnectorCase):
    seed_records = 5

    def test_concurrent_claims_make_one_job(self):
        """Two workers write the same binding's price at once: the second
        waits on the marker's unique index and finds the first one's job
        (or gets a serialization failure, which Odoo retries); it never
        enqueues a second job."""
        key = f"list_price-{uuid.uuid4().hex}"
        outcome = []

        def second_worker():
            with self.registry.cursor() as cr2, mute_logger("odoo.sql_db"):
                env2 = api.Environment(cr2, SUPERUSER_ID, {})
                try:
                    outcome.append(
                        env2["generic.export.pending"]._claim(
                            env2["res.partner"].browse(424242), key
                        )
                    )
                except errors.SerializationFailure:
                    outcome.append("serialization failure")

        try:
            with self.registry.cursor() as cr1:
                env1 = api.Environment(cr1, SUPERUSER_ID, {})
                pending = env1["generic.export.pending"]
                marker = pending._claim(env1["res.partner"].browse(424242), key)
                self.assertTrue(marker)
                job = pending.with_delay()._release(None)
                pending._attach(marker, job.uuid)
                worker = threading.Thread(target=second_worker)
                worker.start()
                time.sleep(0.5)
                self.assertTrue(worker.is_alive(), "the second claim waits")
                cr1.commit()
            worker.join(10)
            self.assertEqual(len(outcome), 1)
            self.assertIn(outcome[0], (False, "serialization failure"))
        finally:
            with self.registry.cursor() as cr:
                cr.execute(
                    "DELETE FROM generic_export_pending WHERE fields_key = %s", [key]
                )
                cr.execute(
                    "DELETE FROM queue_job WHERE method_name = '_release'"
                    " AND model_name = 'generic.export.pending'"
                )

    def test_export_waits_for_the_record_lock(self):
        """An export job whose record another job is importing retries."""
        # Bound by hand: an import would take the lock in this transaction.
        remote = self.remote("GET", "/api/v1/products/2")["data"]
        binding = self.Binding.with_context(connector_no_export=True).create(
            {
                "name": remote["title"],
                "backend_id": self.backend.id,
                "external_id": "2",
                "remote_updated_at": remote["updated_at"],
            }
        )
        self.env["product.template"].browse(binding.odoo_id.id).list_price = 9.5
        job = self.env["queue.job"].search([("method_name", "=", "export_record")])
        lock = f"import({self.backend._name},{self.backend.id},{self.Binding._name},2)"
        with self.registry.cursor() as other:
            env = api.Environment(other, SUPERUSER_ID, {})
            self.assertTrue(pg_try_advisory_lock(env, lock))
            with self.assertRaises(RetryableJobError), self.env.cr.savepoint():
                Job.load(self.env, job.uuid).perform()
            other.rollback()
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertEqual(
            self.remote("GET", "/api/v1/products/2")["data"]["price"], "9.50"
        )
