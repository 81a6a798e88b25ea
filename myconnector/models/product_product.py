# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    myconnector_bind_ids = fields.One2many(
        "myconnector.product.product", "odoo_id", string="MyConnector Variant Bindings"
    )
