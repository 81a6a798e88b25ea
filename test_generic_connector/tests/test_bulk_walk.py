# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Full walks read the remote's bulk export when the backend ticks *Use bulk
export for full loads* and the adapter supports it: the same chunk jobs, the
same sweep of what is no longer listed; a short file is a partial walk;
incremental runs and backends that do not tick it page."""

from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import (
    MockAdapter,
    mock_adapter,
    run_jobs,
)
from odoo.addons.generic_connector.transport import Page

from .common import TestConnectorCase, tag

BEFORE = "2026-01-01T00:00:00.000000Z"


class BulkAdapter(MockAdapter):
    """A remote serving bulk exports: endpoint ``bulk`` answers the file's
    records, ``announced`` its object count (default: as many)."""

    def supports_bulk(self):
        return True

    def iterate_bulk(self):
        items = self.answer("bulk")
        total = self.responses.get("announced", len(items))
        yield Page(
            items=items,
            response=None,
            payload=None,
            number=1,
            fetched=len(items),
            total=total,
        )


@tagged("post_install", "-at_install")
class TestBulkWalk(TestConnectorCase):
    def setUp(self):
        super().setUp()
        self.backend.use_bulk_export = True

    def walk(self, adapter):
        """One run of the tags read in full (no watermark); returns it."""
        self.backend.with_delay()._import_run(self.Binding._name, None)
        with mock_adapter(adapter):
            run_jobs(self.env)
        return self.env["generic.sync.run"].search(
            [("backend_model", "=", self.backend._name)], limit=1
        )

    def endpoints(self, adapter):
        return [endpoint for endpoint, _args, _kwargs in adapter.calls]

    def active_names(self):
        return sorted(self.bindings().filtered("active").mapped("name"))

    def test_full_walk_reads_the_bulk_file_and_sweeps(self):
        tags = [tag(1, "Wholesale"), tag(2, "Retail"), tag(3, "Export")]
        first = BulkAdapter({"bulk": tags})
        run = self.walk(first)
        self.assertEqual(self.endpoints(first), ["bulk"])
        self.assertEqual((run.state, run.fetched, run.created), ("done", 3, 3))
        self.assertTrue(run.bulk_export)
        run = self.walk(BulkAdapter({"bulk": [tags[0], tags[2]]}))
        self.assertEqual((run.state, run.archived), ("done", 1))
        self.assertEqual(self.active_names(), ["Export", "Wholesale"])

    def test_short_file_is_partial_and_archives_nothing(self):
        self.walk(BulkAdapter({"bulk": [tag(1, "Wholesale"), tag(2, "Retail")]}))
        run = self.walk(BulkAdapter({"bulk": [tag(1, "Wholesale")], "announced": 2}))
        self.assertEqual(run.state, "partial")
        self.assertIn("The bulk export announced 2 record(s)", run.message)
        self.assertIn("fetched 1 of 2 announced", run.message)
        self.assertEqual(run.archived, 0)
        self.assertEqual(self.active_names(), ["Retail", "Wholesale"])

    def test_incremental_run_pages(self):
        self.backend.categories_imported_until = BEFORE
        adapter = BulkAdapter({"list": [tag(1, "Wholesale")]})
        run = self.import_tags(adapter)
        self.assertEqual(self.endpoints(adapter)[:1], ["list"])
        self.assertNotIn("bulk", self.endpoints(adapter))
        self.assertFalse(run.bulk_export)

    def test_backend_not_ticked_pages(self):
        self.backend.use_bulk_export = False
        adapter = BulkAdapter({"list": [tag(1, "Wholesale")]})
        run = self.walk(adapter)
        self.assertEqual(self.endpoints(adapter)[:1], ["list"])
        self.assertEqual((run.state, run.created), ("done", 1))
        self.assertFalse(run.bulk_export)
