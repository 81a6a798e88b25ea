# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Resources declared once: what follows from a declaration, with no code.

Offline (canned responses): the resources under test replace the backend's
own declarations, so nothing of the connector's per-resource code is used.
"""

from datetime import timedelta
from unittest import mock

from odoo import fields
from odoo.tests import tagged

from odoo.addons.generic_connector.resources import Resource
from odoo.addons.generic_connector.tests.common import (
    GenericConnectorCase,
    MockAdapter,
    mock_adapter,
    run_jobs,
)

from .test_mock_adapter import PRODUCT

CATALOGUE = Resource(
    "catalogue", "myconnector.product.template", "Import catalogue", interval=5
)
CONTACTS = Resource(
    "contacts", "myconnector.res.partner", "Import contacts", interval=0
)


@tagged("post_install", "-at_install")
class TestResources(GenericConnectorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["myconnector.backend"].create(
            {"name": "Offline", "base_url": "http://127.0.0.1:9", "api_key": "k"}
        )
        cls.Run = cls.env["generic.sync.run"]

    def declare(self, *resources):
        """Within the block, the backend declares ``resources`` only."""
        return mock.patch.object(
            type(self.env["myconnector.backend"]),
            "_connector_resources",
            lambda model: resources,
        )

    def test_myconnector_crons_one_per_scheduled_resource(self):
        for key in ("products", "customers", "orders"):
            with self.subTest(resource=key):
                cron = self.env.ref(f"myconnector.ir_cron_import_{key}")
                self.assertEqual(cron.code, f"model._scheduler_import({key!r})")
                self.assertEqual(
                    (cron.interval_number, cron.interval_type), (5, "minutes")
                )
        # Read in full by hand or by webhook: no scheduler.
        self.assertFalse(self.env.ref("myconnector.ir_cron_import_inventory", False))

    def test_missing_cron_is_created_one_interval_ahead(self):
        self.env.ref("myconnector.ir_cron_import_orders").unlink()
        self.env["myconnector.backend"]._sync_resource_crons()
        cron = self.env.ref("myconnector.ir_cron_import_orders")
        self.assertTrue(cron.active)
        self.assertGreaterEqual(
            cron.nextcall, fields.Datetime.now() + timedelta(minutes=14)
        )

    def test_upgrade_points_an_old_cron_at_the_generic_scheduler(self):
        """A database whose crons came from the old data file (noupdate, so
        kept by the upgrade) gets them pointed at ``_scheduler_import``."""
        cron = self.env.ref("myconnector.ir_cron_import_products")
        cron.write({"code": "model._scheduler_import_products()", "active": False})
        self.env["myconnector.backend"]._sync_resource_crons()
        self.assertEqual(cron.code, "model._scheduler_import('products')")
        self.assertFalse(cron.active, "an admin's choice stays")

    def test_declared_resource_gets_action_run_count_and_channel(self):
        adapter = MockAdapter({"list": [PRODUCT]})
        with self.declare(CATALOGUE, CONTACTS), mock_adapter(adapter):
            action = self.backend.with_context(
                connector_resource="catalogue"
            ).action_import()
            self.assertEqual(action["params"]["title"], "Import catalogue")
            driver = self.env["queue.job"].search(
                [("method_name", "=", "_import_resource")]
            )
            self.assertEqual(
                driver.channel, f"root.myconnector.backend_{self.backend.id}.catalogue"
            )
            self.assertEqual(run_jobs(self.env)["failed"], 0)
            run = self.Run.search([("backend_id", "=", self.backend.id)])
            self.assertEqual(
                (run.resource, run.trigger, run.state),
                ("myconnector.product.template", "button", "done"),
            )
            counts = self.backend._resource_counts()
            self.assertEqual(
                counts, {"catalogue": {self.backend.id: 1}, "contacts": {}}
            )
            view = self.backend.with_context(
                connector_resource="catalogue"
            ).action_view_bindings()
            self.assertEqual(view["res_model"], "myconnector.product.template")
            self.assertEqual(
                self.env[view["res_model"]].search(view["domain"]).external_id, "7"
            )

    def test_declared_resources_get_crons_honouring_their_intervals(self):
        with (
            self.declare(CATALOGUE, CONTACTS),
            mock_adapter(MockAdapter({"list": [PRODUCT]})),
        ):
            self.env["myconnector.backend"]._sync_resource_crons()
            catalogue = self.env.ref("myconnector.ir_cron_import_catalogue")
            contacts = self.env.ref("myconnector.ir_cron_import_contacts")
            self.assertEqual(catalogue.interval_number, 5)
            # By hand only: woken up at the usual tick, not every minute.
            self.assertEqual(contacts.interval_number, 5)
            cron_runs = [("trigger", "=", "cron"), ("backend_id", "=", self.backend.id)]
            # Interval 0: never run by its cron.
            contacts.method_direct_trigger()
            self.assertFalse(self.Run.search(cron_runs))
            # 5 minutes: runs when due...
            catalogue.method_direct_trigger()
            runs = self.Run.search(cron_runs)
            self.assertEqual(runs.resource, "myconnector.product.template")
            run_jobs(self.env)
            # ...not before 5 minutes have passed...
            catalogue.method_direct_trigger()
            self.assertEqual(self.Run.search_count(cron_runs), 1)
            # ...and again once they have.
            runs.started_at -= timedelta(minutes=6)
            catalogue.method_direct_trigger()
            self.assertEqual(self.Run.search_count(cron_runs), 2)
