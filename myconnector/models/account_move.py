# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    myconnector_bind_ids = fields.One2many(
        "myconnector.account.move",
        "odoo_id",
        string="MyConnector Refunds",
        readonly=True,
    )
