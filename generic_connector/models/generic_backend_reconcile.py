# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reconcile per resource: find what drifted between Odoo and the platform,
and repair it by field ownership.

Mixed into ``generic.backend``. Each declared resource with ``reconcile``
gets a daily scheduler (``ir_cron_reconcile_<key>``, created with the import
schedulers) that runs the backends whose ``reconcile_interval`` passed since
their last scheduled reconcile of it, and a button (``action_reconcile``
with the resource in the context). A reconcile is a sync run of kind
*reconcile*: its driver job walks the remote records with the
``reconciler`` component, lists each drift with its class and repair
(``generic.sync.run.drift``), and repairs it with chunk import jobs of the
run. The dashboard card counts what the last reconcile of each resource
repaired and what waits for a person.
"""

import uuid

from markupsafe import Markup, escape

from odoo import _, api, fields, models

from odoo.addons.queue_job.job import identity_exact

from ..jobs import job_errors
from .generic_backend_resources import RESOURCE_KEY
from .generic_binding import IMPORT_CONTEXT

#: Minutes between the wake-ups of a reconcile scheduler: each backend's own
#: interval decides whether it runs then.
RECONCILE_TICK = 60


class GenericBackendReconcile(models.AbstractModel):
    _name = "generic.backend.reconcile"
    _inherit = "generic.backend.resources"
    _description = "Connector Backend Reconcile"

    reconcile_interval = fields.Integer(
        string="Reconcile every (hours)",
        default=24,
        tracking=True,
        help="How often the scheduler compares the platform's records with "
        "Odoo's and repairs what drifted (lost webhooks, edits made behind the "
        "connector, deletions); 0 to reconcile only by hand.",
    )
    reconcile_gone_policy = fields.Selection(
        [("archive", "Archive in Odoo"), ("flag", "Flag for me")],
        string="Records gone on the platform",
        default="archive",
        required=True,
        tracking=True,
        help="What a reconcile does with a record Odoo has and the platform "
        "no longer lists: archive it, or list it as waiting for you.",
    )
    field_ownership = fields.Html(
        compute="_compute_field_ownership",
        sanitize=False,
        help="Per resource, who owns which field: the platform's are restored "
        "by imports and reconciles, Odoo's are never overwritten, shared ones "
        "wait for you when both changed.",
    )
    drift_repaired = fields.Integer(
        compute="_compute_drift",
        string="Drift repaired",
        help="Records the last reconcile of each resource found drifted and "
        "repaired.",
    )
    drift_waiting = fields.Integer(
        compute="_compute_drift",
        string="Drift waiting for you",
        help="Records the last reconcile of each resource found drifted and "
        "left for you to decide.",
    )

    # Ownership ---------------------------------------------------------------

    def _compute_field_ownership(self):
        html = self._field_ownership_html()
        for backend in self:
            backend.field_ownership = html

    @api.model
    def _field_ownership_html(self):
        """A table of the reconciled resources and their owned fields."""
        rows = []
        for resource in self._connector_resources():
            if not self._reconciles(resource):
                continue
            model = self.env[resource.model]
            platform = resource.platform_owned or (_("every other synced field"),)
            cells = [
                ", ".join(self._labels(model, names))
                for names in (platform, resource.odoo_owned, resource.shared)
            ]
            rows.append(
                Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
                % (resource.title, *(cell or "-" for cell in cells))
            )
        header = Markup(
            "<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th>"
            "<th>%s</th><th>%s</th></tr></thead><tbody>"
        ) % (_("Resource"), _("Platform owns"), _("Odoo owns"), _("Shared"))
        return header + Markup("").join(rows) + Markup("</tbody></table>")

    @api.model
    def _labels(self, model, names):
        return [
            escape(model._fields[name].string if name in model._fields else name)
            for name in names
        ]

    @api.model
    def _reconciles(self, resource):
        """Whether ``resource`` is reconciled: declared so, and imported
        into bindings with an external id."""
        return resource.reconcile and "external_id" in self.env[resource.model]._fields

    # Drift counts ------------------------------------------------------------

    def _compute_drift(self):
        runs = self._last_reconciles()
        counts = {
            (run.backend_id, repair): count
            for run, repair, count in self.env["generic.sync.run.drift"]
            .sudo()
            ._read_group(
                [("run_id", "in", runs.ids)], ["run_id", "repair"], ["__count"]
            )
        }
        for backend in self:
            repaired = waiting = 0
            for (backend_id, repair), count in counts.items():
                if backend_id != backend.id:
                    continue
                if repair == "waiting":
                    waiting += count
                else:
                    repaired += count
            backend.drift_repaired, backend.drift_waiting = repaired, waiting

    def _last_reconciles(self):
        """The last reconcile run of each resource of each backend."""
        runs = (
            self.env["generic.sync.run"]
            .sudo()
            .search(
                [
                    ("backend_model", "=", self._name),
                    ("backend_id", "in", self.ids),
                    ("kind", "=", "reconcile"),
                ]
            )
        )
        last = {}
        for run in runs:  # newest first (the model's order)
            last.setdefault((run.backend_id, run.resource), run)
        return runs.browse([run.id for run in last.values()])

    # Actions and jobs --------------------------------------------------------

    def action_reconcile(self):
        """Button: reconcile the resource the context names, or every
        reconciled resource."""
        key = self.env.context.get(RESOURCE_KEY)
        resources = (
            [self._resource(key)]
            if key
            else [r for r in self._connector_resources() if self._reconciles(r)]
        )
        for resource in resources:
            self._action_reconcile(resource.key)
        return self._notify_background(_("Reconcile"))

    def _action_reconcile(self, key):
        """Enqueue the reconcile job of resource ``key`` for each backend
        and start its sync run (trigger: the context's ``sync_trigger``, a
        button by default)."""
        resource = self._resource(key)
        for backend in self:
            job = backend.with_delay(
                description=_(
                    "Reconcile %(title)s with %(name)s",
                    title=resource.title,
                    name=backend.name,
                ),
                # A reconcile not started yet is not enqueued twice.
                identity_key=identity_exact,
                **backend._job_options(resource.model),
            )._reconcile_resource(key)
            self.env["generic.sync.run"].with_context(
                sync_trigger=self.env.context.get("sync_trigger", "button")
            )._start(
                backend, run_key=job.uuid, resource=resource.model, kind="reconcile"
            )._adopt([job])

    def _reconcile_resource(self, key):
        """Job: the driver of a reconcile run of resource ``key``: compare,
        list the drift, archive what is gone, and enqueue the imports that
        repair the rest, with the job that closes the run after them."""
        self.ensure_one()
        resource = self._resource(key)
        run_key = self.env.context.get("job_uuid") or str(uuid.uuid4())
        run = self.env["generic.sync.run"]._start(
            self, run_key=run_key, resource=resource.model, kind="reconcile"
        )
        options = self._job_options(resource.model)
        with (
            self.with_context(**IMPORT_CONTEXT).work_on(resource.model) as work,
            job_errors(),
            run._counting_calls() as stats,
        ):
            reconciler = work.component(usage="reconciler")
            jobs = reconciler.run(run, run_key, job_options=options)
            run._note(
                protocol=reconciler.backend_adapter._protocol,
                shortfall=reconciler.shortfall(),
            )
        run._tally(
            stats, fetched=reconciler.fetched, updated=reconciler.archived, kind="batch"
        )
        if jobs:
            jobs.append(
                self.with_delay(
                    description=_(
                        "Finish reconcile of %(title)s", title=resource.title
                    ),
                    **options,
                )._sync_finalize(None, None, [j.uuid for j in jobs], run_key)
            )
        run._adopt(jobs)
        return _(
            "%(fetched)s listed, %(drift)s drifted, %(jobs)s import job(s)",
            fetched=reconciler.fetched,
            drift=len(run.drift_ids),
            jobs=max(len(jobs) - 1, 0),
        )

    # Schedulers --------------------------------------------------------------

    @api.model
    def _resource_schedulers(self):
        """The import schedulers, and one daily reconcile scheduler per
        reconciled resource (first run one day after install)."""
        return super()._resource_schedulers() + [
            (
                f"ir_cron_reconcile_{resource.key}",
                f"model._scheduler_reconcile({resource.key!r})",
                _("Reconcile %(title)s", title=resource.title),
                RECONCILE_TICK,
                24 * 60,
            )
            for resource in self._connector_resources()
            if self._reconciles(resource)
        ]

    @api.model
    def _scheduler_reconcile(self, key):
        """Cron: reconcile resource ``key`` of the backends whose
        ``reconcile_interval`` passed since their last scheduled reconcile
        of it."""
        self.search([])._due_for_import(
            self._resource(key),
            kind="reconcile",
            interval=lambda backend: backend.reconcile_interval * 60,
        ).with_context(sync_trigger="cron")._action_reconcile(key)
