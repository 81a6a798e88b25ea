# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Unit tests of the product and inventory importers with canned responses:
no HTTP at all (the backend points at a port nobody listens on)."""

from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import (
    GenericConnectorCase,
    MockAdapter,
    mock_adapter,
)
from odoo.addons.generic_connector.transport import AuthError

PRODUCT = {
    "id": 7,
    "title": "Mock Mug",
    "description": "A mug that never crossed a network.",
    "sku": "MUG-S",
    "price": "10.10",
    "updated_at": "2026-01-01T00:00:00.000001Z",
    "variants": [
        {"id": 701, "title": "Small", "sku": "MUG-S", "price": "10.10", "stock": 1},
        {"id": 702, "title": "Large", "sku": "MUG-L", "price": "12.35", "stock": 2},
    ],
}


@tagged("post_install", "-at_install")
class TestWithMockAdapter(GenericConnectorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["myconnector.backend"].create(
            {"name": "Offline", "base_url": "http://127.0.0.1:9", "api_key": "k"}
        )

    def test_product_import_with_canned_product(self):
        adapter = MockAdapter({"get:7": PRODUCT})
        with mock_adapter(adapter):
            self.env["myconnector.product.template"].import_record(self.backend, "7")
        self.assertEqual(adapter.calls, [("get", ("7",), {})])
        variants = self.env["myconnector.product.product"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(
            sorted(
                (v.external_id, v.default_code, round(v.lst_price, 2)) for v in variants
            ),
            [("701", "MUG-S", 10.1), ("702", "MUG-L", 12.35)],
        )

    def test_canned_error_and_missing_endpoint(self):
        adapter = MockAdapter({"get": AuthError("gone")})
        # The job layer turns it into the readable, permanent failure.
        with (
            mock_adapter(adapter),
            self.assertRaisesRegex(Exception, "refused our credentials"),
        ):
            self.env["myconnector.product.template"].import_record(self.backend, "8")
        with self.assertRaisesRegex(AssertionError, "no response for levels"):
            adapter.levels("SKU-1")

    def test_inventory_import_with_canned_levels(self):
        with mock_adapter(MockAdapter({"get": PRODUCT})):
            self.env["myconnector.product.template"].import_record(self.backend, "7")
        location = self.backend.default_location_id
        adapter = MockAdapter(
            {
                "levels:MUG-S": [{"sku": "MUG-S", "location_id": 1, "available": 4}],
                "levels:MUG-L": [{"sku": "MUG-L", "location_id": 1, "available": 9}],
            }
        )
        variants = self.env["myconnector.product.product"].search(
            [("backend_id", "=", self.backend.id)]
        )
        with mock_adapter(adapter):
            self.backend._import_inventory_chunk(variants)
        quantities = {
            v.default_code: v.odoo_id.with_context(location=location.id).qty_available
            for v in variants
        }
        self.assertEqual(quantities, {"MUG-S": 4, "MUG-L": 9})
        self.assertEqual(
            sorted(call[1][0] for call in adapter.calls), ["MUG-L", "MUG-S"]
        )
