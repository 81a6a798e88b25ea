# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A record a run could not synchronise: which one, why, and its *Retry*.

A failure points at the job that retries the record on its own (an import
isolated from its chunk) or at the webhook event that failed. It is resolved
when that job is done or that event processed; the run then re-reads its
state, and moves its watermark once nothing is left open.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .generic_webhook import FINAL_STATES


class GenericSyncRunFailure(models.Model):
    _name = "generic.sync.run.failure"
    _description = "Synchronisation Run Failure"
    _order = "id"
    _rec_name = "external_id"

    run_id = fields.Many2one(
        "generic.sync.run", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="run_id.company_id", store=True, index=True, string="Company"
    )
    resource = fields.Char(readonly=True)
    external_id = fields.Char(string="Remote ID", readonly=True)
    reason = fields.Text(readonly=True)
    kind = fields.Selection(
        [("remote", "Remote data"), ("odoo", "Odoo")],
        string="Fix In",
        readonly=True,
        help="Where the cause is to be fixed: the record's data on the remote, "
        "or something in Odoo (a constraint, an archived or inactive record, a "
        "setting). Empty when not known.",
    )
    job_id = fields.Many2one("queue.job", readonly=True, ondelete="set null")
    job_state = fields.Selection(related="job_id.state", string="Job State")
    webhook_id = fields.Many2one("generic.webhook", readonly=True, ondelete="cascade")
    state = fields.Selection(
        [("open", "Failed"), ("retrying", "Retrying"), ("resolved", "Resolved")],
        compute="_compute_state",
    )

    @api.depends("job_id.state", "webhook_id.state")
    def _compute_state(self):
        for failure in self:
            if failure.webhook_id:
                event_state = failure.webhook_id.state
                failure.state = (
                    "resolved"
                    if event_state in FINAL_STATES
                    else "open"
                    if event_state == "failed"
                    else "retrying"
                )
            elif not failure.job_id:
                failure.state = "open"
            elif failure.job_id.state == "done":
                failure.state = "resolved"
            elif failure.job_id.state in ("failed", "cancelled"):
                failure.state = "open"
            else:
                failure.state = "retrying"

    def action_retry(self):
        """Run the failed record again: requeue its job, or reprocess its
        webhook event. Fix the cause first (the reason says which)."""
        for failure in self:
            if failure.state == "resolved":
                continue
            if failure.webhook_id:
                failure.webhook_id.action_reprocess()
            elif failure.job_id:
                failure.job_id.sudo().requeue()
            else:
                raise UserError(
                    _(
                        "%(id)s has nothing to retry: run the import again.",
                        id=failure.external_id,
                    )
                )
        return True
