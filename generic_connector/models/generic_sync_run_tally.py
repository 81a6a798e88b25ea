# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What one job did for its run: counts and transport figures.

Rows are inserted, never updated, one per job (``key``): the jobs of a run
run concurrently, and each adding its own row, rather than incrementing the
run's, keeps them from serialisation failures on one row. The run sums them.
"""

from odoo import api, fields, models


class GenericSyncRunTally(models.Model):
    _name = "generic.sync.run.tally"
    _description = "Synchronisation Run Tally"

    run_id = fields.Many2one(
        "generic.sync.run", required=True, ondelete="cascade", index=True
    )
    key = fields.Char(required=True)
    fetched = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    skipped = fields.Integer()
    archived = fields.Integer()
    http_calls = fields.Integer()
    retries = fields.Integer()
    throttled = fields.Integer()
    wait_seconds = fields.Float()

    _sql_constraints = [
        ("key_uniq", "unique(run_id, key)", "One tally per job of a run."),
    ]

    @api.model
    def _add(self, run, key, values):
        """Insert the tally ``key`` of ``run`` unless that job already did."""
        if self.search_count([("run_id", "=", run.id), ("key", "=", key)]):
            return self.browse()
        return self.create({"run_id": run.id, "key": key, **values})
