# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""REST walks met on real APIs, against the sandbox shaped like them: a page
size capped below the one asked, 404 "Invalid page" past the end, a total
the walk never reaches, routes ending with a slash; and what a partial run
says about where to fix its failures."""

from odoo.tests import tagged

from .common import MyConnectorCase


class RunMixin:
    def runs(self):
        return self.env["generic.sync.run"].search(
            [
                ("backend_model", "=", self.backend._name),
                ("backend_id", "=", self.backend.id),
            ]
        )

    def import_products(self):
        self.backend.action_import_products()
        self.run_jobs()
        return self.runs()[:1]


@tagged("post_install", "-at_install")
class TestCappedPageSize(RunMixin, MyConnectorCase):
    """Page size 300 on a platform serving at most 250 a page."""

    seed_records = 600

    def test_every_product_is_imported(self):
        self.backend.page_size = 300
        run = self.import_products()
        self.assertEqual(len(self.bindings()), 600)
        self.assertEqual((run.state, run.fetched, run.created), ("done", 600, 600))
        self.assertTrue(self.backend.products_imported_until)


@tagged("post_install", "-at_install")
class TestInvalidPage(RunMixin, MyConnectorCase):
    """404 "Invalid page" past the end, and a cap below the page size asked."""

    seed_records = 20
    sandbox_options = {"past_end_404": True, "max_per_page": 7}

    def test_exact_multiple_ends_on_invalid_page(self):
        self.backend.page_size = 7  # 20 records: pages of 7, 7, 6
        self.remote("POST", "/api/v1/products", json={"title": "x", "price": 1})
        run = self.import_products()  # 21 records: three full pages, then 404
        self.assertEqual((run.state, run.fetched, run.created), ("done", 21, 21))

    def test_capped_page_size_imports_everything(self):
        self.backend.page_size = 10  # served 7 a page
        run = self.import_products()
        self.assertEqual((run.state, run.fetched, run.created), ("done", 20, 20))


@tagged("post_install", "-at_install")
class TestTotalNeverReached(RunMixin, MyConnectorCase):
    """The envelope announces 25 products, the list holds 20."""

    seed_records = 20
    sandbox_options = {"total_extra": 5}

    def test_run_is_partial_naming_the_shortfall(self):
        self.backend.page_size = 10
        run = self.import_products()
        self.assertEqual(len(self.bindings()), 20)
        self.assertEqual(run.state, "partial", run.message)
        self.assertIn("fetched 20 of 25", run.message)
        # Records may have been skipped: the next run reads them again.
        self.assertFalse(self.backend.products_imported_until)
        self.assertFalse(run.watermark_after)


@tagged("post_install", "-at_install")
class TestTrailingSlash(RunMixin, MyConnectorCase):
    """A remote whose routes end with a slash (Django's APPEND_SLASH)."""

    seed_records = 5
    sandbox_options = {"trailing_slash": True}

    def test_record_urls_keep_the_declared_slash(self):
        with self.backend.work_on("myconnector.product.template") as work:
            adapter = work.component(usage="backend.adapter")
            adapter._resource_path = "/api/v1/products/"  # as a resource declares
            self.assertEqual(adapter._record_url("3"), "/api/v1/products/3/")
            self.assertEqual(adapter.get("3")["id"], 3)
            updated = adapter.update("3", {"title": "Slashed"})
            self.assertEqual(updated["title"], "Slashed")
            self.assertEqual(len(list(adapter.iterate_all())), 5)
        stats = self.remote("GET", "/admin/stats/")
        self.assertNotIn("301", stats["statuses"])  # no call moved, none doubled


@tagged("post_install", "-at_install")
class TestPartialRunSaysWhereToFix(RunMixin, MyConnectorCase):
    seed_records = 6

    def test_an_odoo_side_failure_is_fixed_in_odoo(self):
        chf = self.env.ref("base.CHF")
        self.assertFalse(chf.active)
        order = self.remote(
            "POST",
            "/api/v1/orders",
            json={
                "customer_id": 1,
                "currency": "CHF",
                "lines": [{"sku": "SKU-00001", "quantity": 1, "price": "2.00"}],
            },
        )["data"]
        self.backend.action_import_orders()
        self.run_jobs()
        run = self.runs().filtered(lambda r: r.resource == "myconnector.sale.order")
        self.assertEqual(run.state, "partial", run.message)
        self.assertEqual(run.failure_ids.external_id, str(order["id"]))
        self.assertIn("currency CHF is not active in Odoo", run.message)
        self.assertIn("fix them in Odoo", run.message)
        self.assertNotIn("remotely", run.message)

    def test_a_remote_data_failure_is_fixed_remotely(self):
        self.remote(
            "POST", "/admin/corrupt", json={"product_id": 2, "fields": {"price": "?"}}
        )
        # The sandbox is the class's: the next test's orders need product 2.
        self.addCleanup(
            self.remote, "PATCH", "/api/v1/products/2", json={"price": "5.00"}
        )
        run = self.import_products()
        self.assertEqual(run.state, "partial", run.message)
        self.assertIn("fix them remotely", run.message)
