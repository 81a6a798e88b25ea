# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``MockAdapter`` is held to the real adapter's interface: a synchroniser
that works against the mock calls the real adapter the same way."""

import inspect

from odoo.tests import TransactionCase, tagged

from ..components.adapter import GenericAdapter, RESTAdapter
from .common import MockAdapter

INTERFACE = (
    "get",
    "create",
    "update",
    "delete",
    "iterate_pages",
    "iterate_all",
    "complete_records",
)


@tagged("post_install", "-at_install")
class TestMockAdapterInterface(TransactionCase):
    def test_signatures_match_the_generic_adapter(self):
        for name in (*INTERFACE, "list"):
            with self.subTest(method=name):
                self.assertEqual(
                    inspect.signature(getattr(MockAdapter, name)),
                    inspect.signature(getattr(GenericAdapter, name)),
                )

    def test_signatures_match_the_rest_adapter(self):
        for name in INTERFACE:
            if name in vars(RESTAdapter):
                with self.subTest(method=name):
                    self.assertEqual(
                        inspect.signature(getattr(MockAdapter, name)),
                        inspect.signature(getattr(RESTAdapter, name)),
                    )

    def test_protocol_is_one_a_sync_run_can_show(self):
        selection = self.env["generic.sync.run"]._fields["protocol"].selection
        self.assertIn(MockAdapter._protocol, dict(selection))

    def test_update_records_the_expected_version(self):
        adapter = MockAdapter({"update": lambda *args, **kwargs: {"id": args[0]}})
        adapter.update("7", {"price": "1.00"}, expected_version="v1")
        self.assertEqual(
            adapter.calls,
            [("update", ("7", {"price": "1.00"}), {"expected_version": "v1"})],
        )
