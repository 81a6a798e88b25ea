# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shipments: each validated delivery becomes a remote fulfilment, and a
fulfilment made on the platform can validate the delivery in Odoo.

Out: a delivery of a bound order validated in Odoo (a backorder's first part
included) gets a binding (``myconnector.stock.picking``) and a job that
posts one fulfilment of the lines it shipped, with its carrier and tracking
reference, under the delivery's name as ``reference``. Retried, the job
finds the binding's fulfilment id, or, when the first run's answer was lost,
the remote fulfilment with that reference: never a second one.

In: the order's import reads its ``fulfillments``; one Odoo does not know,
when the backend's *Platform Shipments Validate Deliveries* is set, sets the
shipped quantities on the order's open delivery and validates it, what is
left going to a backorder; the delivery is bound to that fulfilment, so
nothing is sent back. Without the setting, remote fulfilments are left
alone.
"""

import logging
from collections import defaultdict

from odoo import _

from odoo.addons.component.core import Component
from odoo.addons.component_event import skip_if
from odoo.addons.generic_connector.components.listener import no_export
from odoo.addons.generic_connector.transport import extract
from odoo.addons.queue_job.exception import RetryableJobError

_logger = logging.getLogger(__name__)

PICKING_MODEL = "myconnector.stock.picking"
ORDER_MODEL = "myconnector.sale.order"
DONE = ("done", "cancel")


def shipped_lines(picking):
    """``{remote line ref: quantity}`` the done moves of ``picking`` shipped,
    in the sales line's unit (lines the platform does not know left out)."""
    shipped = defaultdict(float)
    for move in picking.move_ids:
        line = move.sale_line_id
        if move.state != "done" or not line.myconnector_line_ref:
            continue
        shipped[line.myconnector_line_ref] += move.product_uom._compute_quantity(
            move.quantity, line.product_uom
        )
    return {ref: round(qty) for ref, qty in shipped.items() if round(qty) >= 1}


def remote_line_id(ref):
    """The remote line id as the platform spells it (an integer here)."""
    return int(ref) if ref.isdigit() else ref


class FulfillmentAdapter(Component):
    """An order's fulfilments: ``/api/v1/orders/<id>/fulfillments``."""

    _name = "myconnector.fulfillment.adapter"
    _inherit = ["generic.rest.adapter", "myconnector.base"]
    _apply_on = PICKING_MODEL

    _resource_path = "/api/v1/orders"

    def _url(self, order_id):
        return f"{self._record_url(order_id)}/fulfillments"

    def list_for_order(self, order_id):
        """Every fulfilment of the remote order ``order_id``."""
        payload = self.client.request_json("GET", self._url(order_id))
        return extract(payload, "data.items") or []

    def create_for_order(self, order_id, data):
        """Post a fulfilment of the remote order; return it."""
        payload = self.client.request_json("POST", self._url(order_id), json=data)
        return extract(payload, "data")


class FulfillmentBinder(Component):
    _name = "myconnector.after_sale.binder"
    _inherit = ["generic.binder", "myconnector.base"]
    _apply_on = [PICKING_MODEL, "myconnector.account.move"]


class StockPickingFulfillmentListener(Component):
    """A validated delivery of a bound order: bind it, export it later."""

    _name = "myconnector.stock.picking.fulfillment.listener"
    _inherit = "base.connector.listener"
    _apply_on = "stock.picking"

    @skip_if(no_export)
    def on_record_write(self, record, fields=None):
        # ``_action_done`` writes date_done once the moves are done.
        if "date_done" not in (fields or ()):
            return
        pickings_sudo = record.sudo().filtered(
            lambda p: p.state == "done"
            and p.picking_type_code == "outgoing"
            and p.sale_id.myconnector_bind_ids
            and not p.myconnector_bind_ids
        )
        Binding = self.env[PICKING_MODEL].sudo()
        for picking in pickings_sudo:
            bindings = Binding.create(
                [
                    {
                        "odoo_id": picking.id,
                        "backend_id": order.backend_id.id,
                        "order_binding_id": order.id,
                    }
                    for order in picking.sale_id.myconnector_bind_ids
                    if order.external_id
                ]
            )
            bindings._export_fulfillment_later()


