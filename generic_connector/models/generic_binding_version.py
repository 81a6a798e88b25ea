# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The timeline of a binding: each version an import applied, and its Replay.

Support asks "what did the connector do to this product, and when?". The
record importer answers by writing a version each time it creates or updates
a binding (never when it skips): the digest of the values applied
(``digest.values_digest``), the run, webhook event and job that applied them,
the synced fields that changed (old and new values, compact JSON) and the
remote payload as received. *Replay* feeds that payload to the importer
again, in a job, to reproduce what it did.

Writing a version costs one statement in the import's transaction
(:meth:`_record`, a chunk's new bindings together), which also drops the
versions past the backend's ``timeline_size``; a daily cron drops those
older than its ``timeline_retention_days``, as the inbox's does.
"""

import json

from odoo import _, api, fields, models
from odoo.exceptions import UserError

#: The columns :meth:`GenericBindingVersion._record` writes, in order.
RECORD_COLUMNS = (
    "binding_model",
    "binding_id",
    "backend_model",
    "backend_id",
    "company_id",
    "external_id",
    "outcome",
    "digest",
    "diff",
    "payload",
    "remote_updated_at",
    "run_id",
    "webhook_id",
    "job_uuid",
    "replay_of_id",
)
RECORD_QUERY = """
    WITH inserted AS (
        INSERT INTO generic_binding_version ({columns}, create_uid, create_date,
                                              write_uid, write_date)
        VALUES {rows}
    )
    DELETE FROM generic_binding_version WHERE id IN (
        SELECT id FROM (
            SELECT id, row_number() OVER (
                PARTITION BY binding_model, binding_id ORDER BY id DESC) AS rank
            FROM generic_binding_version
            WHERE binding_model = %(model)s AND binding_id = ANY(%(ids)s)
        ) ranked
        -- The statement does not see the rows it inserts: keep size - 1.
        WHERE rank >= %(size)s
    )
"""


class GenericBindingVersion(models.Model):
    _name = "generic.binding.version"
    _inherit = "generic.backend.owned"
    _description = "Binding Version (timeline)"
    _order = "id desc"

    binding_model = fields.Char(required=True, index=True, readonly=True)
    binding_id = fields.Many2oneReference(
        model_field="binding_model", required=True, index=True, readonly=True
    )
    external_id = fields.Char(string="Remote ID", readonly=True)
    outcome = fields.Selection(
        [("created", "Created"), ("updated", "Updated")], readonly=True
    )
    digest = fields.Char(
        readonly=True, help="Digest of the synced values this version applied."
    )
    diff = fields.Text(
        readonly=True,
        help="JSON: {field: [old, new]} of the synced fields this version changed.",
    )
    diff_text = fields.Text(compute="_compute_diff_text", string="Changes")
    changed_fields = fields.Char(compute="_compute_diff_text")
    payload = fields.Text(readonly=True, help="The remote record, as received.")
    payload_pretty = fields.Text(
        compute="_compute_payload_pretty", string="Payload (formatted)"
    )
    remote_updated_at = fields.Char(readonly=True)
    run_id = fields.Many2one(
        "generic.sync.run", string="Run", readonly=True, ondelete="set null"
    )
    webhook_id = fields.Many2one(
        "generic.webhook", string="Webhook Event", readonly=True, ondelete="set null"
    )
    job_uuid = fields.Char(string="Job", readonly=True)
    replay_of_id = fields.Many2one(
        "generic.binding.version",
        string="Replay of",
        readonly=True,
        ondelete="set null",
        help="The version whose payload this one replayed.",
    )
    replay_job_id = fields.Many2one(
        "queue.job", string="Last Replay", readonly=True, ondelete="set null"
    )
    replay_state = fields.Selection(related="replay_job_id.state")
    replay_result = fields.Text(related="replay_job_id.result")

    def init(self):
        # The timeline of one binding, newest first (its view, the pruning).
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS generic_binding_version_binding "
            "ON generic_binding_version (binding_model, binding_id, id)"
        )

    @api.depends("diff", "binding_model")
    def _compute_diff_text(self):
        for version in self:
            diff = json.loads(version.diff or "{}")
            model = self.env.get(version.binding_model)
            labels = (
                {
                    name: model._fields[name].string if name in model._fields else name
                    for name in diff
                }
                if model is not None
                else {name: name for name in diff}
            )
            version.changed_fields = ", ".join(labels[name] for name in sorted(diff))
            version.diff_text = "\n".join(
                f"{labels[name]}: {_shown(old)} → {_shown(new)}"
                for name, (old, new) in sorted(diff.items())
            )

    @api.depends("payload")
    def _compute_payload_pretty(self):
        for version in self:
            version.payload_pretty = json.dumps(
                json.loads(version.payload or "null"), indent=2, ensure_ascii=False
            )

    @api.model
    def _record(self, rows, size=0):
        """Insert the versions ``rows`` (dicts of ``RECORD_COLUMNS``), of
        bindings of one model, in one statement that also drops the older
        versions of those bindings past ``size`` (0: none dropped, e.g.
        new bindings, which have none)."""
        if not rows:
            return
        cr = self.env.cr
        template = "(" + ", ".join(["%s"] * (len(RECORD_COLUMNS) + 4)) + ")"
        now = fields.Datetime.now()
        values = b", ".join(
            cr.mogrify(
                template,
                [row.get(name) for name in RECORD_COLUMNS]
                + [self.env.uid, now, self.env.uid, now],
            )
            for row in rows
        ).decode()
        ids = [row["binding_id"] for row in rows]
        # The rows are literals now: a "%" in a payload ("VAT 21%") must not
        # read as a placeholder of the execute below.
        query = RECORD_QUERY.format(
            columns=", ".join(RECORD_COLUMNS), rows=values.replace("%", "%%")
        )
        cr.execute(
            query,
            {
                "model": rows[0]["binding_model"],
                "ids": ids if size else [],
                "size": size,
            },
        )
        self.env[rows[0]["binding_model"]].browse(ids).invalidate_recordset(
            ["version_count"]
        )

    def action_view_binding(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.binding_model,
            "res_id": self.binding_id,
            "view_mode": "form",
        }

    def action_replay(self):
        """Feed this version's payload to the importer again, in a job
        (``_replay``); the timeline then shows the version it applied."""
        self.ensure_one()
        backend = self._backend()
        if not backend or self.binding_model not in self.env or not self.payload:
            raise UserError(
                _(
                    "This version cannot be replayed: its backend, its binding "
                    "model or its payload is gone. Import the record again instead."
                )
            )
        job = self.with_delay(
            description=_(
                "Replay %(model)s %(id)s (version %(version)s)",
                model=self.env[self.binding_model]._description,
                id=self.external_id,
                version=self.id,
            ),
            **backend._job_options(self.binding_model),
        )._replay()
        self.replay_job_id = job.db_record()
        return True

    def _replay(self):
        """Job: import this version's payload again, forced (an older payload
        than the binding's is applied too; the next import brings the
        newest remote state back). Returns the importer's message."""
        self.ensure_one()
        # The importer works in its backend's environment: the version it
        # writes reads the replayed one from there.
        backend = self._backend().with_context(binding_version_replay_of=self.id)
        return self.env[self.binding_model].import_record(
            backend, self.external_id, force=True, data=json.loads(self.payload)
        )

    @api.model
    def _gc(self):
        """Cron: remove versions past their backend's
        ``timeline_retention_days`` (0: kept, up to ``timeline_size``).
        Returns how many were removed."""
        return self._gc_per_backend([], "create_date", "timeline_retention_days")


def _shown(value):
    """A diff's value as people read it."""
    if value is None:
        return "∅"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
