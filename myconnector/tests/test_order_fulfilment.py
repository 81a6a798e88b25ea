# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shipments: validated deliveries become remote fulfilments (read back
from the sandbox), and a platform fulfilment validates the delivery when
the backend says so."""

from odoo.tests import tagged

from .common import MyConnectorCase
from .test_import_orders import OrderCaseMixin

PICKING_MODEL = "myconnector.stock.picking"


class AfterSaleCaseMixin(OrderCaseMixin):
    """An order paid on the platform, imported and confirmed, its goods in
    stock; helpers to ship it in Odoo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Order = cls.env["myconnector.sale.order"]
        cls.stock = (
            cls.env["stock.warehouse"]
            .search([("company_id", "=", cls.env.company.id)], limit=1)
            .lot_stock_id
        )

    def import_paid_order(self, lines):
        remote = self.remote(
            "POST",
            "/api/v1/orders",
            json={"customer_id": 1, "status": "paid", "lines": lines},
        )["data"]
        self.Order.import_record(self.backend, remote["id"])
        self.assertEqual(self.run_jobs()["failed"], 0)
        binding = self.orders().filtered(lambda b: b.external_id == str(remote["id"]))
        self.assertEqual(binding.state, "sale")
        for product in binding.order_line.product_id:
            self.env["stock.quant"]._update_available_quantity(product, self.stock, 10)
        return binding, remote

    def ship(self, picking, quantities, tracking=None, carrier=None):
        """Validate ``picking`` for ``{sku: quantity}``, the rest to a
        backorder; return the backorder."""
        picking.action_assign()
        picking.write(
            {"myconnector_tracking_ref": tracking, "myconnector_carrier": carrier}
        )
        for move in picking.move_ids:
            quantity = quantities.get(move.product_id.default_code, 0)
            move.write({"quantity": quantity, "picked": bool(quantity)})
        picking.with_context(skip_backorder=True).button_validate()
        self.assertEqual(picking.state, "done")
        return picking.backorder_ids

    def remote_fulfillments(self, order_id):
        return self.remote("GET", f"/api/v1/orders/{order_id}/fulfillments")["data"][
            "items"
        ]


@tagged("post_install", "-at_install")
class TestOrderFulfilment(AfterSaleCaseMixin, MyConnectorCase):
    seed_records = 12

    def test_two_partial_shipments_give_two_remote_fulfilments(self):
        self.backend.fulfillment_carrier = "Sandbox Post"
        binding, remote = self.import_paid_order(
            [{"sku": "SKU-00001", "quantity": 3}, {"sku": "SKU-00002", "quantity": 1}]
        )
        first_line, second_line = (line["id"] for line in remote["lines"])
        picking = binding.picking_ids
        backorder = self.ship(picking, {"SKU-00001": 2}, "1Z-FIRST", "UPS")
        self.assertEqual(len(backorder), 1)
        self.ship(backorder, {"SKU-00001": 1, "SKU-00002": 1}, "1Z-SECOND")
        self.assertEqual(self.run_jobs()["failed"], 0)
        shipped = self.remote_fulfillments(remote["id"])
        self.assertEqual(
            [
                (f["reference"], f["tracking_company"], f["tracking_number"])
                for f in shipped
            ],
            [
                (picking.name, "UPS", "1Z-FIRST"),
                (backorder.name, "Sandbox Post", "1Z-SECOND"),
            ],
        )
        self.assertEqual(
            [[(x["line_id"], x["quantity"]) for x in f["lines"]] for f in shipped],
            [[(first_line, 2)], [(first_line, 1), (second_line, 1)]],
        )
        bindings = self.env[PICKING_MODEL].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(
            {(b.odoo_id, b.external_id) for b in bindings},
            {(picking, str(shipped[0]["id"])), (backorder, str(shipped[1]["id"]))},
        )
        # The job again, and again with its first answer lost (the binding
        # not saved): the platform still has two fulfilments.
        first = bindings.filtered(lambda b: b.odoo_id == picking)
        first.export_fulfillment()
        first.external_id = False
        first.export_fulfillment()
        self.assertEqual(first.external_id, str(shipped[0]["id"]))
        self.assertEqual(len(self.remote_fulfillments(remote["id"])), 2)
        # Lost again, then the order imported with platform shipments
        # validating deliveries: Odoo's own shipment is recognised and bound,
        # not taken for a new one.
        first.external_id = False
        self.backend.fulfillment_validates_delivery = True
        self.Order.import_record(self.backend, remote["id"], force=True)
        self.assertEqual(first.external_id, str(shipped[0]["id"]))
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertEqual(len(self.remote_fulfillments(remote["id"])), 2)

    def test_platform_fulfilment_validates_the_delivery_when_set(self):
        self.backend.fulfillment_validates_delivery = True
        binding, remote = self.import_paid_order([{"sku": "SKU-00003", "quantity": 3}])
        picking = binding.picking_ids
        shipped = self.remote(
            "POST",
            "/admin/simulate/fulfillment",
            json={
                "order_id": remote["id"],
                "lines": [{"line_id": remote["lines"][0]["id"], "quantity": 2}],
                "tracking_number": "REMOTE-1",
            },
        )
        self.Order.import_record(self.backend, remote["id"])
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.move_ids.quantity, 2)
        self.assertEqual(picking.myconnector_tracking_ref, "REMOTE-1")
        self.assertEqual(picking.backorder_ids.move_ids.product_uom_qty, 1)
        self.assertEqual(picking.myconnector_bind_ids.external_id, str(shipped["id"]))
        # Nothing went back: the platform has its one fulfilment.
        self.assertEqual(len(self.remote_fulfillments(remote["id"])), 1)
        # Imported again: nothing more.
        self.Order.import_record(self.backend, remote["id"], force=True)
        self.assertEqual(picking.backorder_ids.state, "assigned")

    def test_platform_fulfilment_is_left_alone_when_not_set(self):
        binding, remote = self.import_paid_order([{"sku": "SKU-00003", "quantity": 3}])
        self.remote(
            "POST", "/admin/simulate/fulfillment", json={"order_id": remote["id"]}
        )
        self.Order.import_record(self.backend, remote["id"])
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertNotEqual(binding.picking_ids.state, "done")
        self.assertFalse(binding.picking_ids.myconnector_bind_ids)

    def test_shipped_twice_is_refused_with_the_platforms_reason(self):
        # Shipped on the platform (left alone here), then in Odoo too.
        binding, remote = self.import_paid_order([{"sku": "SKU-00004", "quantity": 3}])
        self.remote(
            "POST", "/admin/simulate/fulfillment", json={"order_id": remote["id"]}
        )
        self.ship(binding.picking_ids, {"SKU-00004": 3}, "1Z-LATE")
        self.assertEqual(self.run_jobs()["failed"], 1)
        job = self.env["queue.job"].search(
            [("method_name", "=", "export_fulfillment"), ("state", "=", "failed")]
        )
        self.assertIn("3 ordered, 3 fulfilled already", job.exc_message)
        self.assertFalse(binding.picking_ids.myconnector_bind_ids.external_id)
        self.assertEqual(len(self.remote_fulfillments(remote["id"])), 1)
