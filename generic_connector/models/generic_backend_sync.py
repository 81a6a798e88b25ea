# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How a backend synchronises: the sync driver.

Mixed into ``generic.backend``. An import run is a driver job
(``_import_run``) that walks the remote pages and enqueues chunk jobs, then
a finalising job (``_sync_finalize``) that moves the resource's watermark
once every chunk is done, and never if one fails: the next incremental run
then starts from the last run that fully succeeded. Each run is logged as a
``generic.sync.run``.

Jobs run in the backend's own queue channel (``_job_channel``), those of a
declared resource (its runs, chunks, isolated records, exports) in the
resource's sub-channel. An unconfigured channel shares its parent's capacity
with its siblings, so a busy backend can still delay another, and a slow
resource the others: give a backend, or a resource, its own capacity in
queue_job's channel configuration to keep them apart.
"""

import contextlib
import uuid
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from odoo import _, fields, models

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..timestamps import canonical_timestamp


class GenericBackendSync(models.AbstractModel):
    _name = "generic.backend.sync"
    _description = "Connector Backend Sync Driver"

    page_size = fields.Integer(
        default=100, help="Records asked per page.", tracking=True
    )
    import_chunk_size = fields.Integer(
        default=50,
        help="Records imported by one job of a batch import.",
        tracking=True,
    )
    use_bulk_export = fields.Boolean(
        string="Use bulk export for full loads",
        help="A first load and a Full re-import of a resource that supports it "
        "ask the platform for one bulk export file (start, wait, download) "
        "instead of reading page after page through the rate limit. "
        "Incremental runs still page.",
        tracking=True,
    )
    export_delay = fields.Integer(
        default=10,
        help="Seconds an export waits after the change that triggered it: "
        "changes made meanwhile go out in the same export.",
        tracking=True,
    )

    def _bulk_export_for(self, model_name):
        """Whether this backend's full walks of the resource importing into
        ``model_name`` read a bulk export: ticked on the backend, declared
        by the resource (``Resource.bulk``). The adapter must support it too
        (``GenericAdapter.supports_bulk``: its protocol, its remote)."""
        self.ensure_one()
        resource = self._resource_of_model(model_name)
        return bool(self.use_bulk_export and resource and resource.bulk)

    def _sync_run_start(self, job, resource, watermark_field=None):
        """The run of ``job``, the driver job of a sync of ``resource`` just
        enqueued (created, or the pending one ``job`` turned out to be)."""
        self.ensure_one()
        run = self.env["generic.sync.run"]._start(
            self,
            run_key=job.uuid,
            resource=resource,
            watermark_field=watermark_field,
            watermark_before=watermark_field and self[watermark_field],
        )
        run._adopt([job])
        return run

    def _sync_run_done(self, run):
        """A run of this backend succeeded: the remote answers again."""
        self.ensure_one()
        if self.connection_state == "failed":
            self.sudo().write(
                {
                    "connection_state": "ok",
                    "connection_message": _(
                        "Connected: %(run)s succeeded", run=run.name
                    ),
                    "connection_tested_at": fields.Datetime.now(),
                }
            )

    def _sync_run_failed(self, run):
        """A run of this backend failed or was partial: say it in the
        chatter, and when the run could not even start (its driver job
        failed: credentials, base URL...), on the connection state too."""
        self.ensure_one()
        driver_failed = run.job_ids.filtered(
            lambda j: j.uuid == run.run_key and j.state == "failed"
        )
        if driver_failed:
            self.sudo().write(
                {
                    "connection_state": "failed",
                    "connection_message": (run.message or "")[:500],
                    "connection_tested_at": fields.Datetime.now(),
                }
            )
        self.sudo()._message_log(
            body=_(
                "%(run)s: %(state)s. %(message)s",
                run=run.name,
                state=dict(run._fields["state"].selection)[run.state],
                message=run.message or "",
            ),
        )

    def _run_watermark(self, first_response, overlap=5):
        """The watermark of a run starting now: the remote clock (the first
        response's ``Date``) when known, else ours, minus ``overlap`` seconds
        so a change made while the run starts is read again, not missed."""
        moment = None
        if first_response is not None and first_response.headers.get("Date"):
            with contextlib.suppress(TypeError, ValueError):
                moment = parsedate_to_datetime(first_response.headers["Date"])
        moment = moment or datetime.now(timezone.utc)
        return canonical_timestamp(moment - timedelta(seconds=overlap))

    def _import_run(self, binding_model, watermark_field, since=None):
        """The driver of an import run of ``binding_model``: enqueue chunk
        jobs for the records updated since ``since`` (all when empty), and the
        job that moves ``watermark_field`` (none: a resource read in full) when
        they are all done. Called by each resource's import job
        (``_import_resource``); the run is logged as a ``generic.sync.run``
        keyed by this job."""
        self.ensure_one()
        filters = {"updated_since": since} if since else {}
        run_key = self.env.context.get("job_uuid") or str(uuid.uuid4())
        run = self.env["generic.sync.run"]._start(
            self,
            run_key=run_key,
            resource=binding_model,
            watermark_field=watermark_field,
            watermark_before=since,
        )
        model = self.env[binding_model]
        # A resource without a watermark is walked in full: what it no longer
        # lists was deleted remotely, archived once the run succeeded.
        listed = None if watermark_field else set()
        jobs, first_response = model.import_batch(
            self,
            filters,
            job_options=self._job_options(binding_model),
            run_key=run_key,
            listed=listed,
        )
        watermark = self._run_watermark(first_response)
        if not jobs:
            if run.shortfall:
                return run.shortfall
            if watermark_field:
                self._move_watermark(watermark_field, watermark)
                run._note(watermark_after=watermark)
            return _(
                "No %(model)s changed since %(since)s",
                model=model._description,
                since=since or "-",
            )
        finalize = self.with_delay(
            description=_(
                "Finish %(model)s import from %(name)s",
                model=model._description,
                name=self.name,
            ),
            **self._job_options(binding_model),
        )._sync_finalize(
            watermark_field,
            watermark,
            [j.uuid for j in jobs],
            run_key,
            listed_ids=None if listed is None else sorted(listed),
        )
        run._adopt([finalize])
        return _("%(count)s chunk job(s) enqueued", count=len(jobs))

    def _sync_finalize(
        self, field_name, watermark, job_uuids, run_key=None, listed_ids=None
    ):
        """Job: move the watermark ``field_name`` once the run is done (a
        run without a watermark, ``field_name`` ``None``, waits for its jobs:
        its state is theirs; given the ``listed_ids`` of its full walk, it
        then archives the bindings the walk did not list, ``_sweep_unlisted``).

        The run is its chunk jobs (``job_uuids``) and the jobs they isolated
        bad records in (identity key ``<run_key>:<id>``). Waits, without
        spending retries, while any is pending; fails, leaving the watermark
        where it was, when any failed: a record that did not import is read
        again by the next run. The watermark stays too when the run's walk
        fetched less than the remote announced (the run's ``shortfall``).
        """
        self.ensure_one()
        domain = [("uuid", "in", job_uuids)]
        if run_key:
            domain = ["|", ("identity_key", "=like", f"{run_key}:%")] + domain
        # The run's jobs may belong to other users (a cron, the integration
        # user): their states are read as superuser, nothing else.
        jobs_sudo = self.env["queue.job"].sudo().search(domain)
        broken = jobs_sudo.filtered(lambda j: j.state in ("failed", "cancelled"))
        if broken and not field_name:
            raise FailedJobError(
                _(
                    "%(count)s job(s) of this run failed or were cancelled. Fix "
                    "and requeue them, or run the import again: %(names)s",
                    count=len(broken),
                    names=", ".join(broken.mapped("display_name")),
                )
            )
        if broken:
            raise FailedJobError(
                _(
                    "%(count)s job(s) of this run failed or were cancelled, so "
                    "the watermark stays at %(old)s. Fix and requeue them, or run "
                    "the import again: %(names)s",
                    count=len(broken),
                    old=self[field_name] or _("(never)"),
                    names=", ".join(broken.mapped("display_name")),
                )
            )
        waiting = jobs_sudo.filtered(lambda j: j.state != "done")
        if waiting:
            # The last job to end runs this one at once (``_hasten_finalize``);
            # when only started jobs are left, it may have missed them (they
            # ended together): look again soon.
            started = not waiting.filtered(lambda j: j.state != "started")
            raise RetryableJobError(
                _("Waiting for %(count)s job(s) of this run", count=len(waiting)),
                seconds=2 if started else 10,
                ignore_retry=True,
            )
        if not field_name:
            message = _("%(count)s job(s) of this run done", count=len(jobs_sudo))
            if listed_ids is not None:
                message += self._sweep_unlisted(run_key, listed_ids)
            return message
        run = self.env["generic.sync.run"]._for_key(run_key)
        if run.shortfall:
            # Records the walk missed would be skipped for good past it.
            return _(
                "The watermark stays at %(old)s: %(why)s",
                old=self[field_name] or _("(never)"),
                why=run.shortfall,
            )
        self._move_watermark(field_name, watermark)
        run._note(watermark_after=watermark)
        return _(
            "Watermark %(field)s moved to %(value)s", field=field_name, value=watermark
        )

    def _sweep_unlisted(self, run_key, listed_ids):
        """After the run ``run_key`` succeeded: archive the bindings of its
        resource that its full walk did not list (``_archive_unlisted``),
        counted as the run's ``archived``; nothing when the walk fetched less
        than the remote announced (a record missing from a broken walk is no
        deletion). Return the sentence added to the finaliser's message."""
        run = self.env["generic.sync.run"]._for_key(run_key)
        if run.shortfall:
            return _("; nothing archived: %(why)s", why=run.shortfall)
        archived = self.env[run.resource]._archive_unlisted(self, listed_ids)
        run._tally(archived=archived, kind="sweep")
        return _("; %(count)s no longer listed: archived", count=archived)

    def _move_watermark(self, field_name, watermark):
        if not self[field_name] or watermark > self[field_name]:
            self[field_name] = watermark

    # Jobs --------------------------------------------------------------------

    # The queue channel this connector's backends get a sub-channel of.
    _job_channel_parent = "root"

    def _job_channel(self, model_name=None):
        """The queue channel of this backend's jobs: ``<parent>.backend_<id>``,
        and of the jobs of the resource importing into ``model_name``, its
        sub-channel ``<parent>.backend_<id>.<resource channel>``.

        queue_job's runner gives a channel missing from its configuration the
        capacity of its closest configured parent, so unconfigured backends
        share their parent's capacity, and the resources of one backend
        share the backend's; configure ``<parent>.backend_<id>:N`` to give
        one backend its own, and ``<parent>.backend_<id>.orders:1`` to keep a
        slow resource from holding up the others (README: sizing against the
        budget).
        """
        self.ensure_one()
        channel = f"{self._job_channel_parent}.backend_{self.id}"
        resource = model_name and self._resource_of_model(model_name)
        if resource:
            channel = f"{channel}.{resource.channel or resource.key}"
        return channel

    def _job_options(self, model_name=None):
        """``with_delay`` options of this backend's jobs, of the resource
        importing into ``model_name`` when given."""
        return {"channel": self._job_channel(model_name)}
