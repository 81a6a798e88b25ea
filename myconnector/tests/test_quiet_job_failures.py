# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Failed jobs in the server log, run as queue_job's runner runs them
(``/queue_job/runjob`` over HTTP): an expected failure (a malformed remote
record, an unreachable host once its retries are spent, a 4xx from the
platform) is one WARNING line with its reason and no ERROR line; the job is
failed with that reason and its traceback, as before. The unexpected still
logs its traceback at ERROR."""

from unittest import mock

from odoo.tests import HttpCase, tagged

from .common import API_KEY, MyConnectorCase

QUIET_LOGGER = "odoo.addons.generic_connector.controllers.runjob"


@tagged("post_install", "-at_install")
class TestQuietJobFailures(HttpCase, MyConnectorCase):
    def enqueue_import(self, backend, external_id):
        job = self.Binding.with_delay(max_retries=1).import_record(backend, external_id)
        return job.db_record()

    def run_by_runner(self, job_record):
        """What queue_job's runner does: mark the job enqueued, then ask
        ``/queue_job/runjob`` to run it."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE queue_job SET state = 'enqueued' WHERE id = %s", (job_record.id,)
        )
        response = self.url_open(
            f"/queue_job/runjob?db={self.env.cr.dbname}&job_uuid={job_record.uuid}",
            timeout=60,
        )
        job_record.invalidate_recordset()
        return response

    def assertFailsQuietly(self, job_record, reason):
        with (
            self.assertLogs(QUIET_LOGGER, level="WARNING") as logged,
            self.assertNoLogs("odoo", level="ERROR"),
        ):
            response = self.run_by_runner(job_record)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(logged.records), 1, logged.output)
        line = logged.records[0].getMessage()
        self.assertNotIn("\n", line)
        self.assertIn(job_record.uuid, line)
        self.assertIn(reason, line)
        self.assertEqual(job_record.state, "failed")
        self.assertIn(reason, job_record.exc_message)
        self.assertIn("Traceback", job_record.exc_info)

    def test_malformed_record(self):
        self.remote(
            "POST", "/admin/corrupt", json={"product_id": 3, "fields": {"price": "n/a"}}
        )
        job = self.enqueue_import(self.backend, "3")
        self.assertFailsQuietly(job, "product 3 has an invalid price 'n/a'")
        self.assertFalse(self.bindings(), "the job's work is rolled back")

    def test_unreachable_host(self):
        down = self.backend.copy(
            {"name": "Down", "base_url": "http://127.0.0.1:9", "api_key": API_KEY}
        )
        job = self.enqueue_import(down, "3")
        self.assertFailsQuietly(job, "Max. retries (1) reached")

    def test_refused_by_the_platform(self):
        refused = self.backend.copy({"name": "Wrong key", "api_key": "wrong"})
        job = self.enqueue_import(refused, "3")
        self.assertFailsQuietly(job, "401")

    def test_the_unexpected_keeps_its_traceback(self):
        job = self.enqueue_import(self.backend, "3")
        with (
            mock.patch.object(
                type(self.env["generic.sync.run"]),
                "_for_key",
                side_effect=ZeroDivisionError("not expected"),
            ),
            self.assertLogs("odoo", level="ERROR") as logged,
        ):
            self.run_by_runner(job)
        self.assertIn("ZeroDivisionError", "\n".join(logged.output))
