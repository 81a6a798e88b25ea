# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Chunk isolation: one bad record of a chunk fails alone, in its own job,
recorded as a failure of the run with its reason; the rest of the chunk is
imported."""

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.generic_connector.tests.common import MockAdapter

from .common import TestConnectorCase, tag


@tagged("post_install", "-at_install")
class TestChunkIsolation(TestConnectorCase):
    def assert_isolated(self, run, external_id, reason):
        """``external_id`` failed alone: the chunk job is done, the record's
        own job failed, and the run names it with ``reason``."""
        jobs = {job.method_name: job for job in run.job_ids}
        self.assertEqual(jobs["import_chunk"].state, "done")
        self.assertEqual(jobs["import_record"].state, "failed")
        self.assertEqual(run.failure_ids.mapped("external_id"), [external_id])
        self.assertIn(reason, run.failure_ids.reason)
        self.assertEqual((run.state, run.created, run.failed), ("partial", 2, 1))

    def test_malformed_record_fails_alone(self):
        bad = tag(2, "Bad date", updated_at="2026-13-40T99:99:99Z")
        adapter = MockAdapter(
            {"list": [tag(1, "Wholesale"), bad, tag(3, "Retail")], "get:2": bad}
        )
        run = self.import_tags(adapter)
        self.assertEqual(
            sorted(self.bindings().mapped("name")), ["Retail", "Wholesale"]
        )
        self.assert_isolated(run, "2", "invalid updated_at")

    def test_record_odoo_refuses_fails_alone_after_the_batch_create(self):
        """A record Odoo refuses (a tag needs a name) sinks the chunk's one
        ``create()``; its records are then imported one by one."""
        nameless = {"id": 2, "updated_at": "2026-01-01T00:00:00Z"}
        adapter = MockAdapter(
            {"list": [tag(1, "Wholesale"), nameless, tag(3, "Retail")], "get": nameless}
        )
        with mute_logger("odoo.sql_db"):
            run = self.import_tags(adapter)
        self.assertEqual(sorted(self.bindings().mapped("external_id")), ["1", "3"])
        self.assert_isolated(run, "2", "name")
