# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The sync log: one row per synchronisation run, for every connector.

A run is what an admin asks about: did last night's import run, what did it
change, what failed and why, did the platform throttle us. It is tied to the
existing machinery, not a second one:

* the jobs of the run point at it (``queue.job.sync_run_id``); its state
  follows theirs (:meth:`_refresh_state`, called whenever one of them changes
  state): *running* while any is pending, *done* when all are done, *partial*
  when some records failed while the rest imported, *failed* when the run
  itself could not proceed (its driver failed, or nothing was imported);
* each job adds one **tally** (fetched, created, updated, skipped, HTTP calls,
  retries, time waited on rate limits) in a row of its own, inserted, never
  updated: concurrent jobs of one run never fight over the run's row, and a
  job that runs twice counts once;
* its HTTP calls are counted as they are sent, outside the jobs'
  transactions (:meth:`_counting_calls`): an attempt that rolls back (a
  retry, a deadlock) loses its tally, not the calls the remote served;
* each record that failed is a **failure** with its reason and a *Retry*.
  When every failure is resolved, the run's failed finalising job is requeued:
  it moves the watermark, and the run becomes *done*;
* a running run whose jobs wait for a retry says why (``retry_message``,
  read from the jobs): a run that does not move during an outage is not
  mistaken for a run making progress.

