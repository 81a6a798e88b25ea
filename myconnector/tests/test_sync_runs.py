# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The sync run log against the sandbox, with the real jobs: what each run
says it did is what the sandbox served and what Odoo holds."""

import functools
import time
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import run_job
from odoo.addons.queue_job.exception import RetryableJobError

from .common import MyConnectorCase


@tagged("post_install", "-at_install")
class TestSyncRuns(MyConnectorCase):
    seed_records = 60

    def served(self):
        """Product API requests the sandbox served so far, by path."""
        stats = self.remote("GET", "/admin/stats")["requests"]
        return {k: v for k, v in stats.items() if k.startswith("GET /api/v1/products")}

    def calls_since(self, before):
        after = self.served()
        return sum(after.values()) - sum(before.values())

    def runs(self):
        return self.env["generic.sync.run"].search(
            [
                ("backend_model", "=", self.backend._name),
                ("backend_id", "=", self.backend.id),
            ]
        )

    def test_button_run_then_cron_run_count_what_happened(self):
        before = self.served()
        self.backend.action_import_products()
        run = self.runs()
        self.assertEqual(len(run), 1)
        self.assertEqual((run.trigger, run.state), ("button", "running"))
        self.run_jobs()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.resource, "myconnector.product.template")
        self.assertEqual(run.protocol, "rest")
        # 60 products on one page of 100, in two chunks of 50.
        self.assertEqual(self.calls_since(before), 1)
        self.assertEqual(run.http_calls, 1)
        self.assertEqual((run.fetched, run.created, run.updated), (60, 60, 0))
        self.assertEqual((run.skipped, run.failed, run.retries), (0, 0, 0))
        self.assertEqual(len(self.bindings()), run.created)
        self.assertFalse(run.watermark_before)
        self.assertEqual(run.watermark_after, self.backend.products_imported_until)
        self.assertEqual(
            sorted(run.job_ids.mapped("method_name")),
            ["_import_products", "_sync_finalize", "import_chunk", "import_chunk"],
        )
        self.assertTrue(run.ended_at and run.duration >= 0)

        # Three products change remotely; the scheduled run reads only them.
        for external_id in ("4", "5", "6"):
            self.remote(
                "PATCH", f"/api/v1/products/{external_id}", json={"price": "9.99"}
            )
        # A run's watermark is the remote's Date header, to the second: let
        # the remote's clock tick past the first run's, however fast it was.
        time.sleep(1.01 - time.time() % 1)
        before = self.served()
        self.env.ref("myconnector.ir_cron_import_products").method_direct_trigger()
        cron_run = self.runs() - run
        self.assertEqual(cron_run.trigger, "cron")
        self.run_jobs()
        self.assertEqual(cron_run.state, "done", cron_run.message)
        self.assertEqual(cron_run.watermark_before, run.watermark_after)
        self.assertEqual(self.calls_since(before), cron_run.http_calls)
        self.assertEqual(
            (cron_run.fetched, cron_run.updated, cron_run.created), (3, 3, 0)
        )
        self.assertEqual(
            self.bindings()
            .filtered(lambda b: b.list_price == 9.99)
            .mapped("external_id"),
            ["4", "5", "6"],
        )
        self.assertGreater(cron_run.watermark_after, run.watermark_after)
        self.assertTrue(cron_run.watermark_after_at)

    def test_the_run_ends_when_its_last_job_ends(self):
        self.backend.action_import_products()
        run = self.runs()
        run_job(run.job_ids)  # the driver: two chunks and the finaliser
        finalize = run.job_ids.filtered(lambda j: j.method_name == "_sync_finalize")
        # The finaliser runs first: it waits for the chunks, ten seconds.
        self.assertEqual(run_job(finalize), "retried")
        self.assertGreater(finalize.eta, fields.Datetime.now())
        first, last = run.job_ids.filtered(lambda j: j.method_name == "import_chunk")
        run_job(first)
        self.assertGreater(finalize.eta, fields.Datetime.now())
        # The last chunk ends: the finaliser is due at once, not in 10 s.
        run_job(last)
        self.assertFalse(finalize.eta)
        self.assertEqual(run_job(finalize), "done")
        self.assertEqual(run.state, "done", run.message)

    def test_partial_run_names_the_record_then_retry_makes_it_done(self):
        start = self.served()
        self.remote(
            "POST", "/admin/corrupt", json={"product_id": 7, "fields": {"price": "n/a"}}
        )
        self.backend.action_import_products()
        self.run_jobs()
        run = self.runs()
        self.assertEqual(run.state, "partial")
        self.assertEqual((run.fetched, run.created, run.failed), (60, 59, 1))
        failure = run.failure_ids
        self.assertEqual(failure.external_id, "7")
        self.assertIn("product 7 has an invalid price 'n/a'", failure.reason)
        self.assertEqual(failure.state, "open")
        self.assertIn("7: MyConnector product 7 has an invalid price", run.message)
        # The watermark does not move past a record that did not import.
        self.assertFalse(self.backend.products_imported_until)
        self.assertFalse(run.watermark_after)
        self.assertIn("partial", self.backend.message_ids[:1].body.lower())

        # A retry before the remote is fixed fails again, and says so.
        failure.action_retry()
        self.run_jobs()
        self.assertEqual((run.state, failure.state), ("partial", "open"))
        self.assertFalse(self.backend.products_imported_until)

        # Fixed remotely, Retry: the record imports, the run is done, and only
        # now the watermark moves.
        before = self.served()
        self.remote("PATCH", "/api/v1/products/7", json={"price": "12.50"})
        failure.action_retry()
        self.run_jobs()
        self.assertEqual(failure.state, "resolved")
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual((run.created, run.failed), (60, 0))
        self.assertEqual(
            self.Binding.search([("external_id", "=", "7")]).list_price, 12.5
        )
        self.assertTrue(run.watermark_after)
        self.assertEqual(self.backend.products_imported_until, run.watermark_after)
        # The retry's one GET of product 7 is counted in the run, and so are
        # those of the attempts that failed (rolled back): the page, then a
        # GET of product 7 by its isolated job, by the retry that failed
        # again, by the retry that imported it.
        self.assertEqual(self.calls_since(before), 1)
        self.assertEqual(run.http_calls, self.calls_since(start))
        self.assertEqual(run.http_calls, 1 + 3)

    def test_wrong_api_key_fails_the_run_with_a_reason_on_the_backend(self):
        self.backend.api_key = "wrong-key"
        self.backend.action_import_products()
        self.run_jobs()
        run = self.runs()
        self.assertEqual(run.state, "failed")
        self.assertIn("refused our credentials (401 Unauthorized)", run.message)
        self.assertIn("check the backend's credentials", run.message)
        self.assertNotIn("wrong-key", run.message)
        self.assertEqual(self.backend.connection_state, "failed")
        self.assertEqual(self.backend.connection_message, run.message)
        self.assertIn("credentials", self.backend.message_ids[:1].body)
        # The dashboard flags it after this one run, with the reason.
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.health_state, "danger")
        self.assertIn("refused our credentials", self.backend.health_reason)
        self.assertEqual(self.backend.runs_failed_24h, 1)

        # Fixed, the next run succeeds and the backend is healthy again.
        self.backend.api_key = "demo-api-key"
        self.backend.action_import_products()
        self.run_jobs()
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.connection_state, "ok")
        self.assertEqual(self.backend.health_state, "ok", self.backend.health_reason)
        self.assertEqual(
            self.backend.last_success_summary, "MyConnector Product: just now"
        )
        self.assertEqual(self.backend.sync_run_count, 2)
        self.assertEqual(self.backend.job_count, 1 + 4)
        for action in (
            self.backend.action_view_sync_runs(),
            self.backend.action_view_jobs(),
            self.backend.action_view_webhooks(),
        ):
            records = self.env[action["res_model"]].search(action["domain"])
            self.assertTrue(records or action["res_model"] == "generic.webhook")

    def test_refused_connection_reads_as_one_sentence(self):
        self.backend.write({"base_url": "http://127.0.0.1:9", "retry_max_attempts": 1})
        self.backend.action_import_products()
        self.run_jobs()
        run = self.runs()
        # Retried by the job (a restarting service comes back) until its
        # retries are spent; the message says what to check, without
        # urllib3's text, and does not call it temporary.
        self.assertEqual(run.state, "failed")
        self.assertIn(
            "Could not connect to the remote (connection refused)", run.message
        )
        self.assertIn("check the backend's base URL", run.message)
        self.assertNotIn("0x", run.message)
        self.assertNotIn("temporary", run.message)
        self.assertEqual(self.backend.connection_state, "failed")

    def test_outage_says_retrying_on_the_run_and_failing_on_the_backend(self):
        # The platform is down: nothing listens at its address.
        self.backend.write({"base_url": "http://127.0.0.1:9", "retry_max_attempts": 1})
        self.backend.action_reimport_products()
        run = self.runs()
        driver = run.job_ids
        self.assertEqual(len(driver), 1)
        # The job retries (a restarting service comes back), the run is still
        # running, and says why it does not move.
        self.assertEqual(run_job(driver), "retried")
        self.assertEqual(run_job(driver), "retried")
        self.env.invalidate_all()
        self.assertEqual(run.state, "running")
        self.assertEqual(run.http_calls, 0)
        # The dashboard card says the backend fails, with the reason...
        self.assertEqual(
            self.backend.health_state, "danger", self.backend.health_reason
        )
        self.assertIn("Could not connect to the remote", self.backend.health_reason)
        self.assertEqual(self.backend.jobs_retrying, 1)
        self.assertEqual(run.retries, 2)
        # ... and so does the run.
        self.assertIn("retrying", run.retry_message)
        self.assertIn(
            "Could not connect to the remote (connection refused)", run.retry_message
        )

        # The platform is back: the next attempt imports, all is well again.
        self.backend.base_url = self.sandbox.url
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.env.invalidate_all()
        self.assertEqual(run.state, "done")
        self.assertFalse(run.retry_message)
        self.assertEqual(self.backend.health_state, "ok", self.backend.health_reason)
        self.assertEqual(self.backend.jobs_retrying, 0)
        # Its driver ran three times: the run says it retried twice.
        self.assertEqual(run.retries, 2)

    def test_live_views_see_a_run_change(self):
        Run = self.env["generic.sync.run"]
        self.backend.action_import_products()
        run = self.runs()
        domain = [("id", "=", run.id)]
        started = Run.live_revision(domain)
        self.assertTrue(started["running"])
        self.assertEqual(Run.live_revision(domain), started)  # nothing moved
        run_job(run.job_ids)  # the driver: the run's first counts
        self.env.flush_all()
        moving = Run.live_revision(domain)
        self.assertNotEqual(moving["revision"], started["revision"])
        self.run_jobs()
        self.env.flush_all()
        ended = Run.live_revision(domain)
        self.assertFalse(ended["running"])
        self.assertNotEqual(ended["revision"], moving["revision"])
        # The dashboard's question: the runs of its backends.
        backends = [
            ("backend_model", "=", self.backend._name),
            ("backend_id", "in", self.backend.ids),
        ]
        self.assertEqual(Run.live_revision(backends), ended)

    def test_a_job_run_twice_counts_once(self):
        run = self.env["generic.sync.run"]._start(self.backend)
        in_job = run.with_context(job_uuid="job-1")
        in_job._tally(created=3, kind="record")
        in_job._tally(created=3, kind="record")  # at-least-once: a second run
        run.with_context(job_uuid="job-2")._tally(created=2)
        self.assertEqual(run.created, 5)
        self.assertEqual(len(run.tally_ids), 2)

    def test_retention_removes_old_runs_failed_ones_later(self):
        Run = self.env["generic.sync.run"]
        now = fields.Datetime.now()

        def run(state, days):
            return Run._start(
                self.backend, started_at=now - timedelta(days=days), state=state
            )

        old_done, old_failed, older_failed, recent = (
            run("done", 40),
            run("failed", 40),
            run("partial", 100),
            run("done", 2),
        )
        Run._gc()
        self.assertFalse(old_done.exists() or older_failed.exists())
        self.assertTrue(old_failed.exists() and recent.exists())


@tagged("post_install", "-at_install")
class TestRunCallCounts(MyConnectorCase):
    """A run's HTTP calls are what the remote served, attempts that rolled
    back included."""

    seed_records = 20

    def served(self):
        """Every API request the sandbox served so far (its own count)."""
        return sum(self.remote("GET", "/admin/stats")["requests"].values())

    def test_calls_of_rolled_back_attempts_count(self):
        # Each order chunk fails once after its work (and its calls: the
        # customers and products its orders need), as a deadlock would: the
        # attempt rolls back, its tally with it, and the chunk runs again.
        Orders = type(self.env["myconnector.sale.order"])
        import_chunk = Orders.import_chunk
        attempts = []

        @functools.wraps(import_chunk)  # jobs are enqueued by its name
        def fails_first(model, backend, records, run_key=None):
            result = import_chunk(model, backend, records, run_key=run_key)
            key = tuple(str(record.get("id")) for record in records)
            attempts.append(key)
            if attempts.count(key) == 1:
                raise RetryableJobError("injected rollback")
            return result

        before = self.served()
        with patch.object(Orders, "import_chunk", fails_first):
            self.backend.action_import_orders()
            outcomes = self.run_jobs()
        self.assertEqual(outcomes["failed"], 0)
        self.assertTrue(outcomes["retried"])
        run = self.env["generic.sync.run"].search(
            [("resource", "=", "myconnector.sale.order")]
        )
        self.assertEqual(run.state, "done", run.message)
        served = self.served() - before
        self.assertGreater(served, 1 + len(attempts))
        self.assertEqual(run.http_calls, served)