class FulfillmentExporter(Component):
    """Post the fulfilment of one validated delivery (``run``)."""

    _name = "myconnector.fulfillment.exporter"
    _inherit = ["base.exporter", "generic.synchronizer", "myconnector.base"]
    _apply_on = PICKING_MODEL
    _usage = "fulfillment.exporter"

    def run(self, binding):
        order = binding.order_binding_id
        # The order's lock: its import may be validating this delivery.
        self.component(usage="backend.adapter", model_name=ORDER_MODEL).lock_record(
            order.external_id
        )
        picking = binding.odoo_id
        if binding.external_id:
            return _(
                "%(picking)s is fulfilment %(id)s already",
                picking=picking.name,
                id=binding.external_id,
            )
        lines = shipped_lines(picking)
        if picking.state != "done" or not lines:
            return _(
                "%(picking)s shipped nothing of the platform's order lines",
                picking=picking.name,
            )
        remote = self._already_sent(order.external_id, picking.name)
        if remote is None:
            remote = self.backend_adapter.create_for_order(
                order.external_id, self._payload(picking, lines)
            )
        self.binder.bind(str(remote["id"]), binding)
        binding.write(
            {
                "remote_tracking_number": remote.get("tracking_number"),
                "remote_carrier": remote.get("tracking_company"),
            }
        )
        return _(
            "%(picking)s is fulfilment %(id)s of order %(ref)s (tracking %(track)s)",
            picking=picking.name,
            id=remote["id"],
            ref=order.client_order_ref or order.external_id,
            track=remote.get("tracking_number") or "-",
        )

    def _already_sent(self, order_id, reference):
        """The remote fulfilment a previous run of this job posted, if any."""
        for remote in self.backend_adapter.list_for_order(order_id):
            if remote.get("reference") == reference:
                return remote
        return None

    def _payload(self, picking, lines):
        return {
            "reference": picking.name,
            "tracking_company": picking._myconnector_carrier(self.backend_record),
            "tracking_number": picking._myconnector_tracking_ref(),
            "lines": [
                {"line_id": remote_line_id(ref), "quantity": qty}
                for ref, qty in sorted(lines.items())
            ],
        }


class OrderStatusAfterFulfillments(Component):
    """The order is marked fulfilled after the shipments waiting to be sent:
    the platform then has them all when it closes the order, and the
    status's answer is the order's newest version (a fulfilment moves it)."""

    _inherit = "myconnector.order.status.exporter"

    def run(self, binding, status):
        if status == "fulfilled":
            pending = self.env["generic.export.pending"]
            unsent = binding.odoo_id.picking_ids.myconnector_bind_ids.filtered(
                lambda b: b.backend_id == binding.backend_id and not b.external_id
            )
            # A shipment whose job failed is not waited for.
            if any(pending._waiting(delivery) for delivery in unsent):
                raise RetryableJobError(
                    _("Shipments of the order are still being sent"),
                    seconds=max(binding.backend_id.export_delay, 1),
                )
        return super().run(binding, status)


class FulfillmentImporter(Component):
    """Validate the order's delivery for the platform's fulfilments Odoo
    does not know (``run``), when the backend says so."""

    _name = "myconnector.fulfillment.importer"
    _inherit = ["base.importer", "generic.synchronizer", "myconnector.base"]
    _apply_on = PICKING_MODEL
    _usage = "fulfillment.importer"

    def run(self, order_binding, fulfillments):
        validate = self.backend_record.fulfillment_validates_delivery
        for remote in fulfillments or ():
            if not isinstance(remote, dict) or self.binder.to_internal(
                str(remote.get("id"))
            ):
                continue
            if self._is_ours(order_binding, remote):
                continue
            if validate:
                self._validate(order_binding, remote)

    def _is_ours(self, order_binding, remote):
        """Whether ``remote`` is a delivery Odoo sent (its reference names
        one of the order's deliveries); bound to it when the export's answer
        was lost, so it is not taken for a shipment made on the platform."""
        reference = remote.get("reference")
        sent = order_binding.odoo_id.picking_ids.filtered(
            lambda p: reference and p.name == reference
        )
        unbound = sent.myconnector_bind_ids.filtered(
            lambda b: b.backend_id == self.backend_record and not b.external_id
        )
        if unbound:
            self.binder.bind(str(remote["id"]), unbound[:1])
        return bool(sent)

    def _validate(self, order_binding, remote):
        order = order_binding.odoo_id.with_context(connector_no_export=True)
        wanted = {
            str(line.get("line_id")): line.get("quantity") or 0
            for line in remote.get("lines") or ()
            if isinstance(line, dict)
        }
        picking = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing"
            and p.state not in DONE
            and any(m.sale_line_id.myconnector_line_ref in wanted for m in p.move_ids)
        )[:1]
        if not picking:
            message = _(
                "The platform shipped order %(ref)s (fulfilment %(id)s), but no "
                "delivery of it is left to validate in Odoo",
                ref=order.client_order_ref or order_binding.external_id,
                id=remote.get("id"),
            )
            _logger.warning(message)
            order._message_log(body=message)
            return
        self._set_quantities(picking, wanted)
        picking.with_context(
            skip_backorder=True, skip_sms=True, connector_no_export=True
        ).button_validate()
        binding = self.env[PICKING_MODEL].create(
            {
                "odoo_id": picking.id,
                "backend_id": self.backend_record.id,
                "order_binding_id": order_binding.id,
                "remote_tracking_number": remote.get("tracking_number"),
                "remote_carrier": remote.get("tracking_company"),
            }
        )
        self.binder.bind(str(remote["id"]), binding)
        picking.write(
            {
                "myconnector_tracking_ref": remote.get("tracking_number"),
                "myconnector_carrier": remote.get("tracking_company"),
            }
        )

    @staticmethod
    def _set_quantities(picking, wanted):
        """Done quantities of ``picking``: what the platform shipped of each
        line, at most what the delivery holds of it; nothing of the rest."""
        left = dict(wanted)
        for move in picking.move_ids:
            ref = move.sale_line_id.myconnector_line_ref
            quantity = min(left.get(ref, 0), move.product_uom_qty)
            left[ref] = left.get(ref, 0) - quantity
            move.write({"quantity": quantity, "picked": bool(quantity)})
