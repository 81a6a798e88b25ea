# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The binding of an Odoo product template to a MyConnector product."""

from odoo import fields, models


class MyConnectorProductTemplate(models.Model):
    _name = "myconnector.product.template"
    _inherit = ["generic.product.template.binding", "myconnector.image.binding"]
    _inherits = {"product.template": "odoo_id"}
    _description = "MyConnector Product"
    _remote_base_keys = ("price",)

    backend_id = fields.Many2one(
        "myconnector.backend", required=True, ondelete="restrict", index=True
    )
