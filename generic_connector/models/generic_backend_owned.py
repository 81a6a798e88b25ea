# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What belongs to one backend, addressed by (model, id), and its company.

The sync log, the webhook inbox and the bindings' timeline are shared by
every connector, so they point at their backend by reference rather than by
a many2one. They carry the backend's company, computed when they are
created and stored, so that a multi-company record rule
(``security/generic_connector_security.xml``) keeps a user of one company
from reading another's runs, failures, events (whose payloads hold
customers' names and addresses) and timelines. Rows inserted in SQL (the
webhook intake) write ``company_id`` themselves.
"""

from datetime import timedelta

from odoo import api, fields, models

#: Days kept when the backend, and so its retention setting, is gone.
ORPHAN_RETENTION_DAYS = 30


def backend_names(records):
    """``{(backend_model, backend_id): display name}`` of the backends that
    ``records`` point at by reference, one query per backend model."""
    names = {}
    for model, group in records.grouped("backend_model").items():
        if model in records.env:
            backends = records.env[model].browse(group.mapped("backend_id")).exists()
            names.update({(model, b.id): b.display_name for b in backends})
    return names


class GenericBackendOwned(models.AbstractModel):
    _name = "generic.backend.owned"
    _description = "Record of a Connector Backend (abstract)"

    backend_model = fields.Char(required=True, index=True, readonly=True)
    backend_id = fields.Many2oneReference(
        model_field="backend_model", required=True, index=True, readonly=True
    )
    backend_name = fields.Char(compute="_compute_backend_name")
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        index=True,
        readonly=True,
        help="The backend's company: only its users read this record.",
    )

    @api.depends("backend_model", "backend_id")
    def _compute_backend_name(self):
        names = backend_names(self)
        for record in self:
            record.backend_name = names.get((record.backend_model, record.backend_id))

    @api.depends("backend_model", "backend_id")
    def _compute_company_id(self):
        # As superuser: the record is created by whoever runs the job or the
        # request, who may not read the backend's credentials-bearing row.
        companies = {}
        for model, group in self.grouped("backend_model").items():
            if model in self.env:
                backends = self.env[model].sudo().browse(group.mapped("backend_id"))
                companies.update(
                    {(model, b.id): b.company_id for b in backends.exists()}
                )
        for record in self:
            record.company_id = companies.get(
                (record.backend_model, record.backend_id), False
            )

    def _backend_of(self, model, backend_id):
        """The backend ``backend_id`` of ``model``, or None when gone."""
        if not model or model not in self.env:
            return None
        return self.env[model].browse(backend_id).exists()

    def _backend(self):
        self.ensure_one()
        return self._backend_of(self.backend_model, self.backend_id)

    @api.model
    def _gc_per_backend(self, domain, date_field, days_field):
        """Remove the records matching ``domain`` whose ``date_field`` is
        older than their backend's ``days_field`` days (0: kept forever);
        return how many were removed."""
        removed = 0
        now = fields.Datetime.now()
        for model, backend_id in self._read_group(
            domain, ["backend_model", "backend_id"]
        ):
            backend = self._backend_of(model, backend_id)
            days = backend[days_field] if backend else ORPHAN_RETENTION_DAYS
            if days <= 0:
                continue
            old = self.search(
                domain
                + [
                    ("backend_model", "=", model),
                    ("backend_id", "=", backend_id),
                    (date_field, "<", now - timedelta(days=days)),
                ]
            )
            removed += len(old)
            old.unlink()
        return removed
