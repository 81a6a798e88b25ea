# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The finalising job of an import run: the watermark moves only when every
job of the run succeeded and the walk fetched what the remote announced."""

import dataclasses

from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import (
    MockAdapter,
    mock_adapter,
    run_jobs,
)

from .common import TestConnectorCase, tag

BEFORE = "2026-01-01T00:00:00.000000Z"


class ShortWalkAdapter(MockAdapter):
    """A remote whose pages hold one record less than the total it announces
    (records deleted while the walk ran, a page skipped)."""

    def iterate_pages(self, filters=None):
        for page in super().iterate_pages(filters):
            yield dataclasses.replace(page, total=len(page.items) + 1)


@tagged("post_install", "-at_install")
class TestSyncFinalize(TestConnectorCase):
    def setUp(self):
        super().setUp()
        self.backend.categories_imported_until = BEFORE

    def finalizer(self, run):
        return run.job_ids.filtered(lambda job: job.method_name == "_sync_finalize")

    def test_watermark_moves_when_every_job_succeeded(self):
        adapter = MockAdapter({"list": [tag(1, "Wholesale"), tag(2, "Retail")]})
        run = self.import_tags(adapter)
        self.assertEqual(adapter.calls, [("list", ({"updated_since": BEFORE},), {})])
        self.assertEqual(run.state, "done")
        self.assertGreater(self.backend.categories_imported_until, BEFORE)
        self.assertEqual(run.watermark_after, self.backend.categories_imported_until)

    def test_watermark_stays_while_a_job_failed_then_moves_once_fixed(self):
        bad = tag(2, "Bad date", updated_at="not a date")
        adapter = MockAdapter({"list": [tag(1, "Wholesale"), bad], "get:2": bad})
        run = self.import_tags(adapter)
        self.assertEqual(self.backend.categories_imported_until, BEFORE)
        self.assertFalse(run.watermark_after)
        self.assertEqual(self.finalizer(run).state, "failed")
        self.assertIn("the watermark stays", self.finalizer(run).exc_message)
        # The remote fixes its record, the admin retries the failure: the
        # run's finaliser is requeued by the run and moves the watermark.
        adapter.set("get:2", tag(2, "Retail"))
        run.failure_ids.action_retry()
        with mock_adapter(adapter):
            run_jobs(self.env)
        self.assertEqual(run.state, "done")
        self.assertGreater(self.backend.categories_imported_until, BEFORE)

    def test_partial_walk_keeps_the_watermark(self):
        run = self.import_tags(ShortWalkAdapter({"list": [tag(1, "Wholesale")]}))
        self.assertEqual(self.bindings().mapped("name"), ["Wholesale"])
        self.assertEqual(self.finalizer(run).state, "done")
        self.assertEqual(self.backend.categories_imported_until, BEFORE)
        self.assertEqual(run.state, "partial")
        self.assertIn("fetched 1 of 2 announced", run.message)


@tagged("post_install", "-at_install")
class TestSweepUnlisted(TestConnectorCase):
    """A resource read in full (no watermark): after a complete walk whose
    jobs all succeeded, what the walk no longer lists is archived."""

    def walk(self, adapter):
        """One run of the tags read in full; returns the run."""
        self.backend.with_delay()._import_run(self.Binding._name, None)
        with mock_adapter(adapter):
            run_jobs(self.env)
        return self.env["generic.sync.run"].search(
            [("backend_model", "=", self.backend._name)], limit=1
        )

    def active_names(self):
        return sorted(self.bindings().filtered("active").mapped("name"))

    def test_complete_walk_archives_the_unlisted_once(self):
        tags = [tag(1, "Wholesale"), tag(2, "Retail"), tag(3, "Export")]
        self.walk(MockAdapter({"list": tags}))
        run = self.walk(MockAdapter({"list": [tags[0], tags[2]]}))
        self.assertEqual(self.active_names(), ["Export", "Wholesale"])
        self.assertEqual((run.state, run.archived), ("done", 1))
        # Safe twice: the next run archives nothing more.
        run = self.walk(MockAdapter({"list": [tags[0], tags[2]]}))
        self.assertEqual((run.state, run.archived), ("done", 0))
        self.assertEqual(len(self.bindings()), 3)

    def test_partial_walk_archives_nothing(self):
        self.walk(MockAdapter({"list": [tag(1, "Wholesale"), tag(2, "Retail")]}))
        run = self.walk(ShortWalkAdapter({"list": [tag(1, "Wholesale")]}))
        self.assertEqual(run.state, "partial")
        self.assertEqual(run.archived, 0)
        self.assertEqual(self.active_names(), ["Retail", "Wholesale"])

    def test_failed_job_archives_nothing(self):
        self.walk(MockAdapter({"list": [tag(1, "Wholesale"), tag(2, "Retail")]}))
        bad = tag(3, "Bad date", updated_at="not a date")
        run = self.walk(MockAdapter({"list": [bad], "get:3": bad}))
        self.assertEqual(run.archived, 0)
        self.assertEqual(self.active_names(), ["Retail", "Wholesale"])

    def test_watermarked_resource_archives_nothing(self):
        self.import_tags(MockAdapter({"list": [tag(1, "Wholesale"), tag(2, "Retail")]}))
        self.import_tags(MockAdapter({"list": [tag(1, "Wholesale")]}))
        self.assertEqual(self.active_names(), ["Retail", "Wholesale"])
