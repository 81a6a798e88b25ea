# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    myconnector_line_ref = fields.Char(
        string="MyConnector Line ID",
        copy=False,
        index="btree_not_null",
        help="The remote order line this line was imported from.",
    )
