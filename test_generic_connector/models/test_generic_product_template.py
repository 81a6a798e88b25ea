# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The test connector's products: the framework's template binding, declared."""

from odoo import fields, models


class TestGenericProductTemplate(models.Model):
    _name = "test.generic.product.template"
    _inherit = "generic.product.template.binding"
    _inherits = {"product.template": "odoo_id"}
    _description = "Generic Connector Test Product"

    backend_id = fields.Many2one(
        "test.generic.backend", required=True, ondelete="restrict", index=True
    )
