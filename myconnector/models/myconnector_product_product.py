# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The binding of an Odoo product variant to a MyConnector variant
(``generic.product.variant.binding``: archived, not deleted, when it goes
remotely; its stock level exported by ``export_stock_level``)."""

from odoo import fields, models


class MyConnectorProductProduct(models.Model):
    _name = "myconnector.product.product"
    _inherit = ["generic.product.variant.binding", "myconnector.image.binding"]
    _inherits = {"product.product": "odoo_id"}
    _description = "MyConnector Product Variant"

    backend_id = fields.Many2one(
        "myconnector.backend", required=True, ondelete="restrict", index=True
    )
