# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""An import plan: what an import of a resource would do, before it does it.

A plan walks the remote as the import would (the records changed since the
resource's watermark, all of them on a first import) and lets each record's
importer decide, writing nothing but the plan's lines (the chunk importer's
``plan``): create, bind to an existing Odoo record (the same SKU, the same
email: ``Resource.match_fields``), update, skip, or fail, with the reason. A
full walk also lists the bound records the remote no longer has: archive.

*Apply* imports exactly the planned records, from the data the plan read,
with the plan's decisions (``import_chunk``'s ``planned``: a planned
creation creates, a planned binding binds the record the plan named), in a
sync run like an import's, whose finalising job moves the resource's
watermark to the moment the plan's walk started. A record changed on the
remote after the plan is therefore read again by the next incremental
import, and one imported since the plan (a webhook) is skipped as not newer
than what its binding saw: nothing the plan read overwrites a newer state.
"""

import json
import uuid
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.job import identity_exact

from ..jobs import job_errors
from .generic_binding import IMPORT_CONTEXT

ACTIONS = [
    ("create", "Create"),
    ("bind", "Bind existing"),
    ("update", "Update"),
    ("skip", "Skip"),
    ("archive", "Archive"),
    ("fail", "Cannot import"),
]
#: the actions *Apply* carries out (a skip is nothing, a failure needs a fix)
APPLIED = ("create", "bind", "update", "archive")


class GenericImportPlan(models.Model):
    _name = "generic.import.plan"
    _inherit = "generic.backend.owned"
    _description = "Import Plan"
    _order = "create_date desc, id desc"

    name = fields.Char(compute="_compute_name")
    resource = fields.Char(required=True, readonly=True, help="The resource's key.")
    resource_model = fields.Char(required=True, readonly=True)
    state = fields.Selection(
        [("planning", "Planning"), ("ready", "Ready"), ("applied", "Applied")],
        default="planning",
        required=True,
        readonly=True,
    )
    job_id = fields.Many2one(
        "queue.job", string="Planning Job", readonly=True, ondelete="set null"
    )
    job_state = fields.Selection(related="job_id.state", string="Planning Job State")
    job_error = fields.Char(
        related="job_id.exc_message",
        string="Why the plan could not be made",
        help="Fix it (credentials, base URL...) and plan again.",
    )
    since = fields.Char(
        readonly=True, help="The watermark the plan read changes from; empty: all."
    )
    watermark = fields.Char(
        readonly=True,
        help="The remote time the plan's walk started: where Apply moves the "
        "resource's watermark.",
    )
    line_ids = fields.One2many("generic.import.plan.line", "plan_id", readonly=True)
    run_id = fields.Many2one(
        "generic.sync.run",
        string="Apply Run",
        readonly=True,
        help="The sync run that applies the plan.",
    )
    run_state = fields.Selection(related="run_id.state", string="Apply Run State")
    create_count = fields.Integer(compute="_compute_counts", string="To Create")
    bind_count = fields.Integer(compute="_compute_counts", string="To Bind")
    update_count = fields.Integer(compute="_compute_counts", string="To Update")
    skip_count = fields.Integer(compute="_compute_counts", string="To Skip")
    archive_count = fields.Integer(compute="_compute_counts", string="To Archive")
    fail_count = fields.Integer(compute="_compute_counts", string="Cannot Import")

    @api.depends("resource", "create_date")
    def _compute_name(self):
        for plan in self:
            plan.name = _(
                "Plan: %(resource)s, %(date)s",
                resource=plan.resource,
                date=plan.create_date or "",
            )

    @api.depends("line_ids.action")
    def _compute_counts(self):
        groups = self.env["generic.import.plan.line"]._read_group(
            [("plan_id", "in", self.ids)], ["plan_id", "action"], ["__count"]
        )
        counts = {(plan.id, action): count for plan, action, count in groups}
        for plan in self:
            for action, _label in ACTIONS:
                plan[f"{action}_count"] = counts.get((plan.id, action), 0)

    @api.model
    def _start(self, backend, key):
        """A new plan of resource ``key`` of ``backend``, its job enqueued."""
        resource = backend._resource(key)
        if "odoo_id" not in self.env[resource.model]._fields:
            raise UserError(
                _(
                    "%(title)s cannot be planned: its records are not bound one "
                    "by one. Run the import itself.",
                    title=resource.title,
                )
            )
        plan = self.create(
            {
                "backend_model": backend._name,
                "backend_id": backend.id,
                "resource": key,
                "resource_model": resource.model,
                "since": resource.watermark and backend[resource.watermark] or False,
            }
        )
        job = plan.with_delay(
            description=_(
                "Plan: %(title)s from %(name)s", title=resource.title, name=backend.name
            ),
            **backend._job_options(resource.model),
        )._plan()
        plan.job_id = job.db_record()
        return plan

    # Planning ----------------------------------------------------------------

    def _plan(self):
        """Job: walk the remote records changed since ``since`` (all when
        empty) page by page and write the plan's lines, a chunk at a time;
        on a full walk, plan to archive the bindings it did not meet."""
        self.ensure_one()
        backend = self._backend()
        self.line_ids.unlink()  # a job run twice plans again
        filters = {"updated_since": self.since} if self.since else {}
        size = max(backend.import_chunk_size, 1)
        seen, first_response = set(), None
        planning = backend.with_context(**IMPORT_CONTEXT)
        with (
            planning.work_on(self.resource_model, chunk_cache={}) as work,
            job_errors(),
        ):
            importer = work.component(usage="chunk.importer")
            chunk = []
            for page in importer.backend_adapter.iterate_pages(filters):
                first_response = first_response or page.response
                chunk.extend(page.items)
                while len(chunk) >= size:
                    seen |= self._plan_chunk(importer, chunk[:size])
                    chunk = chunk[size:]
            if chunk:
                seen |= self._plan_chunk(importer, chunk)
            if not self.since:
                self._add_lines(self._unseen_archive(importer, seen))
        self.write(
            {"state": "ready", "watermark": backend._run_watermark(first_response)}
        )
        return _("Planned %(count)s record(s)", count=len(self.line_ids))

    def _plan_chunk(self, importer, records):
        """Plan ``records``; return their external ids."""
        lines = importer.plan(records)
        self._add_lines(lines)
        return {str(record.get("id")) for record in records} | {
            line["external_id"] for line in lines
        }

    def _unseen_archive(self, importer, seen):
        """Archive lines of the active bindings a full walk did not meet."""
        bindings = self.env[self.resource_model].search(
            [("backend_id", "=", self.backend_id)]
        )
        gone = [b.external_id for b in bindings if b.external_id not in seen]
        return importer._plan_archive(gone, _("not on the platform any more"))

    def _add_lines(self, lines):
        self.env["generic.import.plan.line"].create(
            [dict(line, plan_id=self.id) for line in lines]
        )

    # Applying ----------------------------------------------------------------

    def action_apply(self):
        """Button: apply the plan, in a sync run of its own."""
        self.ensure_one()
        if self.state != "ready":
            raise UserError(
                _("Only a ready plan can be applied: plan the import again.")
            )
        backend = self._backend()
        resource = backend._resource(self.resource)
        job = self.with_delay(
            description=_("Apply %(plan)s", plan=self.name),
            identity_key=identity_exact,
            **backend._job_options(resource.model),
        )._apply()
        run = backend.with_context(sync_trigger="button")._sync_run_start(
            job, resource.model, resource.watermark
        )
        self.write({"state": "applied", "run_id": run.id})
        return backend._notify_background(_("Apply %(plan)s", plan=self.name))

    def _apply(self):
        """Job: the driver of the apply run: archive the planned archives,
        enqueue one ``import_chunk`` job per chunk of the planned creations,
        bindings and updates (the planned decisions with them), and the
        finalising job that moves the watermark to the plan's."""
        self.ensure_one()
        backend = self._backend()
        resource = backend._resource(self.resource)
        model = self.env[self.resource_model]
        run_key = self.env.context.get("job_uuid") or str(uuid.uuid4())
        run = self.env["generic.sync.run"]._start(
            backend, run_key=run_key, resource=model._name
        )
        lines = self.line_ids.filtered(lambda line: line.action in APPLIED)
        archives = lines.filtered(lambda line: line.action == "archive")
        for line in archives:
            model._remote_deleted(backend, line.external_id)
        run._tally(updated=len(archives), kind="archive")
        options = backend._job_options(model._name)
        size = max(backend.import_chunk_size, 1)
        imports = lines - archives
        jobs = [
            model.with_delay(
                description=_("Apply %(plan)s (chunk)", plan=self.name), **options
            ).import_chunk(
                backend,
                [json.loads(line.remote_data) for line in chunk],
                run_key=run_key,
                planned={line.external_id: line.res_id for line in chunk},
            )
            for chunk in (imports[i : i + size] for i in range(0, len(imports), size))
        ]
        jobs.append(
            backend.with_delay(
                description=_("Finish %(plan)s", plan=self.name), **options
            )._sync_finalize(
                resource.watermark, self.watermark, [j.uuid for j in jobs], run_key
            )
        )
        run._adopt(jobs)
        return _("%(count)s chunk job(s) enqueued", count=len(jobs) - 1)

    @api.model
    def _gc(self):
        """Cron: remove plans past their retention (system parameter
        ``generic_connector.import_plan_retention_days``, 30): their lines
        keep the remote records' data, customers' names and emails too."""
        params = self.env["ir.config_parameter"].sudo()
        keep = int(params.get_param("generic_connector.import_plan_retention_days", 30))
        old = self.search(
            [("create_date", "<", fields.Datetime.now() - timedelta(days=keep))]
        )
        old.unlink()
        return len(old)

    def action_view_run(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "generic.sync.run",
            "res_id": self.run_id.id,
            "views": [(False, "form")],
        }
