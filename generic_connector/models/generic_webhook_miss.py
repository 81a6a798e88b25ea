# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Missed webhooks: changes a sync run found that no webhook announced.

Platforms lose and delay webhooks; a connector that trusts them alone drifts
without a word. Each change an incremental run (or a reconcile) applies to a
record of a backend that receives webhooks is checked against the inbox
(:meth:`generic.backend.freshness._webhook_note_misses`): one that never
arrived as a webhook is a row here. The backend's health and its metrics
count them; an admin sees a lost subscription before a customer does.

Rows are inserted in one statement per chunk, never updated, and removed
with the inbox's retention (the backend's ``webhook_retention_days``).
"""

from datetime import timedelta

from odoo import api, fields, models

# A record's change and the webhook announcing it are dated by two clocks
# (the platform's ``updated_at``, our ``received_at``): a delivery received
# up to this long before the change's own date still announced it.
CLOCK_SKEW = timedelta(minutes=5)

INSERT_QUERY = """
    INSERT INTO generic_webhook_miss (
        backend_model, backend_id, company_id, resource, external_id, subject,
        remote_updated_at, run_id, found_at,
        create_uid, create_date, write_uid, write_date
    )
    SELECT %(backend_model)s, %(backend_id)s, %(company_id)s, %(resource)s,
           change.external_id,
           change.subject, change.remote_updated_at, %(run_id)s,
           now() at time zone 'UTC',
           %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
    FROM unnest(%(external_ids)s::varchar[], %(subjects)s::varchar[],
                %(updated)s::varchar[], %(since)s::timestamp[])
         AS change(external_id, subject, remote_updated_at, since)
    WHERE NOT EXISTS (
        SELECT 1 FROM generic_webhook w
        WHERE w.backend_model = %(backend_model)s
          AND w.backend_id = %(backend_id)s
          AND w.subject = change.subject
          AND (change.since IS NULL OR w.received_at >= change.since)
    )
    ON CONFLICT DO NOTHING
    RETURNING id
"""


class GenericWebhookMiss(models.Model):
    _name = "generic.webhook.miss"
    _description = "Missed Webhook"
    _order = "found_at desc, id desc"

    backend_model = fields.Char(required=True, index=True, readonly=True)
    backend_id = fields.Many2oneReference(
        model_field="backend_model", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", readonly=True, index=True, help="The backend's company."
    )
    resource = fields.Char(
        required=True, readonly=True, help="Binding model of the changed record."
    )
    external_id = fields.Char(string="External ID", required=True, readonly=True)
    subject = fields.Char(readonly=True, help="The subject its webhook would have.")
    remote_updated_at = fields.Char(
        readonly=True, help="The change's date on the platform (UTC)."
    )
    run_id = fields.Many2one(
        "generic.sync.run", readonly=True, ondelete="set null", index=True
    )
    found_at = fields.Datetime(required=True, readonly=True, index=True)

    _sql_constraints = [
        (
            "change_uniq",
            "unique(backend_model, backend_id, resource, external_id, "
            "remote_updated_at)",
            "A change is missed once.",
        )
    ]

    @api.model
    def _add(self, backend, resource, changes, run=None):
        """Store the changes of ``changes`` (``[(external_id, subject,
        remote_updated_at, since)]``) whose subject has no inbox delivery
        received since ``since`` (a naive UTC datetime, None: ever); return
        how many were stored. One statement for the whole list."""
        if not changes:
            return 0
        external_ids, subjects, updated, since = zip(*changes, strict=True)
        self.env.cr.execute(
            INSERT_QUERY,
            {
                "backend_model": backend._name,
                "backend_id": backend.id,
                "company_id": backend.company_id.id,
                "resource": resource,
                "external_ids": list(external_ids),
                "subjects": list(subjects),
                "updated": list(updated),
                "since": list(since),
                "run_id": run.id if run else None,
                "uid": self.env.uid,
            },
        )
        return len(self.env.cr.fetchall())

    @api.model
    def _gc(self):
        """Cron: remove misses past their backend's webhook retention
        (``webhook_retention_days``, 0: forever); return how many."""
        removed = 0
        now = fields.Datetime.now()
        for model, backend_id in self._read_group([], ["backend_model", "backend_id"]):
            backend = self.env["generic.webhook"]._backend_of(model, backend_id)
            days = backend.webhook_retention_days if backend else 30
            if days <= 0:
                continue
            old = self.search(
                [
                    ("backend_model", "=", model),
                    ("backend_id", "=", backend_id),
                    ("found_at", "<", now - timedelta(days=days)),
                ]
            )
            removed += len(old)
            old.unlink()
        return removed
