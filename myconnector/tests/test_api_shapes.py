# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Declared API shapes in a chunk job, on MyConnector's customers: lists of
stubs completed from each record's detail with a bounded number of calls in
flight, records gone meanwhile archived, and unchanged records skipped by the
digest of their mapped values when timestamps cannot tell."""

from unittest import mock

from odoo.tests import tagged

from .common import MyConnectorCase

CUSTOMERS = "myconnector.res.partner"


@tagged("post_install", "-at_install")
class TestApiShapes(MyConnectorCase):
    seed_records = 20  # 10 customers

    def setUp(self):
        super().setUp()
        self.Partner = self.env[CUSTOMERS]
        with self.backend.work_on(CUSTOMERS) as work:
            importer = work.component(usage="record.importer")
            self.importer_class = type(importer)
            self.adapter_class = type(importer.backend_adapter)

    def customers(self, *ids):
        return [self.remote("GET", f"/api/v1/customers/{i}")["data"] for i in ids]

    def partner(self, external_id):
        return self.Partner.with_context(active_test=False).search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", external_id)]
        )

    def test_a_chunk_of_stubs_is_completed_with_bounded_concurrency(self):
        self.Partner.import_chunk(self.backend, self.customers(1, 2, 3, 4, 5))
        self.remote("PATCH", "/api/v1/customers/2", json={"first_name": "Zoé"})
        self.remote("DELETE", "/api/v1/customers/3")
        self.sandbox.faults.set_rules(
            [{"pattern": "GET /api/v1/customers/*", "latency_ms": 60}]
        )
        self.addCleanup(self.sandbox.faults.set_rules, [])
        self.sandbox.app.max_in_flight = 0
        stubs = [{"id": i} for i in range(1, 6)]
        with (
            mock.patch.object(self.adapter_class, "_list_returns", "stubs"),
            mock.patch.object(self.adapter_class, "_concurrency", 2),
        ):
            message = self.Partner.import_chunk(self.backend, stubs)
        self.assertEqual(message, "created: 0, updated: 2, skipped: 3")
        self.assertEqual(self.sandbox.app.max_in_flight, 2)
        self.assertTrue(self.partner("2").name.startswith("Zoé "))
        self.assertFalse(self.partner("3").active, "gone remotely: archived")
        self.assertTrue(self.partner("4").active)

    def test_unchanged_values_are_skipped_by_their_digest(self):
        with mock.patch.object(self.importer_class, "_skip_unchanged_digest", True):
            self.Partner.import_chunk(self.backend, self.customers(6, 7, 8))
            digests = {i: self.partner(i).sync_digest for i in ("6", "7", "8")}
            self.assertTrue(all(digests.values()))
            same = self.customers(6)[0]["first_name"]
            # Both are newer by their timestamp; only one changed a value.
            self.remote("PATCH", "/api/v1/customers/6", json={"first_name": same})
            self.remote("PATCH", "/api/v1/customers/7", json={"first_name": "Zoé"})
            message = self.Partner.import_chunk(self.backend, self.customers(6, 7, 8))
        self.assertEqual(message, "created: 0, updated: 1, skipped: 2")
        self.assertEqual(self.partner("6").sync_digest, digests["6"])
        self.assertNotEqual(self.partner("7").sync_digest, digests["7"])

    def test_get_returns_the_record_with_its_sub_resources(self):
        orders = "/api/v1/orders?customer_id={id}"
        with (
            mock.patch.object(self.adapter_class, "_sub_resources", {"orders": orders}),
            self.backend.work_on(CUSTOMERS) as work,
        ):
            record = work.component(usage="record.importer").backend_adapter.get("9")
        expected = self.remote("GET", "/api/v1/orders", params={"customer_id": 9})
        self.assertEqual(record["email"], self.customers(9)[0]["email"])
        self.assertEqual(record["orders"], expected)
