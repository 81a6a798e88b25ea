# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Refunds made on the platform become credit notes (to the cent), with a
return receipt when they restock; imported twice, still one."""

from odoo.tests import tagged

from .common import MyConnectorCase
from .test_order_fulfilment import AfterSaleCaseMixin

REFUND_MODEL = "myconnector.account.move"
LINES = [
    {"sku": "SKU-00001", "quantity": 3, "price": "19.99", "discount": "10"},
    {"sku": "SKU-00002", "quantity": 1, "price": "5.00"},
]


@tagged("post_install", "-at_install")
class TestOrderRefunds(AfterSaleCaseMixin, MyConnectorCase):
    seed_records = 12

    def refund(self, remote, body):
        return self.remote("POST", f"/api/v1/orders/{remote['id']}/refunds", json=body)[
            "data"
        ]

    def credit_notes(self, binding):
        return self.env[REFUND_MODEL].search(
            [
                ("backend_id", "=", self.backend.id),
                ("order_binding_id", "=", binding.id),
            ]
        )

    def delivered_order(self):
        binding, remote = self.import_paid_order(LINES)
        self.ship(binding.picking_ids, {"SKU-00001": 3, "SKU-00002": 1})
        self.assertEqual(self.run_jobs()["failed"], 0)
        return binding, remote

    def test_refund_with_restock_gives_credit_note_and_return(self):
        binding, remote = self.delivered_order()
        first, second = (line["id"] for line in remote["lines"])
        refund = self.refund(
            remote,
            {
                "lines": [
                    {"line_id": first, "quantity": 2},
                    {"line_id": second, "quantity": 1},
                ],
                "shipping": "4.90",
                "restock": True,
            },
        )
        self.assertEqual(refund["total"], "45.88")  # 35.98 + 5.00 + 4.90
        self.Order.import_record(self.backend, remote["id"])
        self.assertEqual(self.run_jobs()["failed"], 0)
        credit = self.credit_notes(binding)
        self.assertEqual(len(credit), 1)
        self.assertEqual(credit.external_id, str(refund["id"]))
        self.assertEqual((credit.move_type, credit.state), ("out_refund", "posted"))
        self.assertEqual(credit.partner_id, binding.partner_invoice_id)
        self.assertEqual(credit.invoice_origin, binding.name)
        # Not invoiced yet: the credit note stands alone, off the order lines.
        self.assertFalse(credit.reversed_entry_id)
        self.assertFalse(credit.invoice_line_ids.sale_line_ids)
        self.assertEqual(f"{credit.amount_untaxed:.2f}", refund["total"])
        amounts = sorted(f"{x.price_subtotal:.2f}" for x in credit.invoice_line_ids)
        self.assertEqual(amounts, ["35.98", "4.90", "5.00"])
        receipt = credit.return_picking_ids
        self.assertEqual(len(receipt), 1)
        self.assertEqual(
            (receipt.picking_type_code, receipt.state), ("incoming", "assigned")
        )
        self.assertEqual(
            sorted(
                (m.product_id.default_code, m.product_uom_qty) for m in receipt.move_ids
            ),
            [("SKU-00001", 2), ("SKU-00002", 1)],
        )
        # The order's import runs again (a job run twice, a late webhook):
        # still one credit note, one return.
        self.Order.import_record(self.backend, remote["id"], force=True)
        self.Order.import_record(self.backend, remote["id"], force=True)
        self.assertEqual(self.credit_notes(binding), credit)
        self.assertEqual(len(binding.picking_ids), 2)

    def test_refund_without_restock_reverses_the_invoice(self):
        binding, remote = self.delivered_order()
        invoice = binding.odoo_id._create_invoices()
        invoice.action_post()
        self.assertEqual(f"{invoice.amount_total:.2f}", remote["total"])
        refund = self.refund(
            remote,
            {"lines": [{"line_id": remote["lines"][0]["id"], "quantity": 1}]},
        )
        self.Order.import_record(self.backend, remote["id"])
        self.assertEqual(self.run_jobs()["failed"], 0)
        credit = self.credit_notes(binding)
        self.assertEqual(f"{credit.amount_total:.2f}", refund["total"])
        self.assertEqual(refund["total"], "17.99")
        self.assertEqual(credit.reversed_entry_id, invoice)
        self.assertFalse(credit.return_picking_ids)
        self.assertEqual(len(binding.picking_ids), 1)
        # Reconciled with the invoice: what is left to pay is the rest.
        self.assertEqual(credit.payment_state, "paid")
        self.assertEqual(
            f"{invoice.amount_residual:.2f}",
            f"{invoice.amount_total - credit.amount_total:.2f}",
        )

    def test_shipping_only_refund_and_a_bad_refund_fail_alone(self):
        binding, remote = self.import_paid_order(LINES)
        good = self.refund(remote, {"shipping": "3.00", "restock": True})
        # A refund naming a line Odoo does not have (changed behind Odoo's
        # back): logged on the order, the other refund is imported.
        order = self.remote("GET", f"/api/v1/orders/{remote['id']}")["data"]
        order["refunds"].append(
            {
                "id": 999_999,
                "order_id": remote["id"],
                "restock": False,
                "lines": [{"line_id": 424242, "quantity": 1, "amount": "1.00"}],
                "shipping": "0.00",
                "total": "1.00",
            }
        )
        self.Order.import_record(self.backend, remote["id"], data=order)
        credit = self.credit_notes(binding)
        self.assertEqual(credit.external_id, str(good["id"]))
        self.assertEqual(f"{credit.amount_total:.2f}", "3.00")
        # Restocked, but nothing was delivered: no return.
        self.assertFalse(credit.return_picking_ids)
        notes = " ".join(binding.odoo_id.message_ids.mapped("body"))
        self.assertIn("line 424242", notes)

    def test_price_included_tax_keeps_the_platforms_amounts(self):
        # The platform's prices are what the customer paid: with the
        # backend's tax included in price, the credit note's total is the
        # refund's, to the cent.
        self.backend.order_tax_id = self.env["account.tax"].create(
            {
                "name": "MyConnector refund test 20% incl",
                "amount": 20,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include": True,
            }
        )
        binding, remote = self.import_paid_order(
            LINES + [{"sku": "SKU-00003", "quantity": 7, "price": "3.33"}]
        )
        self.assertEqual(f"{binding.amount_total:.2f}", remote["total"])
        refund = self.refund(
            remote,
            {
                "lines": [
                    {"line_id": line["id"], "quantity": line["quantity"] - 1}
                    for line in remote["lines"]
                    if line["quantity"] > 1
                ],
                "shipping": "0.99",
            },
        )
        self.Order.import_record(self.backend, remote["id"])
        credit = self.credit_notes(binding)
        self.assertEqual(f"{credit.amount_total:.2f}", refund["total"])
        self.assertEqual(refund["total"], "56.95")  # 35.98 + 19.98 + 0.99
        # The goods' VAT is given back with them (the order lines' tax).
        goods = credit.invoice_line_ids.filtered("product_id")
        self.assertEqual(goods.tax_ids, self.backend.order_tax_id)
        self.assertEqual(f"{credit.amount_tax:.2f}", "9.33")
