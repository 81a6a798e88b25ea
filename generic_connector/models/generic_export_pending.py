# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pending exports: at most one export job waiting per binding and field set.

Three quick writes of a price must make one export job, also when they come
from three workers at once. A job's ``identity_key`` cannot promise that (two
transactions both see no job yet); the unique constraint of this table can:
the first write inserts the marker and enqueues the job, the others hit the
constraint (``ON CONFLICT DO NOTHING``, which waits for a concurrent inserter
to finish) and find a live job already waiting; under Odoo's REPEATABLE READ
a write racing an uncommitted marker gets a serialization failure instead,
and Odoo retries it, when it finds the marker. The job deletes its own
marker when it starts, so a write made while it runs gets a new job, which
exports the newer value. A marker whose job failed or was cancelled is stale:
the next write takes it over with a new job.
"""

from odoo import api, fields, models

LIVE_JOB_STATES = ("wait_dependencies", "pending", "enqueued", "started")


class GenericExportPending(models.Model):
    _name = "generic.export.pending"
    _description = "Pending Export"
    _log_access = False

    binding_model = fields.Char(required=True, index=True)
    binding_id = fields.Many2oneReference(model_field="binding_model", required=True)
    fields_key = fields.Char(
        required=True, help="The sorted field names the job exports."
    )
    job_uuid = fields.Char(index=True)

    _sql_constraints = [
        (
            "binding_fields_uniq",
            "unique(binding_model, binding_id, fields_key)",
            "One pending export per binding and field set.",
        )
    ]

    @api.model
    def _claim(self, binding, fields_key):
        """Claim the marker of (``binding``, ``fields_key``).

        Returns the marker's id when the caller must enqueue a job (and then
        :meth:`_attach` it), ``False`` when a live job already waits.
        """
        cr = self.env.cr
        cr.execute(
            """
            INSERT INTO generic_export_pending (binding_model, binding_id, fields_key)
            VALUES (%s, %s, %s)
            ON CONFLICT (binding_model, binding_id, fields_key) DO NOTHING
            RETURNING id
            """,
            (binding._name, binding.id, fields_key),
        )
        row = cr.fetchone()
        if row:
            return row[0]
        self.env["queue.job"].flush_model(["uuid", "state"])
        cr.execute(
            """
            SELECT marker.id, job.state
              FROM generic_export_pending marker
              LEFT JOIN queue_job job ON job.uuid = marker.job_uuid
             WHERE marker.binding_model = %s AND marker.binding_id = %s
               AND marker.fields_key = %s
               FOR UPDATE OF marker
            """,
            (binding._name, binding.id, fields_key),
        )
        marker_id, state = cr.fetchone()
        return False if state in LIVE_JOB_STATES else marker_id

    @api.model
    def _waiting(self, binding):
        """Whether a local change of ``binding`` waits for its export job."""
        return binding.id in self._waiting_ids(binding)

    def _waiting_ids(self, bindings):
        """The ids of ``bindings`` (of one model) whose local change waits
        for its export job, in one query."""
        if not bindings:
            return set()
        self.env["queue.job"].flush_model(["uuid", "state"])
        self.env.cr.execute(
            """
            SELECT DISTINCT marker.binding_id
              FROM generic_export_pending marker
              JOIN queue_job job ON job.uuid = marker.job_uuid
             WHERE marker.binding_model = %s AND marker.binding_id = ANY(%s)
               AND job.state IN %s
            """,
            (bindings._name, list(bindings.ids), LIVE_JOB_STATES),
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _attach(self, marker_id, job_uuid):
        self.env.cr.execute(
            "UPDATE generic_export_pending SET job_uuid = %s WHERE id = %s",
            (job_uuid, marker_id),
        )

    @api.model
    def _release(self, job_uuid):
        """Called by the export job as it starts: later writes need a new job."""
        if job_uuid:
            self.env.cr.execute(
                "DELETE FROM generic_export_pending WHERE job_uuid = %s", (job_uuid,)
            )
