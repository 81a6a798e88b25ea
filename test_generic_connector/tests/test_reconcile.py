# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reconcile in the framework alone (``MockAdapter``): the policy for records
gone on the platform, a walk short of the announced total, a list of stubs."""

from unittest import mock

from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import (
    MockAdapter,
    mock_adapter,
    run_jobs,
)
from odoo.addons.generic_connector.transport import Page

from .common import TestConnectorCase, tag

NEWER = "2026-02-01T00:00:00.000001Z"


class ShortAdapter(MockAdapter):
    """Lists its tags on a page announcing more than it holds."""

    def list_versions(self):
        items = self.answer("list", None)
        yield Page(items=items, response=None, payload=items, number=1, total=9)


@tagged("post_install", "-at_install")
class TestReconcile(TestConnectorCase):
    def setUp(self):
        super().setUp()
        self.import_tags(MockAdapter({"list": [tag("1", "One"), tag("2", "Two")]}))

    def reconcile(self, adapter):
        self.backend.with_context(connector_resource="categories").action_reconcile()
        with mock_adapter(adapter):
            run_jobs(self.env)
        return self.env["generic.sync.run"].search(
            [("backend_model", "=", self.backend._name), ("kind", "=", "reconcile")],
            limit=1,
        )

    def rows(self, run):
        return {(d.external_id, d.drift_class, d.repair, d.note) for d in run.drift_ids}

    def tag_binding(self, external_id):
        return self.bindings().filtered(lambda b: b.external_id == external_id)

    def test_gone_records_flagged_by_policy(self):
        self.backend.reconcile_gone_policy = "flag"
        run = self.reconcile(MockAdapter({"list": [tag("1", "One")]}))
        self.assertEqual(self.rows(run), {("2", "gone_platform", "waiting", False)})
        self.assertTrue(self.tag_binding("2").active)

    def test_short_walk_archives_nothing(self):
        run = self.reconcile(ShortAdapter({"list": [tag("1", "One")]}))
        (row,) = self.rows(run)
        self.assertEqual(row[:3], ("2", "gone_platform", "waiting"))
        self.assertIn("1 record(s) of 9 announced", row[3])
        self.assertTrue(self.tag_binding("2").active)
        self.assertEqual(run.state, "partial")

    def test_stubs_compared_by_version_and_completed_by_the_import(self):
        adapter = MockAdapter(
            {
                "list": [{"id": "1", "updated_at": NEWER}, {"id": "2"}],
                "get:1": tag("1", "One, renamed", NEWER),
                "get:2": tag("2", "Two, renamed quietly"),
            }
        )
        adapter.complete_records = lambda records: (
            [adapter.get(r["id"]) for r in records],
            [],
        )
        with mock.patch.object(MockAdapter, "lists_whole_records", lambda self: False):
            run = self.reconcile(adapter)
        self.assertEqual(
            self.rows(run),
            {
                ("1", "changed_platform", "imported", False),
                ("2", "changed_platform", "imported", False),
            },
        )
        # Only the stub without a version was read by the reconcile itself.
        reads = [args[0] for endpoint, args, _kw in adapter.calls if endpoint == "get"]
        self.assertEqual(reads.count("2"), 2, "read by the reconcile, then imported")
        self.assertEqual(reads.count("1"), 1, "read by the import only")
        self.assertEqual(self.tag_binding("1").name, "One, renamed")
        self.assertEqual(self.tag_binding("2").name, "Two, renamed quietly")
