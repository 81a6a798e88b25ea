# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The books of 200 orders, over HTTP against the sandbox: mixed payment
states (imported, invoiced and paid by their gateways), then refunds with
and without restock and partial shipments made on the platform, imported
again. Every invoice, credit note and payment equals the platform's to the
cent; restocked refunds give a return receipt, the others none; a partial
platform shipment validates that much of the Odoo delivery, the rest in a
backorder."""

from decimal import Decimal

from odoo.tests import tagged

from .common import MyConnectorCase
from .test_order_payments import PaymentTablesMixin, cents

REFUND_MODEL = "myconnector.account.move"


@tagged("post_install", "-at_install")
class TestOrderBooks(PaymentTablesMixin, MyConnectorCase):
    def remote_orders(self):
        data = self.remote("GET", "/api/v1/orders", params={"per_page": 250})["data"]
        return {str(o["id"]): o for o in data["items"]}

    def bindings(self):
        orders = self.env["myconnector.sale.order"].search(
            [("backend_id", "=", self.backend.id)]
        )
        return {b.external_id: b for b in orders}

    def import_orders(self):
        self.backend.action_import_orders()
        self.assertEqual(self.run_jobs()["failed"], 0)

    def stock_up(self, bindings):
        stock = (
            self.env["stock.warehouse"]
            .search([("company_id", "=", self.env.company.id)], limit=1)
            .lot_stock_id
        )
        for product in bindings.mapped("order_line.product_id"):
            if product.type == "product":
                self.env["stock.quant"]._update_available_quantity(product, stock, 50)

    def check_books(self, remote, bindings):
        """Invoices and payments of every invoiced order equal the
        platform's to the cent; return how many were checked."""
        checked = 0
        for key, order in remote.items():
            binding = bindings[key]
            invoices = binding.invoice_ids.filtered(
                lambda m: m.move_type == "out_invoice"
            )
            if not invoices:
                continue
            checked += 1
            self.assertEqual(order["financial_status"], "paid", key)
            self.assertEqual(cents(invoices.amount_total), cents(order["total"]), key)
            self.assertEqual(cents(invoices.amount_tax), cents(order["tax_total"]), key)
            payments = (
                self.env["account.payment"]
                .search([("ref", "=like", f"MyConnector {self.backend.id}/%")])
                .filtered(lambda p, inv=invoices: inv & p.reconciled_invoice_ids)
            )
            self.assertEqual(
                sorted(cents(p.amount) for p in payments),
                sorted(cents(p["amount"]) for p in order["payments"]),
                key,
            )
        return checked

    def test_payments_refunds_and_partial_shipments_to_the_cent(self):
        self.backend.fulfillment_validates_delivery = True
        self.import_orders()
        remote, bindings = self.remote_orders(), self.bindings()
        self.assertEqual(len(remote), 200)
        self.assertEqual(set(bindings), set(remote))
        invoiced = [
            k
            for k, b in sorted(bindings.items(), key=lambda kb: int(kb[0]))
            if b.state == "sale"
            and b.invoice_ids.filtered(lambda m: m.state == "posted")
            and b.picking_ids
        ]
        confirmed = [
            k
            for k, b in sorted(bindings.items(), key=lambda kb: int(kb[0]))
            if b.state == "sale"
            and k not in invoiced
            and b.picking_ids
            and any(line["quantity"] >= 2 for line in remote[k]["lines"])
        ]
        self.assertGreaterEqual(len(invoiced), 6)
        self.assertGreaterEqual(len(confirmed), 2)
        restocked, kept, partial = invoiced[:3], invoiced[3:6], confirmed[:2]
        self.stock_up(
            self.env["myconnector.sale.order"].browse(
                [bindings[k].id for k in restocked + partial]
            )
        )
        # The platform ships the restocked orders in full, then refunds one
        # of each of their lines (and shipping) with restock; the kept ones
        # are refunded without restock; the partial ones ship one of a line.
        for key in restocked:
            self.remote(
                "POST",
                "/admin/simulate/fulfillment",
                json={"order_id": int(key), "tracking_number": f"TRK-{key}"},
            )
        refunds = {}
        for key in restocked + kept:
            refunds[key] = self.remote(
                "POST",
                f"/api/v1/orders/{key}/refunds",
                json={
                    "lines": [
                        {"line_id": line["id"], "quantity": 1}
                        for line in remote[key]["lines"]
                    ],
                    "shipping": "4.90",
                    "restock": key in restocked,
                },
            )["data"]
        shipped = {}
        for key in partial:
            line = next(x for x in remote[key]["lines"] if x["quantity"] >= 2)
            shipped[key] = (line, line["quantity"] - 1)
            self.remote(
                "POST",
                "/admin/simulate/fulfillment",
                json={
                    "order_id": int(key),
                    "lines": [
                        {"line_id": line["id"], "quantity": line["quantity"] - 1}
                    ],
                    "tracking_number": f"TRK-{key}",
                },
            )
        self.import_orders()
        remote, bindings = self.remote_orders(), self.bindings()
        # Invoices and payments, all of them, still the platform's.
        self.assertGreaterEqual(self.check_books(remote, bindings), 6)
        # One credit note per refund, to the cent; a return only on restock.
        for key, refund in refunds.items():
            credit = self.env[REFUND_MODEL].search(
                [("order_binding_id", "=", bindings[key].id)]
            )
            self.assertEqual(len(credit), 1, key)
            self.assertEqual(
                (credit.move_type, credit.state), ("out_refund", "posted"), key
            )
            self.assertEqual(cents(credit.amount_total), Decimal(refund["total"]), key)
            self.assertEqual(
                cents(credit.amount_tax),
                sum(
                    (
                        Decimal(t["amount"])
                        for line in refund["lines"]
                        for t in line["taxes"]
                    ),
                    Decimal(0),
                ),
                key,
            )
            self.assertEqual(
                bool(credit.return_picking_ids), key in restocked, f"order {key}"
            )
            if key in restocked:
                self.assertEqual(
                    sorted(
                        credit.return_picking_ids.move_ids.mapped("product_uom_qty")
                    ),
                    sorted(1.0 for _line in refund["lines"]),
                    key,
                )
        # A partial platform shipment validated that much of the delivery;
        # the rest waits in a backorder.
        for key, (line, quantity) in shipped.items():
            pickings = bindings[key].picking_ids
            done = pickings.filtered(lambda p: p.state == "done")
            self.assertEqual(len(done), 1, key)
            sku_moves = done.move_ids.filtered(
                lambda m, sku=line["sku"]: m.product_id.default_code == sku
            )
            self.assertEqual(sum(sku_moves.mapped("quantity")), quantity, key)
            self.assertTrue(done.backorder_ids, key)
            self.assertNotIn(done.backorder_ids.state, ("done", "cancel"), key)
