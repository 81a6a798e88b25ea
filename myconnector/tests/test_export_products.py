# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Price exports against the sandbox, with real jobs: debounced, never
triggered by an import, and refused on a remote conflict."""

import json

from odoo import Command
from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from .common import MyConnectorCase


@tagged("post_install", "-at_install")
class TestExportPrice(MyConnectorCase):
    seed_records = 10

    def setUp(self):
        super().setUp()
        self.Binding.import_record(self.backend, "3")
        self.binding = self.Binding.search([("external_id", "=", "3")])
        self.template = self.binding.odoo_id

    def export_jobs(self):
        return self.env["queue.job"].search([("method_name", "=", "export_record")])

    def patches(self, external_id="3"):
        served = self.remote("GET", "/admin/stats")["requests"]
        return served.get(f"PATCH /api/v1/products/{external_id}", 0)

    def remote_product(self, external_id="3"):
        return self.remote("GET", f"/api/v1/products/{external_id}")["data"]

    def test_three_quick_writes_one_export(self):
        before = self.patches()
        for price in (11.0, 12.0, 13.5):
            self.template.write({"list_price": price})
        jobs = self.export_jobs()
        self.assertEqual(len(jobs), 1)
        self.assertTrue(jobs.eta, "the export waits, so later writes join it")
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertEqual(self.patches() - before, 1)
        remote = self.remote_product()
        self.assertEqual(remote["price"], "13.50")
        # The binding now reflects the remote state the export produced.
        self.assertEqual(self.binding.remote_updated_at, remote["updated_at"])
        self.assertFalse(self.env["generic.export.pending"].search([]))
        # A write after the job ran is a new change: a new job.
        self.template.write({"list_price": 14.0})
        self.assertEqual(len(self.export_jobs()), 2)
        self.run_jobs()
        self.assertEqual(self.remote_product()["price"], "14.00")

    def test_writer_without_connector_rights(self):
        user = self.env["res.users"].create(
            {
                "name": "Price Editor",
                "login": "price_editor",
                "groups_id": [
                    Command.set(
                        [
                            self.env.ref("base.group_user").id,
                            self.env.ref("base.group_system").id,
                        ]
                    )
                ],
            }
        )
        self.assertFalse(
            user.has_group("generic_connector.generic_connector_group_user")
        )
        self.template.with_user(user).write({"list_price": 17.25})
        job = self.export_jobs()
        self.assertEqual(job.user_id, user)
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertEqual(self.remote_product()["price"], "17.25")

    def test_transport_errors_become_job_outcomes(self):
        self.template.write({"list_price": 18.0})
        job = self.export_jobs()
        self.remote(
            "PUT",
            "/admin/faults",
            json={"PATCH /api/v1/products/*": {"error_rate": 1.0}},
        )
        # As the runner does: the job's work is rolled back, it is retried.
        with self.assertRaises(RetryableJobError), self.env.cr.savepoint():
            Job.load(self.env, job.uuid).perform()
        self.assertTrue(self.env["generic.export.pending"].search([]))
        self.remote("DELETE", "/admin/faults")
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertEqual(self.remote_product()["price"], "18.00")
        # The platform refuses the value: the job fails with its reason.
        self.template.write({"list_price": -1.0})
        self.assertEqual(self.run_jobs()["failed"], 1)
        failed = self.export_jobs().filtered(lambda j: j.state == "failed")
        self.assertIn("422", failed.exc_message)
        self.assertEqual(self.remote_product()["price"], "18.00")

    def test_other_fields_do_not_export(self):
        self.template.write({"description_sale": "Only in Odoo"})
        self.assertFalse(self.export_jobs())

    def test_export_twice_is_harmless(self):
        self.template.with_context(connector_no_export=True).list_price = 21.0
        self.assertFalse(self.export_jobs())
        self.binding.export_record(field_names=["list_price"])
        self.binding.export_record(field_names=["list_price"])
        self.assertEqual(self.remote_product()["price"], "21.00")
        self.assertFalse(self.binding.export_conflict)

    def test_failed_job_does_not_block_later_exports(self):
        self.template.write({"list_price": 30.0})
        job = self.export_jobs()
        job.write({"state": "failed", "exc_info": "simulated"})
        self.template.write({"list_price": 31.0})
        self.assertEqual(len(self.export_jobs()), 2)
        self.run_jobs()
        self.assertEqual(self.remote_product()["price"], "31.00")

    def test_conflict_then_push_anyway(self):
        # The platform changes the price; Odoo changes it too before importing.
        self.remote(
            "POST", "/admin/simulate/price", json={"product_id": 3, "price": "55.00"}
        )
        remote_stamp = self.remote_product()["updated_at"]
        self.template.write({"list_price": 44.0})
        self.run_jobs()
        job = self.export_jobs()
        self.assertEqual(job.state, "done")
        self.assertIn("Conflict", job.result)
        # Nothing overwritten on the platform.
        remote = self.remote_product()
        self.assertEqual(remote["price"], "55.00")
        self.assertEqual(remote["updated_at"], remote_stamp)
        # The binding shows the conflict with both values; the remote data
        # was imported, and that import did not export anything.
        self.assertTrue(self.binding.export_conflict)
        self.assertEqual(
            json.loads(self.binding.conflict_odoo_data), {"price": "44.00"}
        )
        self.assertEqual(
            json.loads(self.binding.conflict_remote_data), {"price": "55.00"}
        )
        self.assertEqual(self.binding.list_price, 55.0)
        self.assertEqual(self.binding.remote_updated_at, remote_stamp)
        self.assertEqual(len(self.export_jobs()), 1)
        in_conflict = self.Binding.search([("export_conflict", "=", True)])
        self.assertEqual(in_conflict, self.binding)

        # The admin pushes Odoo's value anyway, and is told what happens.
        action = self.binding.action_push_anyway()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("go to the platform in a moment", action["params"]["message"])
        self.assertEqual(self.run_jobs()["failed"], 0)
        remote = self.remote_product()
        self.assertEqual(remote["price"], "44.00")
        self.assertFalse(self.binding.export_conflict)
        self.assertFalse(self.binding.conflict_odoo_data)
        self.assertEqual(self.binding.list_price, 44.0)
        self.assertEqual(self.binding.remote_updated_at, remote["updated_at"])

    def test_import_waits_for_pending_export(self):
        """The platform's webhook arrives while Odoo's change waits for its
        export: the import waits, the export goes first and detects the
        conflict, instead of the import silently replacing Odoo's change."""
        self.template.write({"list_price": 44.0})
        self.remote(
            "POST", "/admin/simulate/price", json={"product_id": 3, "price": "55.00"}
        )
        self.Binding.with_delay().import_record(self.backend, "3")
        outcomes = self.run_jobs()
        self.assertEqual(outcomes["failed"], 0)
        self.assertGreaterEqual(outcomes["retried"], 1)
        self.assertEqual(self.remote_product()["price"], "55.00")
        self.assertTrue(self.binding.export_conflict)
        self.assertEqual(
            json.loads(self.binding.conflict_odoo_data), {"price": "44.00"}
        )
        self.assertEqual(self.binding.list_price, 55.0)
        # The import ran after the export, and found nothing newer.
        imports = self.env["queue.job"].search([("method_name", "=", "import_record")])
        self.assertEqual(imports.result, "Skipped 3: already up to date")

    def test_other_remote_change_is_no_conflict(self):
        """The stock changed remotely (which bumps the product's updated_at),
        not the price: the refused write is retried on the new version."""
        sku = self.remote_product()["sku"]
        self.remote("POST", "/admin/simulate/stock", json={"sku": sku, "delta": 5})
        stamp = self.remote_product()["updated_at"]
        self.assertGreater(stamp, self.binding.remote_updated_at)
        before = self.patches()
        self.template.write({"list_price": 66.0})
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertEqual(self.patches() - before, 2)  # a 412, then the write
        remote = self.remote_product()
        self.assertEqual(remote["price"], "66.00")
        self.assertFalse(self.binding.export_conflict)
        self.assertEqual(self.binding.remote_updated_at, remote["updated_at"])
        self.assertEqual(json.loads(self.binding.remote_base), {"price": "66.00"})

    def test_same_change_on_both_sides_is_no_conflict(self):
        self.remote(
            "POST", "/admin/simulate/price", json={"product_id": 3, "price": "70.00"}
        )
        self.template.write({"list_price": 70.0})
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertFalse(self.binding.export_conflict)
        self.assertEqual(
            self.binding.remote_updated_at, self.remote_product()["updated_at"]
        )

    def test_deleting_binding_keeps_remote(self):
        self.binding.unlink()
        self.assertFalse(self.export_jobs())
        self.assertEqual(self.remote_product()["id"], 3)
        served = self.remote("GET", "/admin/stats")["requests"]
        self.assertNotIn("DELETE /api/v1/products/3", served)