The run is found by its key (the driver job's uuid, passed along as
``run_key``) or, for code that runs inside a run without knowing it (a
webhook handler), by the context key ``sync_run_key``.
"""

import contextlib
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import psycopg2

from odoo import _, api, fields, models

from ..shared_state import call_counter
from ..timestamps import to_odoo_datetime
from ..transport import count_calls

RUNNING_JOB_STATES = ("wait_dependencies", "pending", "enqueued", "started")
# States of a job that asked to be retried (``retry`` > 0): waiting for its
# next attempt, or in it.
# States of a job that has not started yet.
QUEUED_JOB_STATES = ("wait_dependencies", "pending", "enqueued")
RETRYING_JOB_STATES = ("pending", "enqueued", "started")
FINALIZE_METHOD = "_sync_finalize"
COUNTS = ("fetched", "created", "updated", "skipped", "archived")
CALL_COUNTS = ("http_calls", "retries", "throttled", "wait_seconds")

_logger = logging.getLogger(__name__)
# One JSON line per finished run (see ``_log_finished``), under a name of its
# own so that a log shipper can route it: ``--log-handler
# generic_connector.sync_run:INFO`` keeps it when the rest is at WARNING.
RUN_LOGGER = logging.getLogger("generic_connector.sync_run")


#: At most this many seconds between two additions of a block's calls to
#: its run's count (the calls of a long walk show while it walks).
CALLS_FLUSH_SECONDS = 1.0


@dataclass(frozen=True)
class _RunCalls:
    """The ``on_call`` hook of a run's collector: one more call in the run's
    count. Equal for one run, so nested collectors of a run count a call
    once (a webhook's block around the import it runs).

    The calls are added to the count together: at the end of the block
    (``flush``, whatever its outcome) and at most every
    :data:`CALLS_FLUSH_SECONDS` during it, not one statement per call (a
    webhook job's reads, four in flight, each waited for its own autocommit
    on the process's one shared connection). A worker killed in the middle
    of a block loses the count of its last second of calls, not the
    calls."""

    key: str
    counter: Any = field(compare=False)
    #: [calls not added yet, monotonic time of the last addition]
    _pending: list = field(
        default_factory=lambda: [0, time.monotonic()], compare=False, repr=False
    )
    _lock: Any = field(default_factory=threading.Lock, compare=False, repr=False)

    def __call__(self):
        with self._lock:
            self._pending[0] += 1
            due = time.monotonic() - self._pending[1] >= CALLS_FLUSH_SECONDS
        if due:
            self.flush()

    def flush(self):
        """Add the calls not added yet to the run's count."""
        with self._lock:
            calls, self._pending[:] = self._pending[0], [0, time.monotonic()]
        if not calls:
            return
        try:
            self.counter.add(self.key, calls)
        except psycopg2.Error as err:
            # The calls were made; losing their count must not fail the job.
            _logger.warning(
                "%s HTTP call(s) of run %s not counted: %s", calls, self.key, err
            )


class GenericSyncRun(models.Model):
    _name = "generic.sync.run"
    _inherit = "generic.backend.owned"
    _description = "Synchronisation Run"
    _order = "started_at desc, id desc"

    name = fields.Char(compute="_compute_name")
    run_key = fields.Char(required=True, index=True, readonly=True, copy=False)
    trigger = fields.Selection(
        [
            ("cron", "Scheduled"),
            ("button", "Button"),
            ("webhook", "Webhook"),
            ("export", "Export"),
            ("manual", "Manual"),
        ],
        required=True,
        default="manual",
        readonly=True,
    )
    kind = fields.Selection(
        [("import", "Import"), ("reconcile", "Reconcile")],
        required=True,
        default="import",
        readonly=True,
        help="Import: the records changed (or all). Reconcile: the platform's "
        "records compared with Odoo's, and what drifted repaired.",
    )
    resource = fields.Char(
        string="Resource Model",
        readonly=True,
        help="Technical name of the model the run synchronises (for a "
        "webhook's run, its event type).",
    )
    resource_name = fields.Char(compute="_compute_resource_name", string="Resource")
    protocol = fields.Selection(
        [("rest", "REST"), ("graphql", "GraphQL"), ("soap", "SOAP")], readonly=True
    )
    bulk_export = fields.Boolean(
        readonly=True,
        help="The run read the platform's bulk export file instead of its "
        "list pages (a first load or a full re-import).",
    )
    state = fields.Selection(
        [
            ("running", "Running"),
            ("done", "Done"),
            ("partial", "Partial"),
            ("failed", "Failed"),
        ],
        default="running",
        required=True,
        index=True,
        readonly=True,
    )
    message = fields.Text(readonly=True, help="What went wrong, and what to do.")
    retry_message = fields.Char(
        compute="_compute_retry_message",
        string="Retrying",
        help="Why jobs of this running run wait for another attempt.",
    )
    started_at = fields.Datetime(
        default=fields.Datetime.now, required=True, readonly=True, index=True
    )
    ended_at = fields.Datetime(readonly=True)
    duration = fields.Float(
        compute="_compute_duration",
        string="Duration (s)",
        digits=(16, 1),
        help="Seconds from start to end (or to now).",
    )
    watermark_field = fields.Char(readonly=True)
    watermark_before = fields.Char(readonly=True)
    watermark_after = fields.Char(
        readonly=True, help="Where the run moved the watermark; empty until it did."
    )
    watermark_before_at = fields.Datetime(
        compute="_compute_watermark_dates", string="Changes since"
    )
    watermark_after_at = fields.Datetime(
        compute="_compute_watermark_dates", string="Watermark moved to"
    )
    shortfall = fields.Text(
        readonly=True,
        help="What the run's walk missed of the total the remote announced: "
        "the run is then partial and its watermark stays.",
    )
    tally_ids = fields.One2many("generic.sync.run.tally", "run_id", readonly=True)
    drift_ids = fields.One2many("generic.sync.run.drift", "run_id", readonly=True)
    failure_ids = fields.One2many("generic.sync.run.failure", "run_id", readonly=True)
    job_ids = fields.One2many("queue.job", "sync_run_id", readonly=True)
    job_count = fields.Integer(compute="_compute_job_count")
    fetched = fields.Integer(compute="_compute_counts")
    created = fields.Integer(compute="_compute_counts")
    updated = fields.Integer(compute="_compute_counts")
    skipped = fields.Integer(compute="_compute_counts")
    archived = fields.Integer(
        compute="_compute_counts",
        help="Records archived because a complete walk of a resource read in "
        "full no longer listed them (deleted remotely).",
    )
    failed = fields.Integer(compute="_compute_counts")
    http_calls = fields.Integer(compute="_compute_counts", string="HTTP Calls")
    retries = fields.Integer(
        compute="_compute_counts",
        help="Attempts made again: the run's jobs retried by the queue (an "
        "outage, a rate limit, a deadlock) and HTTP calls the transport sent "
        "again.",
    )
    throttled = fields.Integer(
        compute="_compute_counts", help="Answers asking us to slow down (429)."
    )
    wait_seconds = fields.Float(
        compute="_compute_counts", string="Waited (s)", help="Paused on rate limits."
    )

    _sql_constraints = [
        ("run_key_uniq", "unique(run_key)", "A run key names one run."),
    ]

    @api.depends("backend_name", "resource_name", "started_at")
    def _compute_name(self):
        for run in self:
            run.name = _(
                "%(resource)s from %(backend)s",
                resource=run.resource_name or _("Run"),
                backend=run.backend_name or "?",
            )

    @api.depends("resource")
    def _compute_resource_name(self):
        for run in self:
            run.resource_name = run._resource_label()

    def _resource_label(self):
        """What the run synchronised, as the admin names it: the backend's
        declared resource ("Products"), for a webhook's run too (its
        ``resource`` is its event type, ``product.updated``); else the
        model's description, else the technical name as is."""
        if not self.resource:
            return False
        backend = self._backend()
        model_name = self.resource
        event = getattr(backend, "_webhook_events", {}).get(self.resource)
        if event is not None:
            model_name = event.model
        keys = {}
        if backend is not None and hasattr(backend, "_connector_resources"):
            keys = {r.model: r.key for r in backend._connector_resources()}
        if model_name in keys:
            return keys[model_name].replace("_", " ").capitalize()
        if event is not None:
            return event.resource.replace("_", " ").capitalize()
        model = self.env.get(model_name) if model_name else None
        return model._description if model is not None else self.resource

    @api.depends("started_at", "ended_at")
    def _compute_duration(self):
        now = fields.Datetime.now()
        for run in self:
            end = run.ended_at or now
            run.duration = (end - run.started_at).total_seconds()

    @api.depends("watermark_before", "watermark_after")
    def _compute_watermark_dates(self):
        for run in self:
            run.watermark_before_at = to_odoo_datetime(run.watermark_before)
            run.watermark_after_at = to_odoo_datetime(run.watermark_after)

    def _compute_job_count(self):
        counts = dict(
            self.env["queue.job"]
            .sudo()
            ._read_group(
                [("sync_run_id", "in", self.ids)], ["sync_run_id"], ["__count"]
            )
        )
        for run in self:
            run.job_count = counts.get(run, 0)

    def _compute_retry_message(self):
        """The jobs of each running run that asked to be retried, and the
        reason the latest one gave (read as superuser, like the run's
        state: the jobs may be a cron's or the integration user's)."""
        retrying = (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    (
                        "sync_run_id",
                        "in",
                        self.filtered(lambda r: r.state == "running").ids,
                    ),
                    ("state", "in", RETRYING_JOB_STATES),
                    ("retry", ">", 0),
                ],
                order="date_started desc, id desc",
            )
        )
        for run in self:
            jobs = retrying.filtered(lambda j, run=run: j.sync_run_id == run)
            run.retry_message = (
                _(
                    "%(count)s job(s) retrying, next attempt %(attempt)s of "
                    "%(max)s; the last failed because: %(reason)s",
                    count=len(jobs),
                    attempt=jobs[0].retry + 1,
                    max=jobs[0].max_retries or "∞",
                    reason=jobs[0].result or _("(no reason given)"),
                )
                if jobs
                else False
            )

    @api.depends("tally_ids", "failure_ids.state")
    def _compute_counts(self):
        fields_ = COUNTS + CALL_COUNTS
        sums = {
            run: values
            for run, *values in self.env["generic.sync.run.tally"]._read_group(
                [("run_id", "in", self.ids)],
                ["run_id"],
                [f"{name}:sum" for name in fields_],
            )
        }
        # The calls as counted when sent (rolled-back attempts included);
        # the tallies' sum for a run that has no such count.
        keys = [run.run_key for run in self if run.run_key]
        calls = call_counter(self.env.cr.dbname).get(keys) if keys else {}
        job_retries = self._job_retries()
        for run in self:
            values = sums.get(run, [0] * len(fields_))
            run.update(dict(zip(fields_, values, strict=True)))
            run.retries += job_retries.get(run, 0)
            if run.run_key in calls:
                run.http_calls = calls[run.run_key]
            run.failed = len(run.failure_ids.filtered(lambda f: f.state != "resolved"))

    def _job_retries(self):
        """``{run: attempts its jobs made again}``. queue_job counts a job's
        attempts in ``retry`` (one per attempt; a wait that spends no retry,
        the finaliser's, is not counted): a job that ran or runs did
        ``retry - 1`` attempts again, a job waiting for its next attempt
        ``retry``."""
        Job = self.env["queue.job"].sudo()
        waiting = ("wait_dependencies", "pending", "enqueued")
        base = [("sync_run_id", "in", self.ids)]
        retries = dict.fromkeys(self, 0)
        for domain, offset in (
            ([("state", "in", waiting), ("retry", ">", 0)], 0),
            ([("state", "not in", waiting), ("retry", ">", 1)], 1),
        ):
            for run, total, count in Job._read_group(
                base + domain, ["sync_run_id"], ["retry:sum", "__count"]
            ):
                retries[run] += total - offset * count
        return retries

    # Lifecycle ---------------------------------------------------------------

    @api.model
    def _start(self, backend, trigger=None, run_key=None, **values):
        """The run keyed ``run_key`` (created if new) of ``backend``.

        ``trigger`` defaults to the context's ``sync_trigger``, else manual.
        Safe to call twice with the same key (a job run twice).
        """
        run = self._for_key(run_key)
        if run:
            return run
        return self.sudo().create(
            {
                "run_key": run_key or str(uuid.uuid4()),
                "trigger": trigger or self.env.context.get("sync_trigger", "manual"),
                "backend_model": backend._name,
                "backend_id": backend.id,
                **values,
            }
        )

    @api.model
    def _for_key(self, run_key=None):
        """The run keyed ``run_key`` (or the context's ``sync_run_key``)."""
        context = self.env.context
        run_key = run_key or context.get("sync_run_key")
        if not run_key:
            return self.sudo().browse()
        if run_key == context.get("sync_run_key") and context.get("sync_run_id"):
            # The caller has the run at hand (a webhook job, once per event).
            return self.sudo().browse(context["sync_run_id"])
        return self.sudo().search([("run_key", "=", run_key)], limit=1)

    def _adopt(self, jobs):
        """Make ``jobs`` (``queue.job`` records, or ``Job`` objects or
        :class:`EnqueuedJob` known by their uuid) part of this run. No-op
        without a run, so callers need not check."""
        if not self:
            return
        Job = self.env["queue.job"].sudo()
        records = Job.union(*(job for job in jobs if isinstance(job, models.BaseModel)))
        uuids = [job.uuid for job in jobs if not isinstance(job, models.BaseModel)]
        if uuids:
            records |= Job.search([("uuid", "in", uuids)])
        records.write({"sync_run_id": self.id})

    @contextlib.contextmanager
    def _counting_calls(self):
        """``count_calls()`` around work done for this run (a plain
        collector without a run); yields its ``CallStats``.

        Each HTTP call is also added, once the remote had it, to the run's count in
        ``generic_connector_call_count``, through the shared stores' own
        connection in autocommit (``pgstore.PgCallCounter``), at the end of
        the block and every second during it (:class:`_RunCalls`): an
        attempt that rolls back afterwards (a retry, a deadlock) loses its
        tally, not its calls, so the run's calls are what the remote served.
        """
        hook = None
        if self:
            self.ensure_one()
            hook = _RunCalls(self.run_key, call_counter(self.env.cr.dbname))
        try:
            with count_calls(on_call=hook) as stats:
                yield stats
        finally:
            if hook is not None:
                hook.flush()

    def _tally(self, stats=None, **counts):
        """Add what the current job did: ``counts`` (fetched, created,
        updated, skipped, archived) and the transport's ``stats`` (:class:`CallStats`).

        One row per job (and kind of work, and webhook event); a job that
        runs twice keeps the counts of its first successful run.
        """
        if not self:
            return
        self.ensure_one()
        values = {name: counts.get(name, 0) for name in COUNTS}
        if stats is not None:
            values.update(
                http_calls=stats.calls,
                retries=stats.retries,
                throttled=stats.throttled,
                wait_seconds=stats.waited,
            )
        job_uuid = self.env.context.get("job_uuid")
        key = f"{job_uuid}:{counts.get('kind', '')}" if job_uuid else uuid.uuid4().hex
        if job_uuid and self.env.context.get("sync_webhook_id"):
            # One job processes several webhooks (they join it in a burst).
            key += f":{self.env.context['sync_webhook_id']}"
        self.env["generic.sync.run.tally"].sudo()._add(self, key, values)

    def _note(self, **values):
        """Fill the run's descriptive fields that are still empty."""
        if self:
            todo = {k: v for k, v in values.items() if v and not self[k]}
            if todo:
                self.sudo().write(todo)

    def _note_failure(
        self, reason, external_id=None, job=None, webhook=None, kind=None
    ):
        """Record one record that failed, with its reason and, when known,
        where it is to be fixed (``kind``: ``remote`` or ``odoo``, see
        ``exceptions.failure_kind``)."""
        if not self:
            return self.env["generic.sync.run.failure"]
        return (
            self.env["generic.sync.run.failure"]
            .sudo()
            .create(
                {
                    "run_id": self.id,
                    "resource": self.resource,
                    "external_id": external_id,
                    "reason": reason,
                    "job_id": job.db_record().id if hasattr(job, "db_record") else job,
                    "webhook_id": webhook.id if webhook else False,
                    "kind": kind or False,
                }
            )
        )

    def _refresh_state(self):
        """Set each run's state from its jobs and failures (see the module
        docstring); on the way, requeue the finalising job of a run whose
        failures are all resolved. Writes only on a change.

        Called at every state change of every job of a run: while the run
        runs and none of its jobs failed, one grouped count says nothing
        changes; the jobs themselves are read (their small fields only, not
        the records a chunk job carries) once they have all ended. Reading
        them at each change made a run of 2,000 chunks read its jobs 6,000
        times: a cost growing as the square of the catalogue."""
        Job = self.env["queue.job"].sudo()
        for run in self.sudo():
            counts = Job._read_group(
                [("sync_run_id", "=", run.id)], ["state", "method_name"], ["__count"]
            )
            if not counts:
                continue
            states = {}
            for state, _method, count in counts:
                states[state] = states.get(state, 0) + count
            running = any(states.get(state) for state in RUNNING_JOB_STATES)
            if (
                running
                and run.state == "running"
                and not run.message
                and not states.get("failed")
            ):
                # The last job to start is on its way: the finaliser waiting
                # for it runs now (``_hasten_finalize``).
                if not any(
                    count
                    for state, method, count in counts
                    if method != FINALIZE_METHOD and state in QUEUED_JOB_STATES
                ):
                    finalize = run.job_ids.with_context(prefetch_fields=False).filtered(
                        lambda j: j.method_name == FINALIZE_METHOD
                    )
                    run._hasten_finalize(run.job_ids.browse(), finalize)
                continue
            jobs = run.job_ids.with_context(prefetch_fields=False)
            open_failures = run.failure_ids.filtered(lambda f: f.state != "resolved")
            finalize = jobs.filtered(lambda j: j.method_name == FINALIZE_METHOD)
            others_failed = (jobs - finalize).filtered(
                lambda j: j.state in ("failed", "cancelled")
            )
            stuck = finalize.filtered(lambda j: j.state == "failed")
            if stuck and not others_failed and not open_failures:
                stuck.requeue()
            run._hasten_finalize(jobs - finalize, finalize)
            run._set_state(*run._state_from(jobs, open_failures))

    @api.model
    def _hasten_finalize(self, others, finalize):
        """Run the waiting finaliser now when no other job of the run is
        left to start: the run ends when its last job ends, not at the
        finaliser's next poll (its retry delay). Jobs still started then
        are waited for briefly (``_sync_finalize``)."""
        waiting = finalize.filtered(
            lambda j: j.state == "pending" and j.eta and j.eta > fields.Datetime.now()
        )
        if waiting and not others.filtered(lambda j: j.state in QUEUED_JOB_STATES):
            waiting.write({"eta": False})

    def _state_from(self, jobs, open_failures):
        """``(state, message)`` of this run given its jobs and open failures."""
        if jobs.filtered(lambda j: j.state in RUNNING_JOB_STATES):
            return "running", False
        broken = jobs.filtered(lambda j: j.state in ("failed", "cancelled"))
        if not broken and not open_failures:
            # The walk ended short of the total the remote announced: what
            # was fetched imported, but records may be missing.
            if self.shortfall:
                return "partial", self.shortfall
            return "done", False
        # Failed: the run could not proceed (its driver failed), or a run of
        # one job (a webhook's) did not import its record. Partial: a batch
        # run whose other records went through; it names the ones that failed.
        driver = jobs.filtered(lambda j: j.uuid == self.run_key)
        imported = self.created or self.updated or self.skipped
        single = not jobs.filtered(lambda j: j.method_name == FINALIZE_METHOD)
        if driver & broken or (single and not imported):
            reason = (driver & broken or broken)[:1].exc_message
            return "failed", reason or "; ".join(open_failures.mapped("reason"))
        message = self._partial_message(open_failures, broken)
        if self.shortfall:
            message = f"{self.shortfall}\n{message}"
        return "partial", message

    def _partial_message(self, open_failures, broken_jobs):
        if open_failures:
            lines = [f"{f.external_id or '?'}: {f.reason}" for f in open_failures]
            return _(
                "%(count)s record(s) failed; %(where)s, then Retry. "
                "The watermark stays until they import.\n%(lines)s",
                count=len(open_failures),
                where=self._where_to_fix(open_failures),
                lines="\n".join(lines),
            )
        return _(
            "%(count)s job(s) failed: %(names)s",
            count=len(broken_jobs),
            names=", ".join(broken_jobs.mapped("display_name")),
        )

    @api.model
    def _where_to_fix(self, failures):
        """Where the admin fixes ``failures``, from their kinds: remotely
        (their data), in Odoo (a constraint, an archived record...), or
        each where its reason says."""
        kinds = set(failures.mapped("kind"))
        if kinds == {"remote"}:
            return _("fix them remotely")
        if kinds == {"odoo"}:
            return _("fix them in Odoo")
        return _("fix each where its reason says (remote data or Odoo)")

    def _set_state(self, state, message):
        if (state, message or False) == (self.state, self.message):
            return
        values = {"state": state, "message": message}
        values["ended_at"] = False if state == "running" else fields.Datetime.now()
        self.write(values)
        if state != "running":
            self._log_finished()
        backend = self._backend()
        if backend and state in ("failed", "partial"):
            backend._sync_run_failed(self)
        elif backend and state == "done":
            backend._sync_run_done(self)

    def _log_finished(self):
        """Log the finished run as one JSON object on one line
        (``RUN_LOGGER``), for log-based monitoring: what a dashboard of
        the logs counts without reading the database."""
        self.ensure_one()
        line = {
            "event": "sync_run_finished",
            "run_key": self.run_key,
            "backend_model": self.backend_model,
            "backend_id": self.backend_id,
            "resource": self.resource,
            "trigger": self.trigger,
            "state": self.state,
            "started_at": fields.Datetime.to_string(self.started_at),
            "ended_at": fields.Datetime.to_string(self.ended_at),
            "duration_s": round(self.duration, 3),
            "failed": self.failed,
            "message": (self.message or "")[:500] or None,
        }
        line.update({name: self[name] for name in COUNTS + CALL_COUNTS})
        RUN_LOGGER.info(json.dumps(line, sort_keys=True))

    @api.model
    def live_revision(self, domain):
        """What a live view (run form, run list, dashboard) compares between
        two polls to know whether to reload, for the runs of ``domain``:
        ``{"revision": str, "running": bool}``. The revision changes when a
        run starts, changes state or is removed, and as a running run's jobs
        end and add their counts. Counting queries: cheap at any number of
        runs."""
        [(count, last_write)] = self._read_group(
            domain, [], ["__count", "write_date:max"]
        )
        running = self.search(domain + [("state", "=", "running")])
        tallies = self.env["generic.sync.run.tally"].search_count(
            [("run_id", "in", running.ids)]
        )
        jobs_done = (
            self.env["queue.job"]
            .sudo()
            .search_count([("sync_run_id", "in", running.ids), ("state", "=", "done")])
        )
        return {
            "revision": f"{count}:{last_write}:{len(running)}:{tallies}:{jobs_done}",
            "running": bool(running),
        }

    # Actions -----------------------------------------------------------------

    def action_view_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "queue_job.action_queue_job"
        )
        action.update(domain=[("sync_run_id", "=", self.id)], context={})
        return action

    def action_retry_failed(self):
        """Retry every open failure of the run."""
        self.ensure_one()
        self.failure_ids.filtered(lambda f: f.state != "resolved").action_retry()
        return True

    @api.model
    def _gc(self):
        """Cron: remove runs past their retention (failed ones kept longer)."""
        params = self.env["ir.config_parameter"].sudo()
        now = fields.Datetime.now()
        keep = int(params.get_param("generic_connector.sync_run_retention_days", 30))
        keep_failed = int(
            params.get_param("generic_connector.sync_run_failed_retention_days", 90)
        )
        old = self.search(
            [
                "|",
                "&",
                ("state", "=", "done"),
                ("started_at", "<", now - timedelta(days=keep)),
                "&",
                ("state", "in", ("failed", "partial")),
                ("started_at", "<", now - timedelta(days=keep_failed)),
            ]
        )
        keys = old.mapped("run_key")
        old.unlink()
        # Their call counts live outside the transaction: gone once it is.
        counter = call_counter(self.env.cr.dbname)
        self.env.cr.postcommit.add(lambda: counter.discard(keys))
        return len(old)
