# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    myconnector_bind_ids = fields.One2many(
        "myconnector.sale.order", "odoo_id", string="MyConnector Bindings"
    )
