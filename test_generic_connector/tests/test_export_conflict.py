# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Export conflicts: an export is conditioned on the remote version Odoo last
saw; a remote that changed the exported values since is never overwritten
(the binding is flagged and the remote's values imported) until the admin's
*Push anyway*."""

from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import (
    MockAdapter,
    mock_adapter,
    run_jobs,
)
from odoo.addons.generic_connector.transport import ConflictError

from .common import TestConnectorCase, tag

SEEN = "2026-01-01T00:00:00.000001Z"
CHANGED = "2026-01-02T00:00:00.000001Z"
PUSHED = "2026-01-03T00:00:00.000001Z"


def refused(*args, **kwargs):
    """An ``update`` answer: the remote record is no longer at the version
    the export was conditioned on."""
    raise ConflictError("412 Precondition Failed", status=412)


def refused_once(then):
    """An ``update`` answer: refused the first time, ``then`` after."""
    answers = iter([refused, lambda *args, **kwargs: then])
    return lambda *args, **kwargs: next(answers)(*args, **kwargs)


@tagged("post_install", "-at_install")
class TestExportConflict(TestConnectorCase):
    def setUp(self):
        super().setUp()
        with mock_adapter(MockAdapter()):
            self.Binding.import_chunk(self.backend, [tag(5, "Wholesale", SEEN)])
        self.binding = self.bindings()
        self.binding.name = "Trade"  # Odoo's change, to export

    def export(self, adapter):
        with mock_adapter(adapter):
            return self.binding.export_record(["name"])

    def test_export_is_conditioned_on_the_version_last_seen(self):
        adapter = MockAdapter({"update": tag(5, "Trade", CHANGED)})
        self.export(adapter)
        self.assertEqual(
            adapter.calls,
            [("update", ("5", {"name": "Trade"}), {"expected_version": SEEN})],
        )
        self.assertEqual(self.binding.remote_updated_at, CHANGED)

    def test_remote_change_of_another_field_is_no_conflict(self):
        """Refused, but the remote's name is still the one Odoo last saw:
        written again on the new version."""
        adapter = MockAdapter(
            {
                "update": refused_once(tag(5, "Trade", PUSHED)),
                "get": dict(tag(5, "Wholesale", CHANGED), color=3),
            }
        )
        self.export(adapter)
        self.assertEqual(
            [(endpoint, kwargs) for endpoint, _args, kwargs in adapter.calls],
            [
                ("update", {"expected_version": SEEN}),
                ("get", {}),
                ("update", {"expected_version": CHANGED}),
            ],
        )
        self.assertFalse(self.binding.export_conflict)
        self.assertEqual(self.binding.remote_updated_at, PUSHED)

    def test_conflict_flags_the_binding_and_push_anyway_overwrites(self):
        adapter = MockAdapter({"update": refused, "get": tag(5, "Retail", CHANGED)})
        message = self.export(adapter)
        self.assertIn("Conflict", message)
        self.assertEqual([call[0] for call in adapter.calls], ["update", "get"])
        self.assertTrue(self.binding.export_conflict)
        self.assertIn("Trade", self.binding.conflict_odoo_data)
        self.assertIn("Retail", self.binding.conflict_remote_data)
        self.assertEqual(self.binding.name, "Retail")  # the remote's, imported
        # Push anyway: Odoo's value goes out, unconditioned.
        adapter = MockAdapter({"update": tag(5, "Trade", PUSHED)})
        self.binding.action_push_anyway()
        with mock_adapter(adapter):
            self.assertEqual(run_jobs(self.env)["done"], 1)
        self.assertEqual(
            adapter.calls,
            [("update", ("5", {"name": "Trade"}), {"expected_version": None})],
        )
        self.assertEqual(self.binding.name, "Trade")
        self.assertFalse(self.binding.export_conflict)
        self.assertEqual(self.binding.remote_updated_at, PUSHED)
