# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command
from odoo.tests import tagged

from .common import MyConnectorCase
from .test_import_orders import OrderCaseMixin


@tagged("post_install", "-at_install")
class TestExportStockAndOrders(OrderCaseMixin, MyConnectorCase):
    seed_records = 12

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Order = cls.env["myconnector.sale.order"]
        cls.Quant = cls.env["stock.quant"]
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.stock = warehouse.lot_stock_id
        Location = cls.env["stock.location"]
        cls.retail = Location.create(
            {
                "name": "Retail",
                "usage": "internal",
                "location_id": warehouse.view_location_id.id,
            }
        )
        cls.shelf = Location.create(
            {"name": "Retail shelf", "usage": "internal", "location_id": cls.retail.id}
        )
        cls.elsewhere = Location.create(
            {
                "name": "Elsewhere",
                "usage": "internal",
                "location_id": warehouse.view_location_id.id,
            }
        )
        cls.backend.write(
            {
                "inventory_protocol": "rest",
                "default_location_id": cls.elsewhere.id,
                "inventory_location_ids": [
                    Command.create(
                        {"remote_location_id": 1, "location_id": cls.stock.id}
                    ),
                    Command.create(
                        {"remote_location_id": 2, "location_id": cls.retail.id}
                    ),
                ],
            }
        )

    def variant(self, product_id):
        self.Binding.import_record(self.backend, product_id)
        template = self.bindings().filtered(lambda b: b.external_id == product_id)
        return self.variant_bindings(template=template.odoo_id)[:1]

    def jobs(self, method):
        return self.env["queue.job"].search([("method_name", "=", method)])

    def import_order(self, **fields):
        body = {"customer_id": 1, "lines": [{"sku": "SKU-00001", "quantity": 2}]}
        body.update(fields)
        remote = self.remote("POST", "/api/v1/orders", json=body)["data"]
        self.Order.import_record(self.backend, remote["id"])
        self.run_jobs()
        return self.orders().filtered(lambda b: b.external_id == str(remote["id"]))

    def test_stock_change_reaches_the_mapped_location_once(self):
        variant = self.variant("3")
        product, sku = variant.odoo_id, variant.default_code
        # The inventory import moves quants in Odoo: nothing is sent back.
        self.remote("POST", "/admin/simulate/stock", json={"sku": sku, "available": 4})
        self.backend._import_inventory_chunk(variant)
        self.assertEqual(product.with_context(location=self.stock.id).qty_available, 4)
        self.assertFalse(self.export_jobs())

        # Three changes in Odoo in a row (an adjustment, moves): one export.
        self.Quant.with_context(inventory_mode=True).create(
            {
                "product_id": product.id,
                "location_id": self.retail.id,
                "inventory_quantity": 7,
            }
        ).action_apply_inventory()
        self.Quant._update_available_quantity(product, self.retail, -1)
        self.Quant._update_available_quantity(product, self.shelf, 3)
        self.assertEqual(len(self.jobs("export_stock_level")), 1)
        # A location mapped to nothing exports nothing.
        self.Quant._update_available_quantity(product, self.elsewhere, 5)
        self.assertEqual(len(self.jobs("export_stock_level")), 1)
        self.assertEqual(self.run_jobs()["failed"], 0)
        # Retail's own stock: the 3 on its child shelf are not its own (the
        # import sets Retail alone: counting them would come back as Retail's).
        self.assertEqual(self.remote_level(sku, 2), 6)
        self.assertEqual(self.remote_level(sku, 1), 4)

        self.Quant._update_available_quantity(product, self.stock, 6)
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertEqual(self.remote_level(sku, 1), 10)
        self.assertEqual(self.remote_level(sku, 2), 6)

    def test_validated_delivery_fulfils_the_remote_order(self):
        binding = self.import_order(status="paid")
        self.assertEqual(binding.state, "sale")
        picking = binding.picking_ids
        self.assertEqual(len(picking), 1)
        product = picking.move_ids.product_id
        self.Quant._update_available_quantity(product, self.stock, 10)
        self.run_jobs()
        picking.action_assign()
        picking.move_ids.write({"quantity": 2, "picked": True})
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(len(self.jobs("export_order_status")), 1)
        self.assertEqual(self.run_jobs()["failed"], 0)
        remote = self.remote("GET", f"/api/v1/orders/{binding.external_id}")["data"]
        self.assertEqual(remote["status"], "fulfilled")
        self.assertEqual(binding.remote_status, "fulfilled")
        self.assertEqual(binding.remote_updated_at, remote["updated_at"])
        self.assertEqual(self.remote_level(product.default_code, 1), 8)
        # Importing the order again changes nothing (already seen).
        self.Order.import_record(self.backend, binding.external_id)
        self.assertFalse(binding.remote_change_note)

    def test_order_cancelled_in_odoo_cancels_remotely(self):
        binding = self.import_order()
        self.assertEqual(binding.state, "draft")
        binding.odoo_id.action_cancel()
        self.assertEqual(self.run_jobs()["failed"], 0)
        remote = self.remote("GET", f"/api/v1/orders/{binding.external_id}")["data"]
        self.assertEqual(remote["status"], "cancelled")
        self.assertEqual(binding.remote_status, "cancelled")

    def test_platform_refusal_to_cancel_is_logged(self):
        binding = self.import_order(status="fulfilled")
        self.assertEqual(binding.state, "sale")
        binding.odoo_id.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(self.run_jobs()["failed"], 0)
        remote = self.remote("GET", f"/api/v1/orders/{binding.external_id}")["data"]
        self.assertEqual(remote["status"], "fulfilled")
        note = binding.odoo_id.message_ids[:1].body.striptags()
        # In a sentence: what was refused, why, and where things stand.
        self.assertIn(
            f"The platform refused to cancel order {binding.client_order_ref}: "
            "the order is fulfilled there, and a fulfilled order cannot be "
            "cancelled. It stays cancelled in Odoo and fulfilled on the platform",
            note,
        )
        self.assertNotIn("409", note)
        self.assertEqual(note, self.jobs("export_order_status").result)
