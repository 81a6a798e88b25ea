# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    myconnector_bind_ids = fields.One2many(
        "myconnector.res.partner", "odoo_id", string="MyConnector Bindings"
    )
    myconnector_address_ref = fields.Char(
        string="MyConnector Address ID",
        copy=False,
        index="btree_not_null",
        help="The remote address this child contact was imported from.",
    )
