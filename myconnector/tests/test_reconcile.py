# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reconcile: the scheduled comparison of the platform's products with
Odoo's repairs what drifted, by field ownership, against the sandbox."""

import dataclasses
from unittest import mock

from odoo.tests import tagged

from .common import MyConnectorCase

PRODUCTS = "myconnector.product.template"


@tagged("post_install", "-at_install")
class TestReconcile(MyConnectorCase):
    seed_records = 12

    def setUp(self):
        super().setUp()
        self.Run = self.env["generic.sync.run"]
        self.backend.action_import_products()
        self.assertEqual(self.run_jobs()["failed"], 0)

    def binding(self, external_id):
        return self.Binding.with_context(active_test=False).search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", external_id)]
        )

    def reconcile_by_cron(self):
        """Run the products' reconcile scheduler and every job it makes;
        return its run."""
        self.env.ref("myconnector.ir_cron_reconcile_products").method_direct_trigger()
        self.assertEqual(self.run_jobs()["failed"], 0)
        run = self.last_reconcile()
        self.assertTrue(run, "the scheduler started a reconcile")
        return run

    def reconcile_by_button(self, key="products"):
        self.backend.with_context(connector_resource=key).action_reconcile()
        self.assertEqual(self.run_jobs()["failed"], 0)
        return self.last_reconcile(self.backend._resource(key).model)

    def last_reconcile(self, model=PRODUCTS):
        return self.Run.search(
            [
                ("backend_id", "=", self.backend.id),
                ("kind", "=", "reconcile"),
                ("resource", "=", model),
            ],
            limit=1,
        )

    def drift(self, run):
        return {(d.external_id, d.drift_class, d.repair) for d in run.drift_ids}

    def edit_behind_connector(self, binding, field_name, value):
        """Change ``field_name`` of the binding's product as a script or
        another module would: no export follows."""
        binding.odoo_id.with_context(connector_no_export=True).write(
            {field_name: value}
        )

    def test_scheduled_reconcile_repairs_every_drift(self):
        remote = self.remote_products()
        ids = sorted(remote, key=int)
        deleted, edited, lost, silent = ids[0:3], ids[3:6], ids[6:8], ids[8]
        for external_id in deleted:
            self.remote("DELETE", f"/api/v1/products/{external_id}")
        for external_id in edited:
            self.edit_behind_connector(self.binding(external_id), "list_price", 9999)
        lost_bindings = self.binding(lost[0]) | self.binding(lost[1])
        templates = lost_bindings.odoo_id.with_context(connector_no_export=True)
        for template in templates:
            self.variant_bindings(template=template).unlink()
        templates.unlink()
        self.assertFalse(self.binding(lost[0]))
        before = remote[silent]["updated_at"]
        changed = self.remote(
            "POST",
            "/admin/simulate/silent",
            json={"product_id": int(silent), "fields": {"title": "Quietly renamed"}},
        )
        self.assertEqual(changed["updated_at"], before)

        run = self.reconcile_by_cron()

        self.assertEqual((run.trigger, run.state), ("cron", "done"))
        expected = (
            {(i, "gone_platform", "archived") for i in deleted}
            | {(i, "changed_odoo", "restored") for i in edited}
            | {(i, "missing_odoo", "imported") for i in lost}
            | {(silent, "changed_platform", "imported")}
        )
        self.assertEqual(self.drift(run), expected)
        fields_by_id = {d.external_id: d.field_names for d in run.drift_ids}
        self.assertEqual(fields_by_id[edited[0]], "list_price")
        self.assertEqual(fields_by_id[silent], "name")
        for external_id in deleted:
            self.assertFalse(self.binding(external_id).active)
        self.assertEqual(self.binding(silent).name, "Quietly renamed")
        self.assertMatchesRemote()  # prices restored, lost products back
        self.assertEqual(
            (self.backend.drift_repaired, self.backend.drift_waiting), (9, 0)
        )
        # Repaired: the next reconcile finds nothing.
        run.started_at = run.started_at.replace(year=run.started_at.year - 1)
        again = self.reconcile_by_cron()
        self.assertNotEqual(again, run)
        self.assertFalse(again.drift_ids)
        self.backend.invalidate_recordset(["drift_repaired", "drift_waiting"])
        self.assertEqual(
            (self.backend.drift_repaired, self.backend.drift_waiting), (0, 0)
        )

    def test_reconcile_of_unchanged_products_reads_no_record(self):
        """The list carries whole records with updated_at: one call per page,
        no read of a product by its id."""
        self.backend.page_size = 5
        self.sandbox.app.requests.clear()
        run = self.reconcile_by_button()
        self.assertEqual((run.trigger, run.state, run.fetched), ("button", "done", 12))
        self.assertFalse(run.drift_ids)
        calls = dict(self.sandbox.app.requests)
        self.assertEqual(calls, {"GET /api/v1/products": 3})
        self.assertEqual(run.http_calls, 3)

    def test_ownership_odoo_owned_never_overwritten_shared_waits(self):
        products = self.backend._resource("products")
        owned = dataclasses.replace(
            products, odoo_owned=("list_price",), shared=("description_sale",)
        )
        with mock.patch.object(
            type(self.backend),
            "_connector_resources",
            lambda model: (owned,),
        ):
            binding = self.binding(self.remote_products() and "2")
            binding.with_context(connector_no_export=True).list_price = 1.5
            self.remote(
                "POST", "/admin/simulate/price", json={"product_id": 2, "price": "77"}
            )
            self.backend.action_import_products()
            self.assertEqual(self.run_jobs()["failed"], 0)
            self.assertEqual(binding.list_price, 1.5, "Odoo owns the price")
            self.edit_behind_connector(binding, "description_sale", "Odoo's text")
            run = self.reconcile_by_button()
            self.assertEqual(self.drift(run), {("2", "changed_odoo", "waiting")})
            self.assertEqual(run.drift_ids.field_names, "description_sale")
            self.assertEqual(binding.description_sale, "Odoo's text")
            self.assertEqual(binding.list_price, 1.5)
            self.assertEqual(self.backend.drift_waiting, 1)
            html = self.backend.field_ownership
            self.assertIn("Sales Price", html)
            self.assertIn("Sales Description", html)

    def test_customers_reconcile_clean_after_their_import(self):
        """What an import wrote is what the next reconcile reads back: no
        drift (computed fields, addresses and names settled)."""
        self.backend.action_import_customers()
        self.assertEqual(self.run_jobs()["failed"], 0)
        run = self.reconcile_by_button("customers")
        self.assertEqual(run.state, "done")
        self.assertTrue(run.fetched)
        self.assertFalse(run.drift_ids.mapped("drift_class"))
