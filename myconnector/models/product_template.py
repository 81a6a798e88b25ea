# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    myconnector_bind_ids = fields.One2many(
        "myconnector.product.template", "odoo_id", string="MyConnector Bindings"
    )
