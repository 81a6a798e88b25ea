# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import MyConnectorCase


@tagged("post_install", "-at_install")
class TestBackend(MyConnectorCase):
    def test_connection_ok(self):
        self.backend.action_test_connection()
        self.assertEqual(self.backend.connection_state, "ok")

    def test_connection_wrong_key_says_what_to_fix(self):
        self.backend.api_key = "wrong-key"
        action = self.backend.action_test_connection()
        self.assertEqual(self.backend.connection_state, "failed")
        self.assertIn("401", self.backend.connection_message)
        self.assertNotIn("wrong-key", action["params"]["message"])

    def test_credentials_hidden_from_connector_users(self):
        user = new_test_user(
            self.env,
            login="connector_user",
            groups="base.group_user,generic_connector.generic_connector_group_user",
        )
        backend = self.backend.with_user(user)
        self.assertEqual(backend.read(["name"])[0]["name"], "Sandbox")
        with self.assertRaises(AccessError):
            backend.read(["api_key"])
        with self.assertRaises(AccessError):
            backend.write({"api_key": "stolen"})
        manager = new_test_user(
            self.env,
            login="connector_manager",
            groups="base.group_user,connector.group_connector_manager",
        )
        self.assertEqual(self.backend.with_user(manager).api_key, "demo-api-key")

    def test_views_and_menus_load(self):
        for model in (
            "myconnector.backend",
            "myconnector.product.template",
            "myconnector.product.product",
        ):
            self.env[model].get_views([(False, "tree"), (False, "form")])
        self.env["myconnector.backend"].get_views([(False, "kanban")])
        self.env["generic.sync.run"].get_views([(False, "tree"), (False, "form")])
        menu = self.env.ref("myconnector.myconnector_backend_menu")
        self.assertEqual(menu.action.res_model, "myconnector.backend")

    def test_cron_enqueues_one_pending_run_per_backend(self):
        cron = self.env.ref("myconnector.ir_cron_import_products")
        self.assertTrue(cron.active)
        runs = self.env["queue.job"].search([("method_name", "=", "_import_products")])
        cron.method_direct_trigger()
        cron.method_direct_trigger()  # a run not started yet is not doubled
        new = (
            self.env["queue.job"].search([("method_name", "=", "_import_products")])
            - runs
        )
        self.assertEqual(len(new), 1)
        self.assertEqual(
            new.channel, f"root.myconnector.backend_{self.backend.id}.products"
        )
        self.assertEqual(new.records, self.backend)

    def test_cron_follows_each_backends_interval(self):
        cron = self.env.ref("myconnector.ir_cron_import_products")
        never = self.backend.copy({"name": "By hand", "import_interval": 0})
        Run = self.env["generic.sync.run"]
        cron.method_direct_trigger()
        runs = Run.search([("trigger", "=", "cron")])
        self.assertEqual(runs.mapped("backend_id"), [self.backend.id])
        self.assertNotIn(never.id, runs.mapped("backend_id"))
        # Its interval has not passed: the next wake-up leaves it alone...
        self.run_jobs()
        cron.method_direct_trigger()
        self.assertEqual(Run.search_count([("trigger", "=", "cron")]), 1)
        # ...until it has.
        runs.started_at = runs.started_at - timedelta(minutes=16)
        cron.method_direct_trigger()
        self.assertEqual(Run.search_count([("trigger", "=", "cron")]), 2)

    def test_customer_and_order_crons_follow_each_backends_interval(self):
        Run = self.env["generic.sync.run"]
        for xml_id, resource in (
            ("myconnector.ir_cron_import_customers", "myconnector.res.partner"),
            ("myconnector.ir_cron_import_orders", "myconnector.sale.order"),
        ):
            with self.subTest(cron=xml_id):
                cron = self.env.ref(xml_id)
                domain = [("trigger", "=", "cron"), ("resource", "=", resource)]
                self.backend.import_interval = 0
                cron.method_direct_trigger()
                self.assertFalse(Run.search(domain), "interval 0: by hand only")
                self.backend.import_interval = 15
                cron.method_direct_trigger()
                runs = Run.search(domain)
                self.assertEqual(runs.mapped("backend_id"), [self.backend.id])
                # Its interval has not passed: the next wake-up leaves it
                # alone...
                self.run_jobs()
                cron.method_direct_trigger()
                self.assertEqual(Run.search_count(domain), 1)
                # ...until it has.
                runs.started_at = runs.started_at - timedelta(minutes=16)
                cron.method_direct_trigger()
                self.assertEqual(Run.search_count(domain), 2)
                self.run_jobs()

    def test_import_crons_first_run_one_interval_after_install(self):
        """A fresh install (and the demo's set-up) does not import at once:
        the README's walkthrough presses the import buttons itself."""
        crons = self.env["ir.cron"].search(
            [("model_id.model", "=", "myconnector.backend")]
        )
        # Imports of products, customers and orders; reconciles of products
        # and customers (orders are not reconciled).
        self.assertEqual(len(crons), 5)
        for cron in crons:
            with self.subTest(cron=cron.name):
                self.assertGreaterEqual(
                    cron.nextcall, cron.create_date + timedelta(minutes=14)
                )
        self.backend._defer_scheduled_imports()
        soon = fields.Datetime.now() + timedelta(minutes=14)
        for cron in crons:
            with self.subTest(cron=cron.name):
                self.assertGreaterEqual(cron.nextcall, soon)

    def test_base_url_must_be_http(self):
        with self.assertRaisesRegex(ValidationError, "must start with http"):
            self.backend.base_url = "ftp://example.com"

    def test_connection_refused_is_readable(self):
        self.backend.base_url = "http://127.0.0.1:9"  # discard port: nothing listens
        self.backend.retry_max_attempts = 1
        self.backend.action_test_connection()
        self.assertEqual(self.backend.connection_state, "failed")
        self.assertIn("127.0.0.1:9", self.backend.connection_message)
