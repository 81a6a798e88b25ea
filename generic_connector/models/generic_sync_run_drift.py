# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a reconcile found: one row per record that drifted, and its repair.

A reconcile (``generic.backend.reconcile``) compares the platform's records
with the bindings and sorts every difference into a class: missing in Odoo,
gone on the platform, changed on the platform, in Odoo, or on both sides.
Each row says how it was repaired (imported, restored from the platform,
archived) or that it waits for a person (an Odoo-side edit of a shared
field, a deletion under the *flag* policy): the run lists every record with
its class, and the dashboard counts them.
"""

from odoo import api, fields, models

DRIFT_CLASSES = [
    ("missing_odoo", "Missing in Odoo"),
    ("gone_platform", "Gone on the platform"),
    ("changed_platform", "Changed on the platform"),
    ("changed_odoo", "Changed in Odoo"),
    ("changed_both", "Changed on both sides"),
]
REPAIRS = [
    ("imported", "Imported"),
    ("restored", "Restored from the platform"),
    ("archived", "Archived"),
    ("waiting", "Waiting for you"),
]


class GenericSyncRunDrift(models.Model):
    _name = "generic.sync.run.drift"
    _description = "Drift Found by a Reconcile"
    _order = "run_id desc, drift_class, id"

    run_id = fields.Many2one(
        "generic.sync.run", required=True, ondelete="cascade", index=True
    )
    external_id = fields.Char(string="External ID", readonly=True)
    binding_model = fields.Char(readonly=True)
    binding_id = fields.Many2oneReference(
        model_field="binding_model", readonly=True, string="Binding"
    )
    drift_class = fields.Selection(DRIFT_CLASSES, required=True, readonly=True)
    repair = fields.Selection(REPAIRS, required=True, readonly=True)
    field_names = fields.Char(
        string="Fields",
        readonly=True,
        help="The synced fields whose values differ between Odoo and the " "platform.",
    )
    note = fields.Char(readonly=True)

    @api.model
    def _record(self, run, rows):
        """Insert ``rows`` (dicts of this model's fields) found by ``run``,
        in one ``create``; no-op without a run."""
        if not run or not rows:
            return self.browse()
        return self.sudo().create([{"run_id": run.id, **row} for row in rows])
