# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What an admin sees of a backend at a glance: its health.

Mixed into ``generic.backend``. Everything is computed from what the suite
already records (the backend's connection state, its sync runs, their jobs,
its webhook inbox), in one grouped query per source for all the backends on
screen, so the dashboard costs the same for one backend or twenty.

``health_state`` is ``ok``, ``warning`` or ``danger`` and ``health_reason``
says why in one line, with what to look at: the colour of the dashboard card.
"""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.osv import expression
from odoo.tools.sql import escape_psql

from ..jobs import OUTAGE_RESULTS
from .generic_sync_run import RETRYING_JOB_STATES

ATTENTION = {"ok": 0, "warning": 1, "danger": 2}
BACKLOG_WARNING = 50


class GenericBackendHealth(models.AbstractModel):
    _name = "generic.backend.health"
    _description = "Connector Backend Health"

    sync_run_count = fields.Integer(compute="_compute_health", string="Sync Runs")
    runs_failed_24h = fields.Integer(
        compute="_compute_health", string="Failed runs (24 h)"
    )
    last_success_at = fields.Datetime(
        compute="_compute_health", string="Last successful run"
    )
    last_success_summary = fields.Char(
        compute="_compute_health",
        string="Last success per resource",
        help="The last run that succeeded for each resource, and its age.",
    )
    throttled_24h = fields.Integer(
        compute="_compute_health",
        string="Throttled (24 h)",
        help="Answers of the remote asking us to slow down, in the last day.",
    )
    job_count = fields.Integer(compute="_compute_health", string="Jobs")
    jobs_pending = fields.Integer(compute="_compute_health")
    jobs_failed = fields.Integer(compute="_compute_health")
    jobs_retrying = fields.Integer(
        compute="_compute_health",
        string="Jobs waiting for the remote",
        help="Jobs of running runs retrying because the remote did not answer "
        "or answered that it failed: an outage, until it answers again.",
    )
    webhook_count = fields.Integer(compute="_compute_health", string="Inbox")
    webhook_backlog = fields.Integer(compute="_compute_health", string="Inbox backlog")
    webhook_failed = fields.Integer(compute="_compute_health", string="Failed webhooks")
    health_state = fields.Selection(
        [("ok", "Healthy"), ("warning", "Needs a look"), ("danger", "Failing")],
        compute="_compute_health",
    )
    health_reason = fields.Char(compute="_compute_health")

    def _health_ref_domain(self):
        return [("backend_model", "=", self._name), ("backend_id", "in", self.ids)]

    def _compute_health(self):
        since = fields.Datetime.now() - timedelta(days=1)
        runs = self._health_runs(since)
        jobs = self._health_jobs()
        inbox = self._health_inbox()
        stalled = self._stalled_channels()
        for backend in self:
            values = dict(runs.get(backend.id, {}))
            values.update(jobs.get(backend.id, {}))
            values.update(inbox.get(backend.id, {}))
            backend.update(
                {name: values.get(name, 0) for name in self._health_count_fields()}
            )
            backend.last_success_at = values.get("last_success_at", False)
            backend.last_success_summary = values.get("last_success_summary", False)
            backend.health_state, backend.health_reason = backend._health_verdict(
                values.get("last_run"), values.get("outage"), stalled.get(backend.id)
            )

    @api.model
    def _health_count_fields(self):
        return (
            "sync_run_count",
            "runs_failed_24h",
            "throttled_24h",
            "job_count",
            "jobs_pending",
            "jobs_failed",
            "jobs_retrying",
            "webhook_count",
            "webhook_backlog",
            "webhook_failed",
        )

    def _health_runs(self, since):
        Run = self.env["generic.sync.run"].sudo()
        out = {}
        domain = self._health_ref_domain()
        for backend_id, count in Run._read_group(domain, ["backend_id"], ["__count"]):
            out.setdefault(backend_id, {})["sync_run_count"] = count
        for backend_id, count in Run._read_group(
            domain
            + [("state", "in", ("failed", "partial")), ("started_at", ">=", since)],
            ["backend_id"],
            ["__count"],
        ):
            out.setdefault(backend_id, {})["runs_failed_24h"] = count
        for backend_id, throttled in self._health_throttled(since):
            out.setdefault(backend_id, {})["throttled_24h"] = throttled
        for backend_id, resource, last in Run._read_group(
            domain + [("state", "=", "done"), ("trigger", "!=", "webhook")],
            ["backend_id", "resource"],
            ["ended_at:max"],
        ):
            values = out.setdefault(backend_id, {})
            values.setdefault("last_success", []).append((resource, last))
        for backend in self:
            values = out.setdefault(backend.id, {})
            successes = sorted(values.pop("last_success", []), key=lambda s: s[1])
            if successes:
                values["last_success_at"] = successes[-1][1]
                values["last_success_summary"] = ", ".join(
                    f"{self._health_resource_label(res)}: {_age(last)}"
                    for res, last in successes
                    if last
                )
            # Webhook runs fail one record at a time: the inbox's failures
            # say so; the verdict follows the scheduled and manual runs.
            values["last_run"] = Run.search(
                [
                    ("backend_model", "=", self._name),
                    ("backend_id", "=", backend.id),
                    ("trigger", "!=", "webhook"),
                ],
                limit=1,
            )
        return out

    def _health_throttled(self, since):
        """``[(backend id, throttled answers)]`` of the runs started since
        ``since``: one sum in SQL (each webhook is a run: a busy day has
        hundreds of thousands, not to be read one by one per dashboard)."""
        self.env["generic.sync.run.tally"].flush_model(["run_id", "throttled"])
        self.env["generic.sync.run"].flush_model(
            ["backend_model", "backend_id", "started_at"]
        )
        self.env.cr.execute(
            """
            SELECT run.backend_id, sum(tally.throttled)
            FROM generic_sync_run_tally tally
            JOIN generic_sync_run run ON run.id = tally.run_id
            WHERE run.backend_model = %s AND run.backend_id = ANY(%s)
              AND run.started_at >= %s AND tally.throttled > 0
            GROUP BY run.backend_id
            """,
            (self._name, self.ids, since),
        )
        return self.env.cr.fetchall()

    def _health_resource_label(self, resource):
        model = self.env.get(resource) if resource else None
        return model._description if model is not None else _("Webhooks")

    def _health_jobs(self):
        out = {}
        for backend_id, state, count in (
            self.env["queue.job"]
            .sudo()
            ._read_group(
                [
                    ("sync_run_id.backend_model", "=", self._name),
                    ("sync_run_id.backend_id", "in", self.ids),
                ],
                ["sync_run_id", "state"],
                ["__count"],
            )
        ):
            values = out.setdefault(backend_id.backend_id, {})
            values["job_count"] = values.get("job_count", 0) + count
            if state in ("pending", "enqueued", "started", "wait_dependencies"):
                values["jobs_pending"] = values.get("jobs_pending", 0) + count
            elif state == "failed":
                values["jobs_failed"] = values.get("jobs_failed", 0) + count
        for job in self._health_outage_jobs():
            values = out.setdefault(job.sync_run_id.backend_id, {})
            values["jobs_retrying"] = values.get("jobs_retrying", 0) + 1
            values.setdefault("outage", job.result)  # the latest first
        return out

    def _health_outage_jobs(self):
        """The jobs of these backends' runs retrying on an outage (see
        ``OUTAGE_RESULTS``), the latest attempt first."""
        return (
            self.env["queue.job"]
            .sudo()
            .search(
                expression.AND(
                    [
                        [
                            ("sync_run_id.backend_model", "=", self._name),
                            ("sync_run_id.backend_id", "in", self.ids),
                            ("state", "in", RETRYING_JOB_STATES),
                            ("retry", ">", 0),
                        ],
                        expression.OR(
                            [
                                [("result", "=like", f"{escape_psql(what)}%")]
                                for what in OUTAGE_RESULTS
                            ]
                        ),
                    ]
                ),
                order="date_started desc, id desc",
            )
        )

    def _health_inbox(self):
        out = {}
        for backend_id, state, count in (
            self.env["generic.webhook"]
            .sudo()
            ._read_group(
                self._health_ref_domain(), ["backend_id", "state"], ["__count"]
            )
        ):
            values = out.setdefault(backend_id, {})
            values["webhook_count"] = values.get("webhook_count", 0) + count
            if state in ("pending", "processing"):
                values["webhook_backlog"] = values.get("webhook_backlog", 0) + count
            elif state == "failed":
                values["webhook_failed"] = values.get("webhook_failed", 0) + count
        return out

    def _health_verdict(self, last_run, outage=None, stalled=None):
        """``(state, reason)``: the worst thing an admin should know first.
        ``outage`` is why the latest job retrying on an outage failed;
        ``stalled`` the ``[(channel, waiting jobs)]`` where nothing moves
        (``generic.backend.jobs``)."""
        self.ensure_one()
        if self.connection_state == "failed":
            return "danger", self.connection_message or _("The connection fails.")
        if stalled:
            return "danger", _(
                "%(count)s job(s) wait in %(channels)s and none ran for "
                "%(minutes)s min: is the job runner running, and does its "
                "channels configuration give these channels capacity?",
                count=sum(count for _channel, count in stalled),
                channels=", ".join(channel for channel, _count in stalled),
                minutes=self.job_stall_minutes,
            )
        if outage:
            return "danger", _(
                "%(count)s job(s) wait for the remote to answer again: %(reason)s",
                count=self.jobs_retrying,
                reason=outage,
            )
        if last_run and last_run.state == "failed":
            return "danger", _("Last run failed: %(why)s", why=last_run.message or "")
        if last_run and last_run.state == "partial":
            return "warning", _(
                "Last run partial: %(count)s record(s) failed; open it to retry them.",
                count=last_run.failed,
            )
        refused_at = self.webhook_refused_at
        if refused_at and refused_at > fields.Datetime.now() - timedelta(days=1):
            return "warning", _(
                "Webhook deliveries refused (%(count)s in all), the last %(age)s: "
                "%(reason)s. Check the sender's secret and URL.",
                count=self.webhook_refused_count,
                age=_age(refused_at),
                reason=self.webhook_refused_reason,
            )
        if self.webhook_failed:
            return "warning", _(
                "%(count)s webhook(s) failed: see the inbox, fix, then Reprocess.",
                count=self.webhook_failed,
            )
        freshness = self._health_freshness_verdict()
        if freshness:
            return freshness
        # Failed jobs of runs a later successful run superseded are history.
        if self.jobs_failed and not (last_run and last_run.state == "done"):
            return "warning", _(
                "%(count)s job(s) failed: see the jobs.", count=self.jobs_failed
            )
        if self.webhook_backlog > BACKLOG_WARNING:
            return "warning", _(
                "%(count)s webhooks wait: is the job runner running?",
                count=self.webhook_backlog,
            )
        if self.throttled_24h:
            return "warning", _(
                "The remote throttled us %(count)s time(s) in 24 h: lower the "
                "page size or the frequency.",
                count=self.throttled_24h,
            )
        if not last_run:
            return "warning", _("Never synchronised: test the connection, then import.")
        if last_run.state == "running":
            return "ok", _("A run is in progress.")
        return "ok", _("Last run done %(age)s.", age=_age(last_run.ended_at))

    def _health_freshness_verdict(self):
        """``("warning", reason)`` when webhooks went missing in the last
        day or take too long to apply (``generic.backend.freshness``), else
        None."""
        if self.webhook_missed_24h:
            return "warning", _(
                "%(count)s change(s) found by sync runs in 24 h never arrived as "
                "webhooks (%(where)s): check the platform's webhook subscription "
                "(Register webhooks) and its delivery log.",
                count=self.webhook_missed_24h,
                where=self.webhook_missed_summary,
            )
        limit = self.webhook_lag_threshold
        if limit and self.webhook_lag_p95 > limit:
            return "warning", _(
                "Webhooks take %(p95)s s to apply (p95 over the last hour), past "
                "the %(limit)s s threshold: is the job runner keeping up with "
                "the webhook channel?",
                p95=round(self.webhook_lag_p95, 1),
                limit=limit,
            )
        return None

    # Smart buttons -------------------------------------------------------

    def _health_action(self, xmlid, domain, context=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        if context is not None:
            action["context"] = context
        action["domain"] = domain
        return action

    def action_view_sync_runs(self):
        return self._health_action(
            "generic_connector.generic_sync_run_action", self._health_ref_domain()
        )

    def action_view_webhooks(self):
        return self._health_action(
            "generic_connector.generic_webhook_action", self._health_ref_domain()
        )

    def action_view_jobs(self):
        """Every job of this backend's runs, done ones included (Job Queue's
        own menu hides them by default)."""
        return self._health_action(
            "queue_job.action_queue_job",
            [
                ("sync_run_id.backend_model", "=", self._name),
                ("sync_run_id.backend_id", "in", self.ids),
            ],
            context={},
        )


def _age(moment):
    """``5 min ago``: the age of a naive UTC datetime, in words."""
    if not moment:
        return _("never")
    seconds = max((fields.Datetime.now() - moment).total_seconds(), 0)
    if seconds < 90:
        return _("just now")
    if seconds < 90 * 60:
        return _("%(n)s min ago", n=round(seconds / 60))
    if seconds < 36 * 3600:
        return _("%(n)s h ago", n=round(seconds / 3600))
    return _("%(n)s days ago", n=round(seconds / 86400))
