# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The binding of an Odoo sales order to a MyConnector order.

The order's lines keep the remote line id (``myconnector_line_ref``), so a
re-import of a draft order updates its lines in place. Once the order is
confirmed (or cancelled, or delivered) in Odoo, an import no longer rewrites
it: the remote change is logged on the order's chatter and kept on the
binding (``remote_change_note``) for someone to act on.

Going out: a validated delivery marks the remote order fulfilled, an order
cancelled in Odoo cancels it remotely (``export_order_status``, debounced by
``generic.export.pending`` like every export).
"""

from odoo import _, api, fields, models

from odoo.addons.generic_connector.jobs import job_errors


class MyConnectorSaleOrder(models.Model):
    _name = "myconnector.sale.order"
    _inherit = "generic.binding"
    _inherits = {"sale.order": "odoo_id"}
    _description = "MyConnector Order"

    odoo_id = fields.Many2one(
        "sale.order", string="Sales Order", required=True, ondelete="cascade"
    )
    backend_id = fields.Many2one(
        "myconnector.backend", required=True, ondelete="restrict", index=True
    )
    remote_status = fields.Char(readonly=True, help="The order's status remotely.")
    remote_total = fields.Char(
        string="Remote Total (as sent)",
        readonly=True,
        help="The order's total remotely (a decimal string).",
    )
    remote_amount_total = fields.Monetary(
        compute="_compute_remote_amount_total",
        string="Remote Total",
        currency_field="currency_id",
        help="The order's total on the platform, in the order's currency.",
    )
    remote_change_note = fields.Text(
        readonly=True,
        copy=False,
        help="A remote change not applied because the order was already "
        "confirmed, cancelled or delivered in Odoo.",
    )
    remote_change_date = fields.Datetime(readonly=True, copy=False)
    financial_status = fields.Char(
        readonly=True,
        help="The order's payment status remotely: pending, authorized, paid, "
        "partially_paid or refunded.",
    )
    amount_paid = fields.Char(
        readonly=True, help="What the platform captured (a decimal string)."
    )
    payment_gateway = fields.Char(
        readonly=True, help="The gateway the order was paid through remotely."
    )
    remote_payments = fields.Text(
        readonly=True, help="The platform's transactions of the order (JSON)."
    )
    hold_reason = fields.Text(
        readonly=True,
        copy=False,
        help="Why the import does not confirm the order: a tax or gateway not "
        "mapped, a partial payment, a total that differs from the platform's.",
    )
    total_mismatch = fields.Boolean(
        readonly=True,
        copy=False,
        help="Odoo's total differs from the platform's by more than the "
        "backend's tolerance: the order is held.",
    )

    @api.depends("remote_total")
    def _compute_remote_amount_total(self):
        for binding in self:
            try:
                binding.remote_amount_total = float(binding.remote_total or 0)
            except ValueError:
                binding.remote_amount_total = 0.0

    def _export_status_later(self, status):
        """Schedule ``export_order_status(status)`` once per binding."""
        self._delay_once(
            f"status:{status}",
            "export_order_status",
            (status,),
            lambda binding: _(
                "Mark MyConnector order %(ref)s %(status)s",
                ref=binding.client_order_ref or binding.external_id,
                status=status,
            ),
        )

    def export_order_status(self, status):
        """Job: set the remote order's status to ``status`` (``fulfilled``
        or ``cancelled``). Safe to run twice: the platform's fulfil and
        cancel are idempotent; a refusal (409, say cancelling an order
        already fulfilled) is logged on the order, not retried."""
        self.env["generic.export.pending"]._release(self.env.context.get("job_uuid"))
        if not self.exists():
            return _("Nothing to export: the binding no longer exists")
        self.ensure_one()
        with self.backend_id.work_on(self._name) as work, job_errors():
            return work.component(usage="order.status.exporter").run(self, status)
