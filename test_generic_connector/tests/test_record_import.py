# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One record's import job: safe to run twice (jobs run at least once),
newer remote data applied, a record gone remotely archived, never deleted."""

from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import MockAdapter, mock_adapter
from odoo.addons.generic_connector.transport import NotFoundError

from .common import TestConnectorCase, tag

NEWER = "2026-02-01T00:00:00.000001Z"


@tagged("post_install", "-at_install")
class TestRecordImport(TestConnectorCase):
    def import_record(self, answer):
        with mock_adapter(MockAdapter({"get:5": answer})):
            return self.Binding.import_record(self.backend, "5")

    def test_running_twice_changes_nothing_the_second_time(self):
        self.assertEqual(self.import_record(tag(5, "Wholesale")), "Created 5")
        self.bindings().name = "Changed in Odoo, not exported"
        message = self.import_record(tag(5, "Wholesale"))
        self.assertIn("Skipped 5", message)
        self.assertEqual(self.bindings().name, "Changed in Odoo, not exported")
        self.import_record(tag(5, "Retail", NEWER))
        self.assertEqual(self.bindings().name, "Retail")
        self.assertEqual(self.bindings().remote_updated_at, NEWER)

    def test_record_deleted_remotely_is_archived(self):
        self.import_record(tag(5, "Wholesale"))
        message = self.import_record(NotFoundError("404 Not Found", status=404))
        self.assertIn("archived", message)
        binding = self.bindings()
        self.assertEqual((len(binding), binding.active), (1, False))
        self.assertFalse(binding.odoo_id.active)
