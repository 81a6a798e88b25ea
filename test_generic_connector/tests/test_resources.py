# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A resource declared on a backend gets, with no code of its own: its
import action and job, its sync run, its count and smart button, its queue
channel and, when scheduled, its cron."""

import dataclasses
from datetime import timedelta
from unittest import mock

from odoo import fields
from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import MockAdapter

from .common import TestConnectorCase, tag


@tagged("post_install", "-at_install")
class TestDeclaredResource(TestConnectorCase):
    def test_action_job_run_count_channel(self):
        run = self.import_tags(MockAdapter({"list": [tag(1, "Wholesale")]}))
        self.assertEqual(
            (run.resource, run.trigger, run.state),
            ("test.generic.category", "button", "done"),
        )
        driver = run.job_ids.filtered(lambda j: j.method_name == "_import_resource")
        self.assertEqual(driver.channel, f"root.backend_{self.backend.id}.categories")
        self.assertEqual(set(run.job_ids.mapped("channel")), {driver.channel})
        self.assertTrue(self.backend.categories_imported_until)
        self.assertEqual(self.backend.category_binding_count, 1)
        action = self.backend.with_context(
            connector_resource="categories"
        ).action_view_bindings()
        self.assertEqual(
            self.env[action["res_model"]].search(action["domain"]), self.bindings()
        )

    def test_exports_in_the_resource_channel(self):
        self.import_tags(MockAdapter({"list": [tag(1, "Wholesale")]}))
        self.bindings()._export_later(["name"])
        job = self.env["queue.job"].search([("method_name", "=", "export_record")])
        self.assertEqual(job.channel, f"root.backend_{self.backend.id}.categories")

    def test_unknown_resource_says_what_to_fix(self):
        with self.assertRaisesRegex(Exception, "declares no resource 'nope'"):
            self.backend.with_context(connector_resource="nope").action_import()

    def test_scheduled_declaration_gets_its_cron(self):
        Backend = type(self.backend)
        scheduled = tuple(
            dataclasses.replace(resource, interval=5)
            for resource in Backend._connector_resources(self.backend)
        )
        with mock.patch.object(Backend, "_connector_resources", lambda m: scheduled):
            self.backend._sync_resource_crons()
        cron = self.env.ref("test_generic_connector.ir_cron_import_categories")
        self.assertEqual(cron.code, "model._scheduler_import('categories')")
        self.assertEqual(cron.model_id.model, "test.generic.backend")
        self.assertEqual(cron.interval_number, 5)
        self.assertGreaterEqual(
            cron.nextcall, fields.Datetime.now() + timedelta(minutes=4)
        )
