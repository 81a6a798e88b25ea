# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The binding of a credit note to a refund on the platform.

One refund, one credit note: the binding's external id is the refund's, so
an order imported again (a job run twice, a late webhook) finds the refund
bound and creates nothing.
"""

from odoo import fields, models


class MyConnectorAccountMove(models.Model):
    _name = "myconnector.account.move"
    _inherit = ["generic.binding", "myconnector.order.child.binding"]
    _inherits = {"account.move": "odoo_id"}
    _description = "MyConnector Refund"

    odoo_id = fields.Many2one(
        "account.move", string="Credit Note", required=True, ondelete="cascade"
    )
    restock = fields.Boolean(
        readonly=True, help="The platform said the goods come back to stock."
    )
    return_picking_ids = fields.Many2many(
        "stock.picking",
        string="Return Receipts",
        readonly=True,
        help="The returns of the delivered goods the refund restocks (one per "
        "delivery), ready to be validated when they arrive.",
    )
    remote_total = fields.Char(
        readonly=True, help="The refund's total on the platform (a decimal string)."
    )
