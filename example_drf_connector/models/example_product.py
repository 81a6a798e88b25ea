# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The shop's products and variants (the framework's bindings), its stock
locations and the stock levels exchanged with it, declared."""

from odoo import fields, models

BACKEND = "example.drf.backend"


class ExampleDrfProductTemplate(models.Model):
    _name = "example.drf.product.template"
    _inherit = "generic.product.template.binding"
    _inherits = {"product.template": "odoo_id"}
    _description = "Example DRF Product"

    backend_id = fields.Many2one(BACKEND, required=True, ondelete="restrict")


class ExampleDrfProductVariant(models.Model):
    _name = "example.drf.product.variant"
    _inherit = "generic.product.variant.binding"
    _inherits = {"product.product": "odoo_id"}
    _description = "Example DRF Variant"

    backend_id = fields.Many2one(BACKEND, required=True, ondelete="restrict")


class ExampleDrfInventoryLocation(models.Model):
    _name = "example.drf.inventory.location"
    _inherit = "generic.inventory.location"
    _description = "Example DRF Stock Location"

    backend_id = fields.Many2one(BACKEND, required=True, ondelete="cascade")


class ExampleDrfStockLevel(models.Model):
    _name = "example.drf.stock.level"
    _inherit = "generic.stock.level"
    _description = "Example DRF Stock Level Exchanged"

    binding_id = fields.Many2one(
        "example.drf.product.variant", required=True, ondelete="cascade"
    )
