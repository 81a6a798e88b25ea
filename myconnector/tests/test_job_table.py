# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The job table at a large catalogue's scale: done jobs removed on the
backend's schedule, stalled channels flagged, a dashboard whose cost does not
grow with the bindings (``generic.backend.jobs``, ``generic.backend.health``)."""

from collections import Counter
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools.sql import index_exists

from .common import MyConnectorCase

DASHBOARD_FIELDS = [
    "name",
    "base_url",
    "health_state",
    "health_reason",
    "connection_state",
    "jobs_retrying",
    "runs_failed_24h",
    "last_success_summary",
    "jobs_pending",
    "jobs_failed",
    "webhook_backlog",
    "webhook_failed",
    "throttled_24h",
    "drift_repaired",
    "drift_waiting",
    "product_binding_count",
    "customer_binding_count",
    "order_binding_count",
]


@tagged("post_install", "-at_install")
class TestJobTable(MyConnectorCase):
    seed_records = 2

    def job(self, state, age, channel=None, backend=None):
        """A job of ``backend`` in ``state``, created ``age`` ago and, when
        done, done then (never run: only its row matters here)."""
        backend = backend or self.backend
        channel = channel or backend._job_channel(self.Binding._name)
        record = backend.with_delay(channel=channel)._gc_done_jobs().db_record()
        moment = fields.Datetime.now() - age
        done = moment if state == "done" else None
        # queue_job's dates are its own (not writable through the ORM).
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE queue_job SET state = %s, date_created = %s, "
            "date_started = %s, date_done = %s WHERE id = %s",
            (state, moment, done, done, record.id),
        )
        record.invalidate_recordset()
        return record

    def test_done_jobs_past_the_retention_are_removed_fresh_ones_kept(self):
        other = self.env["myconnector.backend"].create(
            {"name": "Other", "base_url": self.sandbox.url, "job_retention_hours": 0}
        )
        self.backend.job_retention_hours = 24
        channel = self.backend._job_channel()
        old_done = self.job("done", timedelta(days=40))
        old_done_main = self.job("done", timedelta(hours=30), channel=channel)
        fresh_done = self.job("done", timedelta(hours=2))
        old_failed = self.job("failed", timedelta(days=40))
        old_pending = self.job("pending", timedelta(days=40))
        # A channel sharing the prefix is another backend's (backend_1 and
        # backend_12): not removed on this backend's setting.
        lookalike = self.job("done", timedelta(days=40), channel=f"{channel}0")
        other_old = self.job("done", timedelta(days=40), backend=other)
        # queue_job's autovacuum knows channels by their records' exact
        # names: the backends' own channels are not records, it keeps them.
        self.env["queue.job"].autovacuum()
        self.assertTrue(old_done.exists())

        removed = self.env["generic.backend.jobs"]._cron_gc_done_jobs()

        self.assertFalse(old_done.exists() or old_done_main.exists())
        kept = fresh_done | old_failed | old_pending | lookalike | other_old
        self.assertEqual(kept.exists(), kept)
        self.assertEqual(removed, 2)

    def test_a_channel_with_old_waiting_jobs_and_no_progress_is_flagged(self):
        self.backend.job_stall_minutes = 15
        channel = self.backend._job_channel(self.Binding._name)
        self.job("pending", timedelta(minutes=5))
        self.assertNotIn(channel, self.backend.health_reason or "")

        self.job("pending", timedelta(minutes=30))
        self.job("enqueued", timedelta(minutes=40))
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.health_state, "danger")
        self.assertIn(f"2 job(s) wait in {channel}", self.backend.health_reason)

        # A job of the channel ended a minute ago: it moves, slowly.
        self.job("done", timedelta(minutes=1))
        self.backend.invalidate_recordset()
        self.assertNotIn(channel, self.backend.health_reason or "")

        # Stalled again without it, unless the check is off.
        self.env["queue.job"].search([("state", "=", "done")]).unlink()
        self.backend.job_stall_minutes = 0
        self.backend.invalidate_recordset()
        self.assertNotIn(channel, self.backend.health_reason or "")

    def test_throttled_answers_of_the_last_day_summed_per_backend(self):
        Run, Tally = self.env["generic.sync.run"], self.env["generic.sync.run.tally"]
        other = self.env["myconnector.backend"].create(
            {"name": "Other", "base_url": self.sandbox.url}
        )
        now = fields.Datetime.now()
        for backend, hours, throttled in (
            (self.backend, 1, 2),
            (self.backend, 20, 3),
            (self.backend, 30, 5),  # older than a day
            (other, 1, 7),
        ):
            run = Run._start(backend, started_at=now - timedelta(hours=hours))
            Tally.create({"run_id": run.id, "key": "job", "throttled": throttled})
        self.assertEqual(self.backend.throttled_24h, 5)
        self.assertEqual(other.throttled_24h, 7)

    def test_bindings_are_found_by_their_odoo_record_through_an_index(self):
        # (backend_id, odoo_id) is unique, but a lookup by product alone
        # (the product's binding list) cannot use that index: at 100,000
        # products each chunk of an import read the whole binding table.
        for table in (
            "myconnector_product_template",
            "myconnector_product_product",
            "myconnector_res_partner",
        ):
            self.assertTrue(index_exists(self.env.cr, f"{table}__odoo_id_index"))

    def test_dashboard_queries_do_not_grow_with_the_bindings(self):
        self.make_bindings(10)
        small = self.dashboard_queries()
        self.make_bindings(190)
        self.assertEqual(self.backend.product_binding_count, 200)
        large = self.dashboard_queries()
        self.assertEqual(
            len(large),
            len(small),
            "\n".join((Counter(large) - Counter(small)).elements()),
        )

    def make_bindings(self, count):
        start = len(self.bindings())
        self.Binding.create(
            [
                {
                    "backend_id": self.backend.id,
                    "external_id": f"bulk-{start + index}",
                    "name": f"Product {start + index}",
                }
                for index in range(count)
            ]
        )

    def dashboard_queries(self):
        """SQL queries of the dashboard card and the backend form's counts,
        caches warm (read once before: what is left is the card's own)."""
        self.env["myconnector.backend"].browse(self.backend.ids).read(DASHBOARD_FIELDS)
        self.env.flush_all()
        self.env.invalidate_all()
        cursor = type(self.env.cr)
        queries = []
        execute = cursor.execute

        def logged(cr, query, params=None, log_exceptions=True):
            queries.append(getattr(query, "code", query))
            return execute(cr, query, params, log_exceptions)

        with patch.object(cursor, "execute", logged):
            self.env["myconnector.backend"].browse(self.backend.ids).read(
                DASHBOARD_FIELDS
            )
        return queries
