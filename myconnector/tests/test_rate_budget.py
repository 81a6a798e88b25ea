# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The shared rate budget and OAuth2 token, seen from Odoo.

Cross-process behaviour (several workers on one bucket, a token shared by
four processes) is tested in ``tests/transport/test_shared_budget.py``; here,
the backend wires them into every call, under a job's open transaction.
"""

import logging

from odoo.sql_db import connection_info_for
from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import run_job
from odoo.addons.generic_connector.transport import PgBucketStore, PgConnection

from .common import MyConnectorCase


class LogCapture(logging.Handler):
    """Every record of the transport, HTTP and job loggers, at DEBUG."""

    names = ("generic_connector", "odoo.addons", "urllib3", "requests")

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))

    def __enter__(self):
        self._saved = []
        for name in self.names:
            logger = logging.getLogger(name)
            self._saved.append((logger, logger.level))
            logger.setLevel(logging.DEBUG)
            logger.addHandler(self)
        return self

    def __exit__(self, *exc):
        for logger, level in self._saved:
            logger.removeHandler(self)
            logger.setLevel(level)


@tagged("post_install", "-at_install")
class TestRateBudget(MyConnectorCase):
    seed_records = 30

    def setUp(self):
        super().setUp()
        self.sandbox.app.limiter.configure(limit=1200, window=60)
        self.sandbox.faults.clear()
        self.addCleanup(self.sandbox.faults.clear)

    def statuses(self):
        return self.remote("GET", "/admin/stats")["statuses"]

    def test_budget_under_a_job_transaction_with_the_backend_row_locked(self):
        """A job holding the backend's row (it wrote the watermark) does not
        stall the budget: the store takes tokens in its own connection, whose
        lock_timeout (2 s) would raise on any wait for this transaction."""
        self.sandbox.app.limiter.configure(limit=4, window=60)
        self.backend.write(
            {"rate_limit_requests": 4, "rate_limit_window": 60, "rate_limit_burst": 3}
        )
        self.backend.products_imported_until = "2000-01-01T00:00:00.000000Z"
        self.env.flush_all()  # the row is now locked until the test ends
        client = self.backend._transport_client()
        for product in (1, 2, 3):
            client.get_json(f"/api/v1/products/{product}")
        # Another worker, its own connection, while this "job" is still open
        # after drawing from the bucket: a take that had run in the job's
        # cursor would hold the row until the job ends, and this one would
        # fail on its 200 ms lock_timeout.
        params = connection_info_for(self.env.cr.dbname)[1]
        other = PgBucketStore(PgConnection(lock_timeout_ms=200, **params))
        key = self.backend._rate_limit_key()
        self.assertGreater(other.take(key, 3.0, 1 / 60), 0)
        other.connection.close()
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.rate_limit_remaining, 1)
        self.assertEqual(self.backend.rate_limit_seen_limit, 4)
        self.assertTrue(self.backend.rate_limit_seen_at)
        self.assertNotIn("429", self.statuses())

    def test_import_in_the_backend_channel_within_budget(self):
        self.sandbox.app.limiter.configure(limit=5, window=1)
        self.backend.write(
            {"rate_limit_requests": 5, "rate_limit_window": 1, "page_size": 3}
        )
        self.backend.action_import_products()
        outcomes = self.run_jobs()
        self.assertEqual(outcomes["failed"], 0)
        self.assertEqual(len(self.bindings()), 30)
        # Eleven calls at 3 a second: they waited, the remote never said 429.
        self.assertNotIn("429", self.statuses())
        self.backend.invalidate_recordset()
        self.assertGreater(self.backend.rate_limit_waited, 0)
        channels = set(self.env["queue.job"].search([]).mapped("channel"))
        self.assertEqual(
            channels, {f"root.myconnector.backend_{self.backend.id}.products"}
        )

    def test_retry_after_reschedules_the_job_and_shows_on_the_backend(self):
        self.sandbox.faults.set_rules(
            [
                {
                    "pattern": "GET /api/v1/products",
                    "rate_limit_rate": 1,
                    "retry_after": 30,
                }
            ]
        )
        self.backend.write({"rate_limit_requests": 100, "rate_limit_window": 1})
        self.backend.action_import_products()
        job = self.env["queue.job"].search([("method_name", "=", "_import_products")])
        self.assertEqual(run_job(job), "retried")
        self.assertEqual(job.state, "pending")
        self.assertIn("asked to wait 30s", job.result)
        # Every worker is now held back: nothing is sent, the job waits.
        served = self.remote("GET", "/admin/stats")["requests"]
        self.assertEqual(run_job(job), "retried")
        self.assertEqual(self.remote("GET", "/admin/stats")["requests"], served)
        self.assertGreater(job.eta, job.date_created)
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.rate_limit_rescheduled, 1)


@tagged("post_install", "-at_install")
class TestOAuth2Backend(MyConnectorCase):
    seed_records = 40

    def setUp(self):
        super().setUp()
        self.issued = []
        auth = self.sandbox.app.auth
        issue = auth.issue_token

        def issue_and_record(*args, **kwargs):
            token = issue(*args, **kwargs)
            self.issued.append(token["access_token"])
            return token

        auth.issue_token = issue_and_record
        self.addCleanup(setattr, auth, "issue_token", issue)
        self.addCleanup(setattr, auth, "token_ttl", auth.token_ttl)
        self.backend.write(
            {
                "auth_type": "oauth2",
                "oauth_token_url": self.sandbox.url + "/oauth/token",
                "oauth_client_id": "demo-client",
                "oauth_client_secret": "demo-secret",
                "page_size": 5,
                "import_chunk_size": 5,
            }
        )

    def test_import_across_expiries_and_a_revocation_never_shows_the_token(self):
        auth = self.sandbox.app.auth
        auth.token_ttl = 1  # refreshed every half second
        self.sandbox.faults.set_rules(
            [{"pattern": "GET /api/v1/products", "latency_ms": 150}]
        )
        self.addCleanup(self.sandbox.faults.clear)
        with LogCapture() as logs:
            self.backend.action_import_products()
            outcomes = self.run_jobs()
            # Revoked before its expiry: the next call gets a 401, refreshes
            # once and goes on.
            auth._tokens.clear()
            self.backend._transport_client().get_json("/api/v1/products/1")
        self.assertEqual(outcomes["failed"], 0)
        self.assertEqual(len(self.bindings()), 40)
        # Eight pages over ~1.2 s: a few tokens, fetched as they expired.
        self.assertGreaterEqual(len(self.issued), 3)
        self.assertLess(len(self.issued), 12)
        self.assertEqual(
            self.remote("GET", "/admin/stats")["tokens_issued"], len(self.issued)
        )
        self.assertTrue(logs.lines)
        jobs = self.env["queue.job"].search([])
        stored = " ".join(
            str(job[name])
            for job in jobs
            for name in ("args", "kwargs", "result", "exc_info", "exc_message")
        )
        for token in self.issued:
            self.assertFalse([line for line in logs.lines if token in line])
            self.assertNotIn(token, stored)
