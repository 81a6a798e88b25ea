# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The last stock level exchanged with the platform, per variant binding and
remote location (``generic.stock.level``): the platform echoes each level we
set as an ``inventory.updated`` event, which must change nothing."""

from odoo import fields, models


class MyConnectorStockLevel(models.Model):
    _name = "myconnector.stock.level"
    _inherit = "generic.stock.level"
    _description = "MyConnector Stock Level Exchanged"

    binding_id = fields.Many2one(
        "myconnector.product.product",
        string="Variant Binding",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
