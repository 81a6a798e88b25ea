# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Full loads read the platform's bulk export (start, poll, one JSON Lines
file) when the backend ticks *Use bulk export for full loads*: the same
records as paging, in a few calls; a file cut short makes the run partial;
incremental runs and backends without bulk support page."""

import logging

from odoo.tests import tagged

from .common import API_KEY, MyConnectorCase

_logger = logging.getLogger(__name__)

FILE = "GET /api/v1/bulk_operations/*/file"
START = "POST /api/v1/bulk_operations"
RESOURCES = ("products", "customers", "orders")


@tagged("post_install", "-at_install")
class TestBulkImport(MyConnectorCase):
    seed_records = 12  # 12 products, 6 customers, 12 orders
    sandbox_options = {"bulk_delay": 0.05}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bulk_backend = cls.env["myconnector.backend"].create(
            {
                "name": "Sandbox in bulk",
                "base_url": cls.sandbox.url,
                "auth_type": "api_key",
                "api_key": API_KEY,
                "use_bulk_export": True,
                "retry_backoff": 0.01,
                "retry_after_cap": 2,
                "connect_timeout": 2,
                "read_timeout": 5,
            }
        )

    def add_fault(self, pattern, **knobs):
        self.remote("POST", "/admin/faults", json={"pattern": pattern, **knobs})
        self.addCleanup(self.remote, "DELETE", "/admin/faults")

    def calls(self):
        return dict(self.remote("GET", "/admin/stats")["requests"])

    def reimport(self, backend, key):
        """*Full re-import* of ``key``, its jobs run; its run."""
        backend._action_reimport(key)
        self.run_jobs()
        return self.env["generic.sync.run"].search(
            [("backend_model", "=", backend._name), ("backend_id", "=", backend.id)],
            limit=1,
        )

    def catalogue(self, backend):
        """What the imports wrote, per resource and remote id."""
        products = {
            b.external_id: (
                b.name,
                round(b.list_price, 2),
                frozenset(
                    (v.external_id, v.default_code, round(v.lst_price, 2), v.active)
                    for v in self.variant_bindings(backend, b.odoo_id)
                ),
            )
            for b in self.bindings(backend)
        }
        customers = {
            b.external_id: (b.name, b.email)
            for b in self.env["myconnector.res.partner"].search(
                [("backend_id", "=", backend.id)]
            )
        }
        orders = {
            b.external_id: (
                b.state,
                round(b.amount_total, 2),
                tuple(
                    (
                        x.myconnector_line_ref,
                        x.product_id.default_code,
                        x.product_uom_qty,
                        round(x.price_unit, 2),
                    )
                    for x in b.order_line.sorted("myconnector_line_ref")
                ),
            )
            for b in self.env["myconnector.sale.order"].search(
                [("backend_id", "=", backend.id)]
            )
        }
        return {"products": products, "customers": customers, "orders": orders}

    def test_bulk_full_reimport_gives_the_records_paging_gives(self):
        start = self.calls()
        paged_runs = {key: self.reimport(self.backend, key) for key in RESOURCES}
        middle = self.calls()
        bulk_runs = {key: self.reimport(self.bulk_backend, key) for key in RESOURCES}
        end = self.calls()

        paged, bulk = self.catalogue(self.backend), self.catalogue(self.bulk_backend)
        self.assertEqual(bulk, paged)
        self.assertEqual([len(bulk[key]) for key in RESOURCES], [12, 6, 12])
        self.assertMatchesRemote(self.bulk_backend)
        for key, count in zip(RESOURCES, (12, 6, 12), strict=True):
            run = bulk_runs[key]
            self.assertEqual((run.state, run.fetched), ("done", count), run.message)
            self.assertTrue(run.bulk_export)
            self.assertTrue(run.watermark_after)
            self.assertFalse(paged_runs[key].bulk_export)

        def made(before, after, prefix):
            return sum(
                n - before.get(k, 0) for k, n in after.items() if k.startswith(prefix)
            )

        # Paging never started an export; the bulk runs read no list page.
        self.assertEqual(made(start, middle, "POST /api/v1/bulk_operations"), 0)
        self.assertEqual(made(middle, end, "POST /api/v1/bulk_operations"), 3)
        for key in RESOURCES:
            self.assertEqual(
                end.get(f"GET /api/v1/{key}"), middle.get(f"GET /api/v1/{key}")
            )
        _logger.info(
            "bulk vs paging, %s products, %s customers, %s orders: HTTP calls of "
            "the runs %s (bulk) vs %s (pages of %s)",
            *[len(bulk[key]) for key in RESOURCES],
            sum(run.http_calls for run in bulk_runs.values()),
            sum(run.http_calls for run in paged_runs.values()),
            self.backend.page_size,
        )

    def test_a_file_cut_short_makes_the_run_partial(self):
        self.add_fault(FILE, bulk_truncate=3)
        run = self.reimport(self.bulk_backend, "products")
        self.assertEqual(run.state, "partial", run.message)
        self.assertIn("bulk export announced 12 record(s)", run.message)
        self.assertIn("fetched 9 of 12 announced", run.message)
        self.assertEqual(len(self.bindings(self.bulk_backend)), 9)
        # Records the file missed would be skipped past a moved watermark.
        self.assertFalse(self.bulk_backend.products_imported_until)
        self.assertFalse(run.watermark_after)

    def test_an_export_failed_remotely_fails_the_run_saying_what_to_do(self):
        self.add_fault(START, bulk_fail_rate=1)
        run = self.reimport(self.bulk_backend, "customers")
        self.assertEqual(run.state, "failed", run.message)
        self.assertIn("The platform's bulk export failed", run.message)
        self.assertIn("ended failed on the remote", run.message)
        self.assertIn(
            'untick "Use bulk export for full loads" on the backend to read the '
            "records page by page instead.",
            run.message,
        )

    def test_incremental_runs_page(self):
        self.reimport(self.bulk_backend, "customers")
        self.assertTrue(self.bulk_backend.customers_imported_until)
        before = self.calls()
        self.bulk_backend.action_import_customers()
        self.run_jobs()
        after = self.calls()
        self.assertEqual(
            after.get(START, 0), before.get(START, 0), "an incremental run paged"
        )
        self.assertGreater(
            after["GET /api/v1/customers"], before.get("GET /api/v1/customers", 0)
        )

    def test_a_backend_without_bulk_support_pages(self):
        # Ticked, but its products go over GraphQL, whose adapter reads no
        # bulk export: the full load pages, it does not fail.
        self.bulk_backend.product_protocol = "graphql"
        before = self.calls()
        run = self.reimport(self.bulk_backend, "products")
        after = self.calls()
        self.assertEqual((run.state, run.fetched), ("done", 12), run.message)
        self.assertFalse(run.bulk_export)
        self.assertEqual(after.get(START, 0), before.get(START, 0))
        self.assertMatchesRemote(self.bulk_backend)
