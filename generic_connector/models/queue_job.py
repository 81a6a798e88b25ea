# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Jobs know the synchronisation run they belong to.

Every state change of such a job (stored by the job runner, a requeue, a
test's ``run_jobs``) makes its run re-read its state: the run log follows
the queue without a second bookkeeping.
"""

from odoo import fields, models


class QueueJob(models.Model):
    _inherit = "queue.job"

    sync_run_id = fields.Many2one(
        "generic.sync.run", string="Sync Run", index=True, ondelete="set null"
    )

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals:
            self.sudo().sync_run_id._refresh_state()
        return result
