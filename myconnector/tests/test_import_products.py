# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal

from odoo.tests import tagged

from .common import MyConnectorCase


@tagged("post_install", "-at_install")
class TestImportProducts(MyConnectorCase):
    seed_records = 250

    def assertMatchesRemote(self):
        remote = self.remote_products()
        bindings = self.bindings()
        self.assertEqual(len(bindings), len(remote))
        self.assertEqual(set(bindings.mapped("external_id")), set(remote))
        for binding in bindings:
            product = remote[binding.external_id]
            self.assertEqual(binding.name, product["title"])
            self.assertEqual(binding.default_code, product["sku"])
            self.assertAlmostEqual(binding.list_price, float(Decimal(product["price"])))
            self.assertEqual(binding.odoo_id.myconnector_bind_ids, binding)
        return remote

    def test_import_then_again_then_incremental(self):
        self.backend.action_import_products()
        outcomes = self.run_jobs()
        self.assertEqual(outcomes["failed"], 0)
        remote = self.assertMatchesRemote()
        self.assertEqual(len(remote), 250)
        # 250 products in chunks of 50: five chunk jobs, not one per record.
        self.assertEqual(len(self.job_results("import_chunk")), 5)
        self.assertTrue(self.backend.products_imported_until)
        before = self.snapshot()

        # Again: nothing is newer, nothing changes.
        first_run = self.env["queue.job"].search([])
        self.backend.action_import_products()
        self.run_jobs()
        self.assertEqual(self.snapshot(), before)
        chunks = self.env["queue.job"].search(
            [("method_name", "=", "import_chunk"), ("id", "not in", first_run.ids)]
        )
        for result in chunks.mapped("result"):
            self.assertIn("created: 0, updated: 0", result)

        # Five products change remotely: the next run updates exactly those.
        changed = sorted(remote)[10:15]
        for external_id in changed:
            self.remote(
                "PATCH",
                f"/api/v1/products/{external_id}",
                json={"price": "123.45", "title": f"Changed {external_id}"},
            )
        self.backend.action_import_products()
        self.run_jobs()
        after = self.snapshot()
        self.assertEqual(
            sorted(k for k in after if after[k] != before[k]), sorted(changed)
        )
        for external_id in changed:
            self.assertEqual(after[external_id][0], f"Changed {external_id}")
            self.assertEqual(after[external_id][1], 123.45)
        self.assertMatchesRemote()

    def test_watermark_stays_when_a_chunk_fails(self):
        self.backend.import_chunk_size = 100
        self.backend.action_import_products()
        self.run_jobs(domain=[("method_name", "!=", "_sync_finalize")])
        chunk = self.env["queue.job"].search(
            [("method_name", "=", "import_chunk")], limit=1
        )
        chunk.write({"state": "failed", "exc_info": "simulated"})
        self.run_jobs()
        self.assertFalse(self.backend.products_imported_until)
        finalize = self.env["queue.job"].search([("method_name", "=", "_sync_finalize")])
        self.assertEqual(finalize.state, "failed")
        self.assertIn("watermark stays", finalize.exc_message)


@tagged("post_install", "-at_install")
class TestImportUnderFaults(MyConnectorCase):
    """20 % of API calls answer 5xx and 10 % answer 429: the import still ends
    with exactly the sandbox's products, and no duplicates."""

    seed_records = 250
    sandbox_options = {
        "faults": {"* /api/v1/*": {"error_rate": 0.2, "rate_limit_rate": 0.1}},
        "fault_seed": 7,
    }

    def test_import_survives_faults(self):
        self.backend.page_size = 50  # more calls, more faults
        self.backend.action_import_products()
        outcomes = self.run_jobs()
        self.assertEqual(outcomes["failed"], 0)
        bindings = self.bindings()
        self.assertEqual(len(bindings), 250)
        self.assertEqual(len(set(bindings.mapped("external_id"))), 250)
        self.assertEqual(len(bindings.mapped("odoo_id")), 250)
        self.sandbox.faults.clear()
        self.assertEqual(set(bindings.mapped("external_id")), set(self.remote_products()))