@tagged("post_install", "-at_install")
class TestImportDoesNotExport(MyConnectorCase):
    seed_records = 120

    def test_full_import_enqueues_no_export(self):
        self.backend.action_import_products()
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertEqual(len(self.bindings()), 120)
        # Five products change remotely and come back by webhook-style fetch.
        for external_id in ("4", "5", "6", "7", "8"):
            self.remote(
                "PATCH", f"/api/v1/products/{external_id}", json={"price": "9.99"}
            )
            self.Binding.import_record(self.backend, external_id)
        self.backend.action_import_products()
        self.run_jobs()
        exports = self.env["queue.job"].search([("method_name", "=", "export_record")])
        self.assertEqual(len(exports), 0)
        self.assertFalse(self.env["generic.export.pending"].search([]))
        # Customers, orders (confirmed and cancelled ones among them) and the
        # inventory levels into quants of a mapped location: still nothing
        # goes out, whether prices, stock or order statuses.
        self.backend.write(
            {
                "inventory_protocol": "rest",
                "inventory_location_ids": [
                    Command.create(
                        {
                            "remote_location_id": 1,
                            "location_id": self.backend.default_location_id.id,
                        }
                    )
                ],
            }
        )
        self.backend.action_import_customers()
        self.backend.action_import_orders()
        self.backend.action_import_inventory()
        self.assertEqual(self.run_jobs()["failed"], 0)
        orders = self.env["myconnector.sale.order"].search([])
        self.assertEqual(len(orders), 120)
        self.assertEqual(set(orders.mapped("state")), {"draft", "sale", "cancel"})
        self.assertTrue(
            self.env["stock.quant"].search(
                [("location_id", "=", self.backend.default_location_id.id)]
            )
        )
        exports = self.env["queue.job"].search(
            [
                (
                    "method_name",
                    "in",
                    ("export_record", "export_stock_level", "export_order_status"),
                )
            ]
        )
        self.assertEqual(len(exports), 0)
        self.assertFalse(self.env["generic.export.pending"].search([]))
        # The count can be non-zero: one change made in Odoo exports.
        self.bindings()[:1].odoo_id.list_price = 1.25
        exports = self.env["queue.job"].search([("method_name", "=", "export_record")])
        self.assertEqual(len(exports), 1)
