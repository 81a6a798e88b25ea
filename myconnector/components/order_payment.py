# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Orders by payment: taxes table, gateways, totals guard, invoice, payment.

An order that carries payments (a ``financial_status``) or line taxes goes
through ``myconnector.order.payments`` after its lines are written:

* its taxes are found in the backend's taxes table (rate, country, price
  included); a tax not mapped yet gets a line, and holds the order;
* its gateway is found in the backend's gateways; one without journal gets a
  line too, and holds the order;
* the totals guard compares Odoo's total with the platform's: a difference
  within the backend's tolerance (per line) becomes a rounding line, a
  larger one holds the order with both totals and an activity for the
  salesperson;
* then the gateway decides: confirm when authorised or when paid; a
  partially paid order is held or confirmed; a paid order is invoiced (now,
  or once its delivery is done) and the platform's captures are registered
  on the invoice and reconciled, once each (the payment's memo is the
  transaction's id: a second run finds it).

A held order stays a quotation; its binding says why (``hold_reason``) and
the order's chatter has a note. The next import that finds nothing wrong
releases it. Orders without payments nor taxes keep the status mapping.
"""

import json
import logging
from decimal import Decimal

from odoo import Command, _

from odoo.addons.component.core import Component
from odoo.addons.generic_connector.components.core import find_or_create
from odoo.addons.generic_connector.exceptions import RemoteDataError

from ..models.myconnector_tax_map import tax_key

_logger = logging.getLogger(__name__)

ORDER_MODEL = "myconnector.sale.order"
OPEN_STATES = ("draft", "sent")
ROUNDING_REF = "rounding"
PAID_STATES = ("paid", "in_payment")


def _rate(value):
    """``21.0``, ``8.25``: a percentage as people write it."""
    text = f"{float(value or 0):.4f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _cents(value):
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def applies(record):
    """Whether the remote order carries payments or line taxes."""
    lines = record.get("lines") if isinstance(record.get("lines"), list) else []
    return "financial_status" in record or any(
        isinstance(x, dict) and "taxes" in x for x in lines
    )


class OrderPayments(Component):
    _name = "myconnector.order.payments"
    _inherit = "myconnector.base"
    _apply_on = ORDER_MODEL
    _usage = "order.payments"

    # -- taxes -----------------------------------------------------------

    def tax_maps(self, record):
        """``{key: myconnector.tax.map}`` of the taxes of ``record``'s lines,
        the unknown ones created unmapped (prefilled from the order)."""
        seen = {}
        for line in record.get("lines") or []:
            for tax in (line.get("taxes") or []) if isinstance(line, dict) else []:
                self._check_tax(record, line, tax)
                key = tax_key(tax["rate"], tax.get("country"), tax["price_included"])
                seen.setdefault(key, tax)
        if not seen:
            return {}
        # A shared row, created by whichever order meets the tax first (the
        # importing user may not edit the backend's configuration).
        maps = find_or_create(
            self.env["myconnector.tax.map"].sudo(),
            "key",
            list(seen),
            {"backend_id": self.backend_record.id},
        )
        for key, row in maps.items():
            if not row.name:
                tax = seen[key]
                row.write(
                    {
                        "name": tax.get("title"),
                        "rate": float(tax["rate"]),
                        "country_code": (tax.get("country") or "").upper() or False,
                        "price_included": bool(tax["price_included"]),
                    }
                )
        return maps

    @staticmethod
    def _check_tax(record, line, tax):
        try:
            valid = isinstance(tax, dict) and float(tax["rate"]) >= 0
            valid = valid and isinstance(tax.get("price_included"), bool)
        except (KeyError, TypeError, ValueError):
            valid = False
        if not valid:
            raise RemoteDataError(
                f"MyConnector order {record.get('id')}: line {line.get('id')} has "
                f"an invalid tax {tax!r:.80} (a rate and price_included expected)"
            )

    @staticmethod
    def line_taxes(line, maps):
        """The Odoo taxes of a remote line (the mapped ones)."""
        keys = [
            tax_key(t["rate"], t.get("country"), t["price_included"])
            for t in line.get("taxes") or []
        ]
        return [maps[k].tax_id.id for k in keys if k in maps and maps[k].tax_id]

    def _tax_reasons(self, maps):
        return [
            _(
                "Tax '%(title)s' (%(rate)s%%, %(country)s, %(kind)s) has no Odoo "
                "tax: map it under Backend > Taxes",
                title=row.name,
                rate=_rate(row.rate),
                country=row.country_code or _("no country"),
                kind=_("included") if row.price_included else _("excluded"),
            )
            for row in maps.values()
            if not row.tax_id
        ]

    # -- gateways --------------------------------------------------------

    def gateway(self, name):
        """The backend's line for gateway ``name``, created when missing."""
        if not name:
            return self.env["myconnector.payment.gateway"]
        return find_or_create(
            self.env["myconnector.payment.gateway"].sudo(),
            "name",
            [name],
            {"backend_id": self.backend_record.id},
        )[name]

    # -- the workflow ----------------------------------------------------

    def run(self, binding, order, record, maps):
        """Hold, confirm, invoice and pay ``order`` as its payments say."""
        status = record.get("financial_status") or "pending"
        gateway = self.gateway(record.get("gateway"))
        reasons = self._tax_reasons(maps)
        if gateway and not gateway.journal_id:
            reasons.append(
                _(
                    "Payment gateway '%(name)s' has no journal: pick one under "
                    "Backend > Payment Gateways",
                    name=gateway.name,
                )
            )
        if not reasons and order.state in OPEN_STATES:
            reasons += self._totals_guard(binding, order, record)
            if status == "partially_paid" and gateway.partial_policy != "confirm":
                reasons.append(
                    _(
                        "Partially paid: %(paid)s of %(total)s received; gateway "
                        "'%(name)s' holds such orders (Backend > Payment Gateways)",
                        paid=record.get("amount_paid"),
                        total=record.get("total"),
                        name=gateway.name,
                    )
                )
        self._set_hold(binding, order, reasons)
        if reasons:
            return
        if order.state in OPEN_STATES and self._confirms(status, gateway):
            order.action_confirm()
        if status == "paid" and gateway.invoice_on == "paid":
            self.invoice_and_pay(binding, gateway)

    @staticmethod
    def _confirms(status, gateway):
        if status == "paid":
            return True
        if status == "authorized":
            return gateway.confirm_on == "authorized"
        return status == "partially_paid" and gateway.partial_policy == "confirm"

    def totals_ok(self, binding, order, record):
        """The totals guard alone (orders without payments): whether the
        order may be confirmed; flags it when not."""
        reasons = self._totals_guard(binding, order, record)
        self._set_hold(binding, order, reasons)
        return not reasons

    def _totals_guard(self, binding, order, record):
        """Reasons to hold ``order`` for its total (none, or one): a
        difference within the tolerance becomes a rounding line."""
        try:
            remote = _cents(record.get("total"))
        except ArithmeticError:
            return [_("The platform's total %(t)r is not a number", t=record["total"])]
        difference = remote - _cents(order.amount_total)
        lines = len(record.get("lines") or []) or 1
        tolerance = _cents(self.backend_record.order_rounding_tolerance) * lines
        if not difference:
            self._flag(binding, False)
            return []
        if abs(difference) <= tolerance:
            self._add_rounding(order, difference)
            self._flag(binding, False)
            return []
        self._flag(binding, True)
        reason = _(
            "Odoo total %(odoo)s differs from the platform's %(remote)s by "
            "%(diff)s, more than the tolerance of %(tol)s: check the order's "
            "lines and taxes",
            odoo=_cents(order.amount_total),
            remote=remote,
            diff=difference,
            tol=tolerance,
        )
        self._schedule_activity(order, reason)
        return [reason]

    @staticmethod
    def _flag(binding, mismatch):
        if binding.total_mismatch != mismatch:
            binding.with_context(connector_no_export=True).total_mismatch = mismatch

    def _add_rounding(self, order, difference):
        product = self.env.ref("myconnector.product_order_rounding")
        order.write(
            {
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "name": _("Rounding to the platform's total"),
                            "product_uom_qty": 1,
                            "price_unit": float(difference),
                            "tax_id": [Command.clear()],
                            "myconnector_line_ref": ROUNDING_REF,
                        }
                    )
                ]
            }
        )

    def _schedule_activity(self, order, reason):
        summary = _("Order total differs from the platform's")
        if order.activity_ids.filtered(lambda a: a.summary == summary):
            return
        backend = self.backend_record
        user = order.user_id
        if not user and "order_user_id" in backend._fields:
            user = backend.order_user_id
        order.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            note=reason,
            user_id=(user or self.env.user).id,
        )

    def _set_hold(self, binding, order, reasons):
        reason = "\n".join(reasons) or False
        if (binding.hold_reason or False) == reason:
            return
        binding.with_context(connector_no_export=True).hold_reason = reason
        if reason:
            _logger.info("MyConnector order %s held: %s", binding.external_id, reason)
            order._message_log(body=_("Held: %(reason)s", reason=reason))

    # -- invoice and payment ---------------------------------------------

    def invoice_and_pay(self, binding, gateway=None):
        """Invoice the paid order (once) and register its captures on the
        invoice (each once). Never more than was paid: only a paid order
        comes here."""
        gateway = gateway or self.gateway(binding.payment_gateway)
        if binding.financial_status != "paid" or not gateway.journal_id:
            return
        # Accounting is the platform's word on the payment: the importing
        # user (the webhooks' integration user) has no accounting rights.
        order_sudo = binding.odoo_id.sudo()
        invoices = order_sudo.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state != "cancel"
        )
        if not invoices and order_sudo.invoice_status == "to invoice":
            invoices = order_sudo._create_invoices()
            invoices.action_post()
        if gateway.register_payment:
            self._register_payments(binding, invoices, gateway)

    def _register_payments(self, binding, invoices, gateway):
        captures = [
            p
            for p in json.loads(binding.remote_payments or "[]")
            if p.get("kind") == "capture"
        ]
        refs = {f"MyConnector {binding.backend_id.id}/{p['id']}": p for p in captures}
        Payment = self.env["account.payment"].sudo()
        done = set(Payment.search([("ref", "in", list(refs))]).mapped("ref"))
        for ref, capture in refs.items():
            posted = invoices.filtered(
                lambda m: m.state == "posted" and m.payment_state not in PAID_STATES
            )
            if ref in done or not posted:
                continue
            wizard = (
                self.env["account.payment.register"]
                .sudo()
                .with_context(active_model="account.move", active_ids=posted.ids)
                .create(
                    {
                        "journal_id": gateway.journal_id.id,
                        "amount": float(capture["amount"]),
                        "communication": ref,
                    }
                )
            )
            wizard._create_payments()


class StockPickingInvoiceListener(Component):
    """Invoice when shipped: a paid order whose gateway says so is invoiced
    (and its payments registered) once a delivery of it is done."""

    _name = "myconnector.stock.picking.invoice.listener"
    _inherit = "base.connector.listener"
    _apply_on = "stock.picking"

    def on_record_write(self, record, fields=None):
        if "date_done" not in (fields or ()):
            return
        delivered = record.sudo().filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        )
        for binding in delivered.sale_id.myconnector_bind_ids:
            if binding.financial_status != "paid":
                continue
            with binding.backend_id.work_on(ORDER_MODEL) as work:
                payments = work.component(usage="order.payments")
                gateway = payments.gateway(binding.payment_gateway)
                if gateway.invoice_on == "shipped":
                    payments.invoice_and_pay(binding, gateway)
