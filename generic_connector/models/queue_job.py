# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Jobs know the synchronisation run they belong to.

Every state change of such a job (stored by the job runner, a requeue, a
test's ``run_jobs``) makes its run re-read its state: the run log follows
the queue without a second bookkeeping.

A job that starts a run itself (keyed by its uuid: an import driver enqueued
without a run, a webhook's processing) is linked to it when queue_job stores
its new state, never by the job's own code: a job writing its own
``queue_job`` row would hold that row's lock until it ends, and queue_job
postpones a job that asks to be retried (``RetryableJobError``) from a second
cursor of the same worker, which would then wait for the first forever.
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
            self.sudo()._link_own_runs()
            self.sudo().sync_run_id._refresh_state()
        return result

    def _link_own_runs(self):
        """Link each job without a run to the run its uuid keys, if any."""
        unlinked = self.filtered(lambda job: not job.sync_run_id)
        if not unlinked:
            return
        runs = self.env["generic.sync.run"].search(
            [("run_key", "in", unlinked.mapped("uuid"))]
        )
        for run in runs:
            unlinked.filtered(lambda job, key=run.run_key: job.uuid == key).write(
                {"sync_run_id": run.id}
            )
