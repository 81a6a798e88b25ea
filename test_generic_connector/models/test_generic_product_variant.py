# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The test connector's variants: the framework's variant binding, declared."""

from odoo import fields, models


class TestGenericProductVariant(models.Model):
    _name = "test.generic.product.variant"
    _inherit = "generic.product.variant.binding"
    _inherits = {"product.product": "odoo_id"}
    _description = "Generic Connector Test Variant"

    backend_id = fields.Many2one(
        "test.generic.backend", required=True, ondelete="restrict", index=True
    )
