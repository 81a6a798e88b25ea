# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One record of an import plan: what its import would do, and why."""

from odoo import fields, models

from .generic_import_plan import ACTIONS


class GenericImportPlanLine(models.Model):
    _name = "generic.import.plan.line"
    _description = "Import Plan Line"
    _order = "plan_id, id"

    plan_id = fields.Many2one(
        "generic.import.plan", required=True, index=True, ondelete="cascade"
    )
    external_id = fields.Char(string="External ID", required=True, index=True)
    action = fields.Selection(ACTIONS, required=True, index=True)
    res_id = fields.Integer(
        string="Odoo Record ID",
        help="The Odoo record the import binds, updates or archives.",
    )
    odoo_name = fields.Char(string="Odoo Record")
    reason = fields.Char()
    remote_updated_at = fields.Char(
        help="The remote record's updated_at when the plan read it."
    )
    remote_data = fields.Text(
        help="JSON: the record as the plan read it; Apply imports this data."
    )
