# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A walk's memory does not grow with the catalogue.

The walk that fans a full import out into chunk jobs reads the remote a page
at a time; what it keeps of each chunk once the chunk's job is stored must
not be the chunk's records: a walk of 100,000 products held them all (its
worker peaked at 532 MB in the large bench, against 170 MB for 10,000).
Measured with ``tracemalloc`` (Python's allocations, counted exactly: the
machine's load does not change them)."""

import gc
import tracemalloc

from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import MockAdapter, mock_adapter
from odoo.addons.generic_connector.transport import Page

from .common import TestConnectorCase, tag

PAGE = 100


class PagedAdapter(MockAdapter):
    """A remote listing ``pages`` pages of ``PAGE`` tags, each carrying 2 KB
    of its own (a product's descriptions and variants), made as they are
    read, as a remote's pages are."""

    def __init__(self, pages):
        super().__init__()
        self.pages = pages

    def iterate_pages(self, filters=None):
        for number in range(self.pages):
            items = []
            for i in range(number * PAGE, (number + 1) * PAGE):
                record = tag(i + 1, f"Tag {i}")
                record["description"] = f"{i:08d}" * 256
                items.append(record)
            yield Page(items=items, response=None, payload=None, number=number + 1)


@tagged("post_install", "-at_install")
class TestWalkMemory(TestConnectorCase):
    def walk_peak(self, pages):
        """The peak of Python's allocations (bytes) while a full walk of
        ``pages`` pages enqueues its chunk jobs in a run (which adopts
        them), and those jobs."""
        run = self.env["generic.sync.run"]._start(
            self.backend, resource=self.Binding._name
        )
        self.env.flush_all()
        self.env.invalidate_all()
        gc.collect()
        tracemalloc.start()
        try:
            with mock_adapter(PagedAdapter(pages)):
                # As a driver job runs: with mail tracking (queue.job
                # tracks a field).
                jobs, _first = self.Binding.with_context(
                    tracking_disable=False
                ).import_batch(self.backend, run_key=run.run_key)
            self.env.flush_all()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return peak, jobs

    def test_walk_memory_is_flat(self):
        self.backend.import_chunk_size = 50
        small, jobs_small = self.walk_peak(10)
        large, jobs_large = self.walk_peak(30)
        self.assertEqual((len(jobs_small), len(jobs_large)), (20, 60))
        stored = self.env["queue.job"].search(
            [("uuid", "in", [job.uuid for job in jobs_large])]
        )
        self.assertEqual(len(stored), 60)
        self.assertEqual(len(stored.sync_run_id), 1)
        self.assertEqual(sum(len(job.args[1]) for job in stored), 3000)
        # 30 pages against 10: the walk keeps a page (and what Python's
        # garbage collector has not freed yet), not the catalogue.
        self.assertLess(
            large,
            1.5 * small,
            f"peak {large / 2**20:.1f} MB for 3,000 records against "
            f"{small / 2**20:.1f} MB for 1,000",
        )
