# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How a backend treats the orders paid through one payment gateway.

A line per gateway name the platform sends (``stripe``, ``paypal``...): the
journal that receives its payments, when its orders are confirmed (when the
payment is authorised, or only once it is captured), when they are invoiced
(when paid, when delivered, or never) and whether the platform's payments
are registered and reconciled against the invoice. A gateway seen in an
imported order and not configured gets a line without journal: its orders
are held until someone picks one.
"""

from odoo import fields, models


class MyConnectorPaymentGateway(models.Model):
    _name = "myconnector.payment.gateway"
    _description = "MyConnector Payment Gateway"
    _order = "backend_id, name"

    backend_id = fields.Many2one(
        "myconnector.backend", required=True, ondelete="cascade", index=True
    )
    name = fields.Char(
        string="Gateway", required=True, help="The gateway's name on the platform."
    )
    journal_id = fields.Many2one(
        "account.journal",
        domain=[("type", "in", ("bank", "cash"))],
        help="The bank or cash journal receiving this gateway's payments. "
        "Empty: the gateway's orders are held.",
    )
    confirm_on = fields.Selection(
        [("authorized", "When authorised"), ("paid", "When paid")],
        default="paid",
        required=True,
        help="Confirm the order as soon as the payment is authorised, or only "
        "once it is captured.",
    )
    invoice_on = fields.Selection(
        [("paid", "When paid"), ("shipped", "When shipped"), ("never", "Never")],
        default="paid",
        required=True,
        help="Invoice a paid order at once, once its delivery is done, or leave "
        "invoicing to people.",
    )
    register_payment = fields.Boolean(
        default=True,
        help="Register the platform's payments on the invoice (in this "
        "journal) and reconcile them.",
    )
    partial_policy = fields.Selection(
        [("hold", "Hold"), ("confirm", "Confirm, invoice once paid")],
        string="Partially paid",
        default="hold",
        required=True,
        help="A partially paid order is held, or confirmed; it is never "
        "invoiced before it is paid in full.",
    )

    _sql_constraints = [
        (
            "name_uniq",
            "unique(backend_id, name)",
            "A gateway is configured once per backend.",
        )
    ]
