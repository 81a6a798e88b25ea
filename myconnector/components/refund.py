# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Refunds become credit notes, and return receipts when they restock.

The order's import reads its ``refunds`` (``refund.created`` re-imports the
order). Each refund Odoo has not bound yet becomes one posted credit note
(``out_refund``) of the customer: a line per refunded order line (its
product, the quantity refunded, the order line's unit price, discount and
taxes, so that its untaxed amount is the platform's to the cent) and one
line of the shipping refunded. Its origin is the order.

* The order has a posted invoice: the credit note reverses it
  (``reversed_entry_id``), and Odoo reconciles it with what the invoice
  still has open, as its *Credit Note* button does.
* It has none: the credit note stands alone, linked to the order by its
  origin and binding, not to the order lines: the order is invoiced in full
  later (by whatever workflow invoices it), and the credit note offsets it.
  Linking the lines would lower the quantities invoiced, and the later
  invoice would bill the refunded goods again.

When the refund restocks, a return of the delivered goods (up to what was
delivered of each line, spread over the order's done deliveries) is created
and left ready: the warehouse validates it when the parcel arrives, which
is when stock really comes back. Its moves do not lower the quantities
delivered on the order (``to_refund`` off), for the same reason. Without
restock, the credit note alone.

One refund, one credit note: the binding's external id is the refund's,
so a job run twice, or a late webhook, creates nothing more. A refund Odoo
cannot take (a line the order does not have) is logged on the order with a
warning; the order's other refunds proceed.
"""

import logging
from decimal import Decimal

from odoo import Command, _

from odoo.addons.component.core import Component
from odoo.addons.generic_connector.exceptions import RemoteDataError

from .fulfilment import PICKING_MODEL

_logger = logging.getLogger(__name__)

REFUND_MODEL = "myconnector.account.move"


class OrderRecordImporter(Component):
    """The order's import, then its refunds and the platform's shipments."""

    _inherit = "myconnector.order.record.importer"

    #: a new refund or shipment alone is a change of the order
    _digest_keys = ("refunds", "fulfillments")

    def _after_import(self, binding):
        """The order's refunds and shipments in the order the platform made
        them (``created_at``): a refund that restocks goods shipped from the
        platform finds their delivery validated."""
        result = super()._after_import(binding)
        record = self.remote_record
        refunds = self.component(usage="refund.importer", model_name=REFUND_MODEL)
        shipments = self.component(
            usage="fulfillment.importer", model_name=PICKING_MODEL
        )
        events = [
            (item.get("created_at") or "", refunds, item)
            for item in record.get("refunds") or ()
            if isinstance(item, dict)
        ] + [
            (item.get("created_at") or "", shipments, item)
            for item in record.get("fulfillments") or ()
            if isinstance(item, dict)
        ]
        for _created, importer, item in sorted(events, key=lambda e: str(e[0])):
            importer.run(binding, [item])
        return result


class RefundImporter(Component):
    """Credit notes (and returns) of an order's refunds (``run``)."""

    _name = "myconnector.refund.importer"
    _inherit = ["base.importer", "generic.synchronizer", "myconnector.base"]
    _apply_on = REFUND_MODEL
    _usage = "refund.importer"

    def run(self, order_binding, refunds):
        for refund in refunds or ():
            if not isinstance(refund, dict) or self.binder.to_internal(
                str(refund.get("id"))
            ):
                continue
            try:
                with self.env.cr.savepoint():
                    self._import_refund(order_binding, refund)
            except RemoteDataError as err:
                _logger.warning("%s", err)
                order_binding.odoo_id._message_log(body=str(err))

    def _import_refund(self, order_binding, refund):
        order = order_binding.odoo_id
        invoice = order.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )[:1]
        # Accounting rights the integration user (webhooks) has not: the
        # platform, where the money went back, decided this credit note.
        move_sudo = (
            self.env["account.move"]
            .sudo()
            .with_company(order.company_id)
            .create(self._move_values(order_binding, refund, invoice))
        )
        # Posted with a reversed invoice, Odoo reconciles the two.
        move_sudo.action_post()
        binding_sudo = (
            self.env[REFUND_MODEL]
            .sudo()
            .create(
                {
                    "odoo_id": move_sudo.id,
                    "backend_id": self.backend_record.id,
                    "order_binding_id": order_binding.id,
                    "restock": bool(refund.get("restock")),
                    "remote_total": refund.get("total"),
                }
            )
        )
        self.binder.bind(str(refund["id"]), binding_sudo)
        if refund.get("restock"):
            binding_sudo.return_picking_ids = self._returns(
                order_binding, refund, move_sudo
            )

    def _move_values(self, order_binding, refund, invoice):
        order = order_binding.odoo_id
        lines = [
            Command.create(self._line_values(order_binding, refund, item))
            for item in refund.get("lines") or ()
        ]
        shipping = self._amount(refund, refund.get("shipping") or "0", "shipping")
        if shipping:
            lines.append(
                Command.create(
                    {
                        "name": _("Shipping refunded"),
                        "quantity": 1,
                        "price_unit": float(shipping),
                        "tax_ids": [Command.clear()],
                    }
                )
            )
        return {
            "move_type": "out_refund",
            "partner_id": order.partner_invoice_id.id,
            "currency_id": order.currency_id.id,
            "invoice_origin": order.name,
            "ref": _(
                "Refund %(id)s of order %(ref)s",
                id=refund.get("id"),
                ref=order.client_order_ref or order_binding.external_id,
            ),
            "reversed_entry_id": invoice.id or False,
            "invoice_line_ids": lines,
        }

    def _line_values(self, order_binding, refund, item):
        order = order_binding.odoo_id
        ref = str(item.get("line_id")) if isinstance(item, dict) else None
        line = order.order_line.filtered(lambda x: x.myconnector_line_ref == ref)[:1]
        quantity = item.get("quantity") if isinstance(item, dict) else None
        if not line or not isinstance(quantity, int) or quantity < 1:
            raise RemoteDataError(
                _(
                    "MyConnector refund %(id)s of order %(ref)s: line %(line)s "
                    "(quantity %(qty)s) is not a line of the order in Odoo: no "
                    "credit note",
                    id=refund.get("id"),
                    ref=order.client_order_ref or order_binding.external_id,
                    line=ref,
                    qty=quantity,
                )
            )
        return {
            "product_id": line.product_id.id,
            "name": line.name,
            "quantity": quantity,
            "product_uom_id": line.product_uom.id,
            "price_unit": line.price_unit,
            "discount": line.discount,
            "tax_ids": [Command.set(line.tax_id.ids)],
        }

    @staticmethod
    def _amount(refund, value, what):
        try:
            amount = Decimal(str(value))
        except ArithmeticError as err:
            raise RemoteDataError(
                f"MyConnector refund {refund.get('id')}: invalid {what} {value!r:.40}"
            ) from err
        if not amount.is_finite() or amount < 0:
            raise RemoteDataError(
                f"MyConnector refund {refund.get('id')}: invalid {what} {value!r:.40}"
            )
        return amount

    def _returns(self, order_binding, refund, credit_note):
        """Ready returns of the delivered goods the refund restocks (none
        when nothing of them was delivered)."""
        order = order_binding.odoo_id
        wanted = {
            str(item["line_id"]): item["quantity"] for item in refund.get("lines") or ()
        }
        returns = self.env["stock.picking"]
        deliveries = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state == "done"
        )
        for delivery in deliveries.sorted("id"):
            picking = self._return_of(delivery, wanted)
            if picking:
                returns |= picking
        if not returns:
            credit_note._message_log(
                body=_(
                    "The platform restocked refund %(id)s, but nothing of it was "
                    "delivered: no return",
                    id=refund.get("id"),
                )
            )
        return returns

    def _return_of(self, delivery, wanted):
        """The return of ``delivery``'s share of ``wanted`` (``{line ref:
        quantity}``, lowered by what it takes), or None."""
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({"picking_id": delivery.id})
        )
        taken = 0
        for line in wizard.product_return_moves:
            ref = line.move_id.sale_line_id.myconnector_line_ref
            quantity = min(wanted.get(ref, 0), line.quantity)
            wanted[ref] = wanted.get(ref, 0) - quantity
            values = {"quantity": quantity}
            if "to_refund" in line._fields:
                values["to_refund"] = False
            line.write(values)
            taken += quantity
        if not taken:
            return None
        wizard.product_return_moves.filtered(lambda x: not x.quantity).unlink()
        picking_id, __ = wizard._create_returns()
        return self.env["stock.picking"].browse(picking_id)
