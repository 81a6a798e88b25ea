# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a backend synchronises: its declared resources, and what follows.

Mixed into ``generic.backend``. A connector declares its resources once
(``_connector_resources``, see :mod:`..resources`); this mixin derives from
them the import actions and jobs, one scheduler per resource, the binding
counts and the smart buttons, so a connector writes none of them.

The schedulers are ``ir.cron`` records created at install and upgrade of the
module that declares the resources (``init`` -> ``_sync_resource_crons``),
not data files: a resource added to the declarations gets its cron at the
next upgrade, and an admin's changes to a cron (deactivated, moved) are
kept, since they are created ``noupdate``.
"""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.job import identity_exact

#: How often a scheduler wakes up at most, in minutes: each backend's own
#: interval for the resource decides whether it runs then.
SCHEDULER_TICK = 5
#: The context key buttons name their resource with.
RESOURCE_KEY = "connector_resource"


class GenericBackendResources(models.AbstractModel):
    _name = "generic.backend.resources"
    _description = "Connector Backend Resources"

    @api.model
    def _connector_resources(self):
        """The resources of this connector, a tuple of
        :class:`~..resources.Resource`; extend it with ``super()``."""
        return ()

    @api.model
    def _resources(self):
        """``{key: Resource}`` of this connector's declarations."""
        return {resource.key: resource for resource in self._connector_resources()}

    @api.model
    def _resource(self, key):
        resource = self._resources().get(key)
        if not resource:
            raise UserError(
                _(
                    "%(model)s declares no resource %(key)r: add it to "
                    "_connector_resources or fix the button's context.",
                    model=self._description,
                    key=key,
                )
            )
        return resource

    @api.model
    def _resource_of_model(self, model_name):
        """The resource importing into ``model_name``, or ``None``."""
        for resource in self._connector_resources():
            if resource.model == model_name:
                return resource
        return None

    def _match_fields(self, model_name):
        """The fields a new record of the resource importing into
        ``model_name`` is matched on by this backend (``Resource.match_fields``
        when its ``match_switch`` is on), empty when it matches nothing."""
        self.ensure_one()
        resource = self._resource_of_model(model_name)
        if not resource or (resource.match_switch and not self[resource.match_switch]):
            return ()
        return resource.match_fields

    # Actions and jobs --------------------------------------------------------

    def action_import(self):
        """Button: import the resource the context names (``connector_resource``)."""
        return self._action_import(self.env.context.get(RESOURCE_KEY))

    def action_plan_import(self):
        """Button: plan the import of the resource the context names (what
        it would create, bind, update, archive; nothing written until the
        plan is applied), and open the plan, made in a job."""
        self.ensure_one()
        plan = self.env["generic.import.plan"]._start(
            self, self.env.context.get(RESOURCE_KEY)
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": plan._name,
            "res_id": plan.id,
            "views": [(False, "form")],
        }

    def _action_import(self, key):
        """Enqueue the import job of resource ``key`` for each backend (a
        button, a cron), incremental from its watermark (full when empty, and
        always for a resource without one), log its sync run from now on
        (trigger: the context's ``sync_trigger``, a button by default), and
        return the notification telling the user it runs."""
        resource = self._resource(key)
        for backend in self.with_context(
            sync_trigger=self.env.context.get("sync_trigger", "button")
        ):
            # identity_exact: a run not started yet is not enqueued twice (a
            # convenience; correctness comes from the importer's idempotence).
            delayable = backend.with_delay(
                description=_(
                    "%(title)s from %(name)s", title=resource.title, name=backend.name
                ),
                identity_key=identity_exact,
                **backend._job_options(resource.model),
            )
            since = (
                {"since": backend[resource.watermark] or None}
                if resource.watermark
                else {}
            )
            if resource.import_method:
                job = getattr(delayable, resource.import_method)(**since)
            else:
                job = delayable._import_resource(key, **since)
            backend._sync_run_start(job, resource.model, resource.watermark)
        return self._notify_background(resource.title)

    def _import_resource(self, key, since=None):
        """Job: the import run of resource ``key`` (``_import_run``): the
        records updated since ``since``, all when empty."""
        resource = self._resource(key)
        return self._import_run(resource.model, resource.watermark, since)

    def _action_reimport(self, key):
        """Full re-import of resource ``key``: forget its watermark and what
        the bindings last saw, so every remote record is read and applied
        again (after the remote was restored or reseeded, or a mapping
        changed)."""
        self.ensure_one()
        resource = self._resource(key)
        if resource.watermark:
            self[resource.watermark] = False
        self.env[resource.model].search([("backend_id", "=", self.id)]).write(
            {"remote_updated_at": False}
        )
        self._message_log(
            body=_("Full re-import requested: %(title)s", title=resource.title)
        )
        return self._action_import(key)

    def _notify_background(self, title):
        """The notification of an import enqueued by a button; the form is
        reloaded after it, so its counters and state are current."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": _(
                    "The import runs in the background: its progress is under "
                    "the backend's Sync runs."
                ),
                "type": "info",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # Counts and smart buttons ------------------------------------------------

    def _resource_counts(self):
        """``{key: {backend id: bindings}}`` of every resource imported into
        bindings (not the inventory's quants), one grouped query each."""
        counts = {}
        for resource in self._connector_resources():
            if "backend_id" not in self.env[resource.model]._fields:
                continue
            groups = self.env[resource.model]._read_group(
                [("backend_id", "in", self.ids)], ["backend_id"], ["__count"]
            )
            counts[resource.key] = {backend.id: count for backend, count in groups}
        return counts

    def _compute_resource_counts(self):
        """Compute of the resources' ``count_field``: one field each."""
        counts = self._resource_counts()
        for resource in self._connector_resources():
            if not resource.count_field:
                continue
            for backend in self:
                by_backend = counts.get(resource.key, {})
                backend[resource.count_field] = by_backend.get(backend.id, 0)

    def action_view_bindings(self):
        """Smart button: the bindings of this backend of the resource the
        context names, in the resource's ``action`` when it declares one."""
        self.ensure_one()
        resource = self._resource(self.env.context.get(RESOURCE_KEY))
        if resource.action:
            action = self.env["ir.actions.act_window"]._for_xml_id(resource.action)
        else:
            action = {
                "type": "ir.actions.act_window",
                "name": resource.title,
                "res_model": resource.model,
                "views": [(False, "tree"), (False, "form")],
            }
        action["domain"] = [("backend_id", "=", self.id)]
        return action

    # Schedulers --------------------------------------------------------------

    def init(self):
        result = super().init()
        if not self._abstract:
            # After init_models created every table and reflected the model:
            # the crons need its ir.model row, and reading the declarations
            # (their translated titles) reads the user, whose columns may
            # not all exist yet.
            self.pool.post_init(self._sync_resource_crons)
        return result

    @api.model
    def _resource_schedulers(self):
        """The crons this connector's declarations call for, as
        ``(xml name, code, title, wake-up minutes, minutes to the first
        run)``: one import scheduler per resource with an ``interval``
        (extend it with ``super()`` for other schedulers)."""
        schedulers = []
        for resource in self._connector_resources():
            if resource.interval is None:
                continue
            # An interval of 0 (by hand, unless a backend field says
            # otherwise) wakes up at the usual tick, not every minute.
            wake_up = min(resource.interval, SCHEDULER_TICK) or SCHEDULER_TICK
            schedulers.append(
                (
                    f"ir_cron_import_{resource.key}",
                    f"model._scheduler_import({resource.key!r})",
                    resource.title,
                    wake_up,
                    resource.interval or 15,
                )
            )
        return schedulers

    @api.model
    def _sync_resource_crons(self):
        """Create the missing cron of each scheduler (``_resource_schedulers``),
        with the XML id ``<module>.<xml name>`` (``noupdate``: an admin's
        changes stay), and point the existing ones at their generic
        scheduler. The first run is one interval after install: a fresh
        start imports nothing an admin did not ask for."""
        model_id = self.env["ir.model"]._get_id(self._name)
        for name, code, title, wake_up, first_in in self._resource_schedulers():
            cron = self.env.ref(f"{self._original_module}.{name}", False)
            if cron:
                if cron.code != code:
                    cron.sudo().code = code
                continue
            cron = self._create_resource_cron(title, model_id, code, wake_up, first_in)
            self.env["ir.model.data"].sudo().create(
                {
                    "module": self._original_module,
                    "name": name,
                    "model": "ir.cron",
                    "res_id": cron.id,
                    "noupdate": True,
                }
            )

    @api.model
    def _create_resource_cron(self, title, model_id, code, wake_up, first_in):
        return (
            self.env["ir.cron"]
            .sudo()
            .create(
                {
                    "name": _(
                        "%(connector)s: %(title)s",
                        connector=self._description,
                        title=title,
                    ),
                    "model_id": model_id,
                    "state": "code",
                    "code": code,
                    "interval_number": wake_up,
                    "interval_type": "minutes",
                    "numbercall": -1,
                    "nextcall": fields.Datetime.now() + timedelta(minutes=first_in),
                }
            )
        )

    @api.model
    def _scheduler_import(self, key):
        """Cron: import resource ``key`` of the backends whose interval for
        it passed since their last scheduled run of it (their button and
        webhook runs do not count)."""
        self.search([])._due_for_import(self._resource(key)).with_context(
            sync_trigger="cron"
        )._action_import(key)

    def _import_interval(self, resource):
        """Minutes between scheduled runs of ``resource`` on this backend."""
        self.ensure_one()
        if resource.interval_field:
            return self[resource.interval_field]
        return resource.interval or 0

    def _due_for_import(self, resource, kind="import", interval=None):
        """The backends of ``self`` whose interval for ``resource`` has
        passed since their last scheduled run of it (of ``kind``: an import
        or a reconcile); never those whose interval is 0. ``interval`` gives
        a backend's minutes (default: ``_import_interval``)."""
        interval = interval or (lambda backend: backend._import_interval(resource))
        now = fields.Datetime.now()
        last = dict(
            self.env["generic.sync.run"]
            .sudo()
            ._read_group(
                [
                    ("backend_model", "=", self._name),
                    ("backend_id", "in", self.ids),
                    ("trigger", "=", "cron"),
                    ("resource", "=", resource.model),
                    ("kind", "=", kind),
                ],
                ["backend_id"],
                ["started_at:max"],
            )
        )
        return self.filtered(
            lambda b: interval(b) > 0
            and (
                not last.get(b.id) or last[b.id] <= now - timedelta(minutes=interval(b))
            )
        )

    @api.model
    def _defer_scheduled_imports(self, minutes=None):
        """Move the next run of every scheduler of this connector
        ``minutes`` from now (default: the longest interval of its backends'
        resources, else 15), so that a fresh start imports nothing by itself
        before an admin has looked (the demo's set-up calls it)."""
        if minutes is None:
            intervals = [
                backend._import_interval(resource)
                for backend in self.search([])
                for resource in self._connector_resources()
            ]
            minutes = max(intervals or [0]) or 15
        crons = self.env["ir.cron"].sudo().search([("model_id.model", "=", self._name)])
        crons.nextcall = fields.Datetime.now() + timedelta(minutes=minutes)
