# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The binding of a contact tag to a remote tag: a binding on a core model,
so the framework's tests need no connector's models."""

from odoo import fields, models


class TestGenericCategory(models.Model):
    _name = "test.generic.category"
    _inherit = "generic.binding"
    _inherits = {"res.partner.category": "odoo_id"}
    _description = "Generic Connector Test Tag"

    # An export compares the remote name with the one Odoo last synchronised.
    _remote_base_keys = ("name",)

    odoo_id = fields.Many2one(
        "res.partner.category", string="Tag", required=True, ondelete="cascade"
    )
    backend_id = fields.Many2one(
        "test.generic.backend", required=True, ondelete="restrict", index=True
    )
