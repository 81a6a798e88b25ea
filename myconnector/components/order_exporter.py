# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Order status out: fulfilment and cancellation go back to the platform.

A delivery of a bound order validated in Odoo marks the remote order
fulfilled once none of the order's deliveries is left open; an order
cancelled in Odoo cancels the remote order, where the platform allows it (it
refuses, 409, to cancel an order it fulfilled: that is posted on the order).
Both go through one debounced job per order and status
(``myconnector.sale.order._export_status_later``). Changes made by an import
carry ``connector_no_export`` and are never sent back.
"""

from odoo import _

from odoo.addons.component.core import Component
from odoo.addons.component_event import skip_if
from odoo.addons.generic_connector.components.listener import no_export
from odoo.addons.generic_connector.transport import ConflictError

from .order import order_state_words

ORDER_MODEL = "myconnector.sale.order"
REFUSED = 409


class SaleOrderStatusListener(Component):
    _name = "myconnector.sale.order.status.listener"
    _inherit = "base.connector.listener"
    _apply_on = "sale.order"

    @skip_if(no_export)
    def on_record_write(self, record, fields=None):
        if "state" in (fields or ()):
            cancelled = record.filtered(lambda order: order.state == "cancel")
            cancelled.sudo().myconnector_bind_ids._export_status_later("cancelled")


class StockPickingDoneListener(Component):
    _name = "myconnector.stock.picking.done.listener"
    _inherit = "base.connector.listener"
    _apply_on = "stock.picking"

    @skip_if(no_export)
    def on_record_write(self, record, fields=None):
        # ``_action_done`` writes date_done once the moves are done.
        if "date_done" in (fields or ()):
            delivered = record.sudo().filtered(
                lambda p: p.state == "done" and p.picking_type_code == "outgoing"
            )
            delivered.sale_id.myconnector_bind_ids._export_status_later("fulfilled")


class OrderStatusExporter(Component):
    """Set the remote order's status to ``fulfilled`` or ``cancelled``."""

    _name = "myconnector.order.status.exporter"
    _inherit = ["base.exporter", "generic.synchronizer", "myconnector.base"]
    _apply_on = ORDER_MODEL
    _usage = "order.status.exporter"

    def run(self, binding, status):
        self.lock_record(binding.external_id)
        order = binding.odoo_id
        ref = order.client_order_ref or binding.external_id
        reason = self._not_ready(order, status)
        if reason:
            return reason
        try:
            remote = self.backend_adapter.set_status(binding.external_id, status)
        except ConflictError as err:
            if err.status != REFUSED:
                raise
            message = self._refusal(binding, ref, status)
            order._message_log(body=message)
            return message
        self.binder.bind(
            binding.external_id, binding, remote_updated_at=remote.get("updated_at")
        )
        binding.with_context(connector_no_export=True).write(
            {"remote_status": remote.get("status")}
        )
        return _("Order %(ref)s is %(status)s on the platform", ref=ref, status=status)

    def _refusal(self, binding, ref, status):
        """The platform's refusal (409) in a sentence: what it refused, the
        order's status there that forbids it, and what it means in Odoo."""
        remote = self.backend_adapter.get(binding.external_id)
        remote_status = (
            remote.get("status") if isinstance(remote, dict) else None
        ) or (binding.remote_status)
        binding.with_context(connector_no_export=True).write(
            {"remote_status": remote_status}
        )
        return _(
            "The platform refused to %(action)s order %(ref)s: the order is "
            "%(remote)s there, and a %(remote)s order cannot be %(status)s. "
            "It stays %(state)s in Odoo and %(remote)s on the platform: "
            "settle it with the customer there if it must change.",
            action=_("cancel") if status == "cancelled" else _("mark as fulfilled"),
            ref=ref,
            remote=remote_status or "?",
            status=status,
            state=order_state_words(binding.odoo_id),
        )

    @staticmethod
    def _not_ready(order, status):
        """Why the status is not to be sent (yet), or ``None``."""
        if status == "cancelled" and order.state != "cancel":
            return _("%(order)s is no longer cancelled in Odoo", order=order.name)
        if status == "fulfilled":
            deliveries = order.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing"
            )
            if deliveries.filtered(lambda p: p.state not in ("done", "cancel")):
                return _(
                    "%(order)s still has deliveries to do: fulfilled when they "
                    "are done",
                    order=order.name,
                )
            if not deliveries.filtered(lambda p: p.state == "done"):
                return _("%(order)s has no delivery done", order=order.name)
        return None
