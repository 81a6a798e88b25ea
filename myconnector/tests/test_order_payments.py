# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Orders by payment, over HTTP against the sandbox: taxes table, gateways,
totals guard, invoices and payments to the cent, holds and their reasons."""

from decimal import Decimal

from odoo.tests import tagged

from .common import MyConnectorCase

# The sandbox's seeded taxes (sandbox/seed.py TAXES); VAT 6% is left unmapped.
TAXES = {
    ("21.00", "BE", True): 21,
    ("20.00", "FR", True): 20,
    ("8.25", "US", False): 8.25,
}
UNMAPPED_TAX = (
    "Tax 'VAT 6%' (6.0%, BE, excluded) has no Odoo tax: map it under Backend > Taxes"
)
UNMAPPED_GATEWAY = (
    "Payment gateway 'bank_transfer' has no journal: pick one under "
    "Backend > Payment Gateways"
)


def cents(value):
    return Decimal(str(value)).quantize(Decimal("0.01"))


class PaymentTablesMixin:
    """The 200 seeded orders with payments and taxes, a bank journal, the
    seeded taxes mapped (VAT 6% left out) and two gateways mapped (stripe:
    confirmed when paid; paypal: when authorised, partially paid confirmed);
    bank_transfer is left unmapped."""

    seed_records = 200
    sandbox_options = {"seed_payments": True}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.journal = cls.env["account.journal"].create(
            {"name": "MyConnector test bank", "type": "bank", "code": "MCTB"}
        )
        cls.taxes = {}
        for (rate, country, included), amount in TAXES.items():
            tax = cls.env["account.tax"].create(
                {
                    "name": f"MyConnector test {rate} {country}",
                    "amount": amount,
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "price_include": included,
                }
            )
            cls.env["myconnector.tax.map"].create(
                {
                    "backend_id": cls.backend.id,
                    "name": f"{rate} {country}",
                    "rate": float(rate),
                    "country_code": country,
                    "price_included": included,
                    "tax_id": tax.id,
                }
            )
        Gateway = cls.env["myconnector.payment.gateway"]
        cls.stripe = Gateway.create(
            {
                "backend_id": cls.backend.id,
                "name": "stripe",
                "journal_id": cls.journal.id,
            }
        )
        cls.paypal = Gateway.create(
            {
                "backend_id": cls.backend.id,
                "name": "paypal",
                "journal_id": cls.journal.id,
                "confirm_on": "authorized",
                "partial_policy": "confirm",
            }
        )


@tagged("post_install", "-at_install")
class TestOrderPayments(PaymentTablesMixin, MyConnectorCase):
    def orders(self):
        return self.env["myconnector.sale.order"].search(
            [("backend_id", "=", self.backend.id)]
        )

    def remote_orders(self):
        data = self.remote("GET", "/api/v1/orders", params={"per_page": 250})["data"]
        return {str(o["id"]): o for o in data["items"]}

    def skew(self, order, delta):
        self.remote(
            "POST", "/admin/simulate/total", json={"order_id": order, "delta": delta}
        )

    def payments_of(self, binding):
        return (
            self.env["account.payment"]
            .search([("ref", "=like", f"MyConnector {self.backend.id}/%")])
            .filtered(lambda p: binding.odoo_id.invoice_ids & p.reconciled_invoice_ids)
        )

    def expected(self, remote, skewed):
        """(state, reason fragment or None) the import should leave."""
        taxes = {
            (t["rate"], t["country"], t["price_included"])
            for line in remote["lines"]
            for t in line["taxes"]
        }
        status = remote["financial_status"]
        if remote["status"] == "cancelled":
            return "cancel", None
        if ("6.00", "BE", False) in taxes:
            return "draft", UNMAPPED_TAX
        if remote["gateway"] == "bank_transfer":
            return "draft", UNMAPPED_GATEWAY
        if remote["id"] in skewed:
            return "draft", "differs from the platform's"
        if status == "partially_paid" and remote["gateway"] == "stripe":
            return "draft", "Partially paid"
        if status == "paid" or (
            status in ("authorized", "partially_paid") and remote["gateway"] == "paypal"
        ):
            return "sale", None
        return "draft", None

    def test_mixed_payments_invoiced_and_paid_to_the_cent(self):
        remote = self.remote_orders()
        paid_stripe = [
            o
            for o in remote.values()
            if o["id"] <= self.seed_records
            and o["financial_status"] == "paid"
            and o["gateway"] == "stripe"
            and o["status"] == "paid"
            and all(t["rate"] != "6.00" for x in o["lines"] for t in x["taxes"])
        ]
        guarded, rounded = paid_stripe[0]["id"], paid_stripe[1]["id"]
        self.skew(guarded, "0.50")
        self.skew(rounded, "-0.01")
        remote = self.remote_orders()
        self.backend.action_import_orders()
        self.assertEqual(self.run_jobs()["failed"], 0)
        bindings = {b.external_id: b for b in self.orders()}
        self.assertEqual(set(bindings), set(remote))
        outcomes = {"invoiced": 0, "held": 0, "confirmed": 0}
        # The seeded orders (the other tests' orders stay on the platform).
        seeded = {k: o for k, o in remote.items() if o["id"] <= self.seed_records}
        self.assertEqual(len(seeded), 200)
        for key, order in seeded.items():
            binding = bindings[key]
            state, reason = self.expected(order, {guarded})
            self.assertEqual(binding.state, state, f"order {key}")
            if reason:
                self.assertIn(reason, binding.hold_reason or "", f"order {key}")
                outcomes["held"] += 1
                continue
            self.assertFalse(binding.hold_reason, f"order {key}")
            if state == "cancel":
                continue
            self.assertEqual(cents(binding.amount_total), cents(order["total"]), key)
            invoices = binding.invoice_ids
            if order["financial_status"] != "paid":
                # Never invoiced for more than was paid.
                self.assertFalse(invoices, f"order {key}")
                outcomes["confirmed"] += state == "sale"
                continue
            outcomes["invoiced"] += 1
            self.assertEqual(invoices.mapped("state"), ["posted"], key)
            self.assertEqual(cents(invoices.amount_total), cents(order["total"]), key)
            self.assertEqual(cents(invoices.amount_tax), cents(order["tax_total"]), key)
            self.assertIn(invoices.payment_state, ("paid", "in_payment"), key)
            payments = self.payments_of(binding)
            self.assertEqual(
                sorted(cents(p.amount) for p in payments),
                sorted(cents(p["amount"]) for p in order["payments"]),
                key,
            )
        self.assertTrue(all(outcomes.values()), outcomes)
        # The totals guard: both totals, an activity, not confirmed.
        flagged = bindings[str(guarded)]
        self.assertTrue(flagged.total_mismatch)
        self.assertIn(
            f"platform's {remote[str(guarded)]['total']}", flagged.hold_reason
        )
        self.assertTrue(flagged.activity_ids)
        # Within the tolerance: a rounding line, confirmed, paid.
        rounding = bindings[str(rounded)]
        self.assertEqual(rounding.state, "sale")
        self.assertEqual(
            rounding.order_line.filtered("myconnector_line_ref")
            .mapped("myconnector_line_ref")
            .count("rounding"),
            1,
        )
        # The tables were prefilled with what was seen, unmapped.
        vat6 = self.backend.tax_map_ids.filtered(lambda m: m.rate == 6.0)
        self.assertEqual(
            (vat6.name, vat6.country_code, vat6.tax_id.id), ("VAT 6%", "BE", False)
        )
        bank = self.backend.payment_gateway_ids.filtered(
            lambda g: g.name == "bank_transfer"
        )
        self.assertTrue(bank)
        self.assertFalse(bank.journal_id)

    def test_job_run_twice_registers_one_payment(self):
        order = self.remote(
            "POST",
            "/api/v1/orders",
            json={
                "customer_id": 1,
                "lines": [
                    {
                        "sku": "SKU-00001",
                        "quantity": 3,
                        "price": "19.99",
                        "discount": "10",
                        "taxes": [
                            {
                                "title": "BTW",
                                "rate": 21,
                                "country": "BE",
                                "price_included": True,
                            }
                        ],
                    }
                ],
                "payments": [
                    {"gateway": "stripe", "kind": "capture", "amount": "53.97"}
                ],
                "status": "paid",
            },
        )["data"]
        self.assertEqual(order["financial_status"], "paid")
        Binding = self.env["myconnector.sale.order"]
        for _run in range(2):
            Binding.import_record(self.backend, order["id"], force=True)
        binding = self.orders().filtered(lambda b: b.external_id == str(order["id"]))
        payments = self.payments_of(binding)
        self.assertEqual(len(payments), 1)
        self.assertEqual(cents(payments.amount), Decimal("53.97"))
        self.assertEqual(len(binding.invoice_ids), 1)
        self.assertEqual(cents(binding.invoice_ids.amount_total), Decimal("53.97"))

    def create_paid_order(self, gateway, tax=None, amount="53.97"):
        line = {"sku": "SKU-00001", "quantity": 3, "price": "19.99", "discount": "10"}
        line["taxes"] = [tax] if tax else []
        return self.remote(
            "POST",
            "/api/v1/orders",
            json={
                "customer_id": 1,
                "status": "paid",
                "lines": [line],
                "payments": [{"gateway": gateway, "amount": amount}],
            },
        )["data"]

    def import_order(self, order, force=False):
        Binding = self.env["myconnector.sale.order"]
        Binding.import_record(self.backend, order["id"], force=force)
        return self.orders().filtered(lambda b: b.external_id == str(order["id"]))

    def test_invoiced_when_shipped(self):
        self.stripe.invoice_on = "shipped"
        binding = self.import_order(self.create_paid_order("stripe"))
        self.assertEqual(binding.state, "sale")
        self.assertFalse(binding.invoice_ids)
        picking = binding.picking_ids
        picking.move_ids.quantity = 3
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(cents(binding.invoice_ids.amount_total), Decimal("53.97"))
        self.assertEqual(len(self.payments_of(binding)), 1)

    def test_held_until_mapped_then_released(self):
        tax = {"title": "IVA 10%", "rate": "10", "country": "ES"}
        binding = self.import_order(self.create_paid_order("stripe", tax, "59.37"))
        self.assertEqual(binding.state, "draft")
        self.assertEqual(
            binding.hold_reason,
            "Tax 'IVA 10%' (10.0%, ES, excluded) has no Odoo tax: map it under "
            "Backend > Taxes",
        )
        self.assertFalse(binding.invoice_ids)
        line = self.backend.tax_map_ids.filtered(lambda m: m.country_code == "ES")
        line.tax_id = self.env["account.tax"].create(
            {"name": "MyConnector test 10 ES", "amount": 10, "type_tax_use": "sale"}
        )
        binding = self.import_order({"id": int(binding.external_id)}, force=True)
        self.assertFalse(binding.hold_reason)
        self.assertEqual(binding.state, "sale")
        self.assertEqual(cents(binding.invoice_ids.amount_total), Decimal("59.37"))

    def test_totals_guard_on_orders_without_payments(self):
        """The status mapping confirms only orders whose totals agree: a
        cent per line is a rounding line, more holds the order."""
        body = {
            "customer_id": 1,
            "status": "paid",
            "lines": [{"sku": "SKU-00001", "quantity": 2, "price": "10.00"}],
        }
        near = self.remote("POST", "/api/v1/orders", json=body)["data"]
        far = self.remote("POST", "/api/v1/orders", json=body)["data"]
        self.skew(near["id"], "0.01")
        self.skew(far["id"], "-0.40")
        near, far = self.import_order(near), self.import_order(far)
        self.assertEqual((near.state, near.total_mismatch), ("sale", False))
        self.assertEqual(f"{near.amount_total:.2f}", "20.01")
        self.assertEqual((far.state, far.total_mismatch), ("draft", True))
        self.assertEqual(
            far.hold_reason,
            "Odoo total 20.00 differs from the platform's 19.60 by -0.40, more "
            "than the tolerance of 0.01: check the order's lines and taxes",
        )
        activity = far.activity_ids
        self.assertEqual(activity.summary, "Order total differs from the platform's")
        self.assertEqual(activity.user_id, far.user_id or self.env.user)

    def test_a_malformed_tax_fails_its_order_with_a_reason(self):
        order = self.create_paid_order("stripe")
        order["lines"][0]["taxes"] = [{"title": "VAT", "rate": "n/a"}]
        with self.assertRaisesRegex(Exception, "has an invalid tax"):
            self.env["myconnector.sale.order"].import_record(
                self.backend, order["id"], data=order
            )
