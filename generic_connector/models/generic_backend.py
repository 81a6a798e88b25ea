# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The backend every connector of the suite inherits.

A backend holds what the transport needs to reach one remote account: the
base URL, the authentication and its secrets, the timeouts, the retry policy
and the connection pool size. Concrete connectors inherit it
(``_inherit = "generic.backend"``) under their own ``_name``, which is also
the component collection their adapters, importers and mappers register on.

Credentials are restricted to OCA connector's *Connector Manager* group at the
field level; the transport is built from a ``sudo()`` copy of the backend,
the one trust boundary where those secrets are read on another user's behalf
(a connector user's job, a webhook processed by the integration user).

Shared across every worker and host (``shared_state``, in PostgreSQL, never
in a job's cursor): the backend's rate budget (``rate_limit_*``), which the
pooled session consults before every call of every protocol, and its OAuth2
access token. Jobs run in the backend's own queue channel
(``_job_channel``). An unconfigured channel shares its parent's capacity with
the other backends' channels, so a busy backend can still delay another:
give a backend its own capacity in queue_job's channel configuration to keep
them apart.
"""

import contextlib
import dataclasses
import functools
import json
import uuid
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from ..jobs import job_errors
from ..shared_state import bucket_store, token_store
from ..timestamps import canonical_timestamp
from ..transport import (
    SCHEMA,
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    GraphQLClient,
    HttpClient,
    OAuth2ClientCredentials,
    RateBudget,
    RateLimiter,
    RetryPolicy,
    TransportError,
    get_session,
    get_soap_client,
    set_rate_limiter,
)

MANAGER = "connector.group_connector_manager"
CREDENTIAL_FIELDS = {
    "api_key",
    "username",
    "password",
    "oauth_client_id",
    "oauth_client_secret",
}


class GenericBackend(models.AbstractModel):
    _name = "generic.backend"
    _inherit = ["connector.backend", "mail.thread", "generic.backend.health"]
    _description = "Generic Connector Backend"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    base_url = fields.Char(
        string="Base URL",
        required=True,
        tracking=True,
        help="Root of the remote API, e.g. https://shop.example.com",
    )
    auth_type = fields.Selection(
        [
            ("none", "None"),
            ("api_key", "API key header"),
            ("bearer", "Bearer token"),
            ("basic", "HTTP Basic"),
            ("oauth2", "OAuth2 client credentials"),
        ],
        required=True,
        default="api_key",
        tracking=True,
    )
    api_key_header = fields.Char(
        default="X-API-Key", string="API Key Header", tracking=True
    )
    api_key = fields.Char(string="API Key / Token", groups=MANAGER, copy=False)
    username = fields.Char(groups=MANAGER, copy=False)
    password = fields.Char(groups=MANAGER, copy=False)
    oauth_token_url = fields.Char(
        string="Token URL", help="OAuth2 token endpoint, e.g. https://host/oauth/token"
    )
    oauth_client_id = fields.Char(string="Client ID", groups=MANAGER, copy=False)
    oauth_client_secret = fields.Char(
        string="Client Secret", groups=MANAGER, copy=False
    )
    oauth_scope = fields.Char(string="Scope", help="Space-separated OAuth2 scopes.")
    rate_limit_requests = fields.Integer(
        string="Rate Limit",
        help="Calls the remote allows per window, for all workers and hosts "
        "together; 0 for no limit.",
    )
    rate_limit_window = fields.Float(
        string="Rate Window", default=60.0, help="Seconds of the rate-limit window."
    )
    rate_limit_burst = fields.Integer(
        string="Rate Burst",
        default=1,
        help="Calls allowed at once; the rest are spaced evenly. 1 suits a "
        "fixed-window remote best.",
    )
    rate_limit_remaining = fields.Integer(
        string="Remaining (last seen)",
        compute="_compute_rate_limit_state",
        help="X-RateLimit-Remaining of the latest answer, any worker.",
    )
    rate_limit_seen_limit = fields.Integer(
        string="Remote Limit (last seen)", compute="_compute_rate_limit_state"
    )
    rate_limit_seen_at = fields.Datetime(
        string="Last Seen", compute="_compute_rate_limit_state"
    )
    rate_limit_waited = fields.Integer(
        string="Calls Waited (1 h)",
        compute="_compute_rate_limit_state",
        help="Calls that waited for the shared budget in the last hour.",
    )
    rate_limit_rescheduled = fields.Integer(
        string="Calls Rescheduled (1 h)",
        compute="_compute_rate_limit_state",
        help="Calls whose job was rescheduled, the budget being spent for "
        "longer than the Retry-After cap, in the last hour.",
    )
    connect_timeout = fields.Float(
        default=5.0,
        help="Seconds to open a connection to the remote.",
        tracking=True,
    )
    read_timeout = fields.Float(
        default=30.0,
        help="Seconds to wait for each read from the remote.",
        tracking=True,
    )
    retry_max_attempts = fields.Integer(
        default=4, help="Attempts for idempotent calls before the job retries."
    )
    retry_backoff = fields.Float(
        default=0.5, help="Base of the exponential backoff, in seconds."
    )
    retry_after_cap = fields.Float(
        default=30.0,
        help="Longest Retry-After honoured by sleeping in the worker; a longer "
        "one reschedules the job instead.",
    )
    pool_size = fields.Integer(
        default=10, help="Pooled connections kept open per worker process."
    )
    page_size = fields.Integer(
        default=100, help="Records asked per page.", tracking=True
    )
    import_chunk_size = fields.Integer(
        default=50,
        help="Records imported by one job of a batch import.",
        tracking=True,
    )
    export_delay = fields.Integer(
        default=10,
        help="Seconds an export waits after the change that triggered it: "
        "changes made meanwhile go out in the same export.",
    )
    graphql_path = fields.Char(
        string="GraphQL Path",
        default="/graphql",
        help="Path of the GraphQL endpoint, after the base URL.",
    )
    wsdl_url = fields.Char(
        string="WSDL URL",
        help="Where the SOAP service describes itself; empty: the base URL "
        "followed by /soap?wsdl. Parsed once per worker process.",
    )
    test_connection_path = fields.Char(
        default="/", help="Path requested by the Test connection button."
    )
    connection_state = fields.Selection(
        [("untested", "Not tested"), ("ok", "Connected"), ("failed", "Failed")],
        default="untested",
        readonly=True,
        copy=False,
    )
    connection_message = fields.Char(readonly=True, copy=False)
    connection_tested_at = fields.Datetime(readonly=True, copy=False)
    webhook_retention_days = fields.Integer(
        default=30,
        help="Days processed webhook events stay in the inbox (0: forever); "
        "failed and pending ones stay until handled.",
    )
    webhook_refused_count = fields.Integer(
        readonly=True,
        copy=False,
        string="Refused webhooks",
        help="Deliveries refused (bad signature...): a misconfigured sender.",
    )
    webhook_refused_reason = fields.Char(readonly=True, copy=False)
    webhook_refused_at = fields.Datetime(readonly=True, copy=False)

    _sql_constraints = [
        (
            "positive_timeouts",
            "CHECK(connect_timeout > 0 AND read_timeout > 0)",
            "Timeouts must be positive.",
        ),
        (
            "rate_limit_valid",
            "CHECK(rate_limit_requests >= 0 AND rate_limit_window > 0 "
            "AND rate_limit_burst >= 1)",
            "The rate limit needs a positive window and a burst of at least 1.",
        ),
    ]

    def init(self):
        # The shared rate buckets and OAuth2 tokens: plain tables, not models,
        # written by the transport's own connections (transport/pgstore.py).
        self.env.cr.execute(SCHEMA)

    def _compute_rate_limit_state(self):
        store = bucket_store(self.env.cr.dbname)
        for backend in self:
            stats = store.stats(backend._rate_limit_key()) if backend.id else {}
            seen_at = stats.get("seen_at")
            backend.rate_limit_remaining = stats.get("remaining") or 0
            backend.rate_limit_seen_limit = stats.get("limit") or 0
            backend.rate_limit_seen_at = (
                datetime.fromtimestamp(seen_at, timezone.utc).replace(tzinfo=None)
                if seen_at
                else False
            )
            backend.rate_limit_waited = stats.get("waited", 0)
            backend.rate_limit_rescheduled = stats.get("rescheduled", 0)

    def write(self, vals):
        """Credentials are never tracked by value: their change is noted."""
        result = super().write(vals)
        changed = sorted(CREDENTIAL_FIELDS & set(vals))
        if changed and not self.env.context.get("tracking_disable"):
            labels = ", ".join(self._fields[name].string for name in changed)
            for backend in self:
                backend._message_log(
                    body=_("Credentials changed: %(fields)s", fields=labels),
                )
        return result

    @api.constrains("base_url")
    def _check_base_url(self):
        for backend in self:
            if not (backend.base_url or "").startswith(("http://", "https://")):
                raise ValidationError(
                    _(
                        "The base URL of %(name)s must start with http:// or https://",
                        name=backend.name,
                    )
                )

    def _transport_auth(self):
        """The ``requests`` auth object for this backend (reads credentials)."""
        self.ensure_one()
        backend_sudo = self.sudo()
        if backend_sudo.auth_type == "api_key":
            return ApiKeyAuth(backend_sudo.api_key or "", header=self.api_key_header)
        if backend_sudo.auth_type == "bearer":
            return BearerAuth(backend_sudo.api_key or "")
        if backend_sudo.auth_type == "basic":
            return BasicAuth(backend_sudo.username or "", backend_sudo.password or "")
        if backend_sudo.auth_type == "oauth2":
            return OAuth2ClientCredentials(
                backend_sudo.oauth_token_url or "",
                backend_sudo.oauth_client_id or "",
                backend_sudo.oauth_client_secret or "",
                scope=backend_sudo.oauth_scope or None,
                timeout=(self.connect_timeout, self.read_timeout),
                token_store=token_store(self.env.cr.dbname),
            )
        return None

    def _rate_limit_key(self):
        """The key of this backend's bucket, shared by every process."""
        return f"{self._name}:{self.id}"

    def _rate_limiter(self):
        """The shared :class:`RateLimiter` of this backend, or ``None``."""
        self.ensure_one()
        if not self.rate_limit_requests:
            return None
        budget = RateBudget(
            self.rate_limit_requests, self.rate_limit_window, self.rate_limit_burst
        )
        return RateLimiter.for_budget(
            bucket_store(self.env.cr.dbname),
            self._rate_limit_key(),
            budget,
            max_wait=self.retry_after_cap,
        )

    def _transport_client(self):
        """An :class:`HttpClient` on this backend's pooled session.

        The session is shared by every call of this backend in this process;
        its key changes with the pool size so a new setting takes effect.
        Every request sent on it, by this client or by another protocol's
        (zeep), first draws from the backend's shared rate budget.
        """
        self.ensure_one()
        retry = RetryPolicy(
            max_attempts=max(self.retry_max_attempts, 1),
            backoff_base=self.retry_backoff,
            retry_after_cap=self.retry_after_cap,
        )
        session = get_session(self._session_key(), pool_maxsize=max(self.pool_size, 1))
        set_rate_limiter(session, self._rate_limiter())
        return HttpClient(
            self.base_url,
            auth=self._transport_auth(),
            timeout=(self.connect_timeout, self.read_timeout),
            retry=retry,
            session=session,
        )

    def _session_key(self):
        """Key of this backend's pooled session in this process."""
        return (self.env.cr.dbname, self._name, self.id, self.pool_size)

    def _graphql_client(self):
        """A :class:`GraphQLClient` on this backend's HTTP client; its query
        cost budget is shared by every client of this backend in the process."""
        self.ensure_one()
        return GraphQLClient(
            self._transport_client(),
            path=self.graphql_path or "/graphql",
            cost_key=(self.env.cr.dbname, self._name, self.id),
            # (maximum, restore rate) -> the query-cost bucket every worker
            # and host of this backend draws from, in the same store as the
            # request budget.
            cost_limiter=functools.partial(
                RateLimiter,
                bucket_store(self.env.cr.dbname),
                f"{self._rate_limit_key()}:cost",
                max_wait=self.retry_after_cap,
            ),
        )

    def _soap_client(self):
        """The :class:`SoapClient` of this backend: zeep on its pooled session,
        with its auth and timeouts, the WSDL parsed once per process."""
        self.ensure_one()
        client = self._transport_client()
        # Keyed like the pooled session: a new pool size means a new session,
        # and the cached client must not keep using the old one.
        return get_soap_client(
            self._session_key(),
            self.wsdl_url or f"{client.base_url}/soap?wsdl",
            auth=self._soap_auth() or client.auth,
            timeout=client.timeout,
            session=client.session,
            retry=client.retry,
        )

    def _soap_auth(self):
        """SOAP services commonly take HTTP Basic even where the REST API
        takes a key: the username and password when set, else ``None`` (the
        backend's own auth)."""
        backend_sudo = self.sudo()
        if backend_sudo.username and backend_sudo.password:
            return BasicAuth(backend_sudo.username, backend_sudo.password)
        return None

    def _adapter_usage(self, model_name):
        """The adapter usage importers of ``model_name`` use: the protocol
        of that resource on this backend (override in the connector)."""
        return "backend.adapter"

    def _test_connection(self):
        """Call the remote once; raise a :class:`TransportError` on failure.
        Once, not with the retry policy: the admin waits for the answer, and
        a refused connection or a wrong key does not heal in a second."""
        client = self._transport_client()
        client.retry = dataclasses.replace(client.retry, max_attempts=1)
        client.request("GET", self.test_connection_path or "/")

    def action_test_connection(self):
        """Call the remote once and show the result at once: a notification,
        then (``next``: close) the form re-reads its new connection state."""
        self.ensure_one()
        try:
            self._test_connection()
        except TransportError as err:
            state, message = "failed", err.summary
        else:
            state, message = "ok", _("Connected to %(url)s", url=self.base_url)
        self.write(
            {
                "connection_state": state,
                "connection_message": message[:500],
                "connection_tested_at": fields.Datetime.now(),
            }
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Connection test"),
                "message": message,
                "type": "success" if state == "ok" else "danger",
                "sticky": state != "ok",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # Synchronisation runs --------------------------------------------------

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
        job that moves ``watermark_field`` when they are all done. Called by
        each resource's import job (``_import_products``...); the run is
        logged as a ``generic.sync.run`` keyed by this job."""
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
        jobs, first_response = model.import_batch(
            self, filters, job_options=self._job_options(), run_key=run_key
        )
        watermark = self._run_watermark(first_response)
        if not jobs:
            if run.shortfall:
                return run.shortfall
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
            **self._job_options(),
        )._sync_finalize(watermark_field, watermark, [j.uuid for j in jobs], run_key)
        run._adopt([finalize])
        return _("%(count)s chunk job(s) enqueued", count=len(jobs))

    def _enqueue_import(self, method, title, watermark_field, resource=None):
        """Enqueue the import job ``method`` of each backend (a button, a
        cron), incremental from ``watermark_field`` (full when empty; a
        resource without a watermark, ``None``, is always read in full and its
        job takes no ``since``), log its sync run of ``resource`` from now on
        (trigger: the context's ``sync_trigger``, a button by default), and
        return the notification telling the user it runs."""
        for backend in self.with_context(
            sync_trigger=self.env.context.get("sync_trigger", "button")
        ):
            # identity_exact: a run not started yet is not enqueued twice (a
            # convenience; correctness comes from the importer's idempotence).
            job = getattr(
                backend.with_delay(
                    description=_(
                        "%(title)s from %(name)s", title=title, name=backend.name
                    ),
                    identity_key=identity_exact,
                    **backend._job_options(),
                ),
                method,
            )(
                **(
                    {"since": backend[watermark_field] or None}
                    if watermark_field
                    else {}
                )
            )
            if resource:
                backend._sync_run_start(job, resource, watermark_field)
        return self._notify_background(title)

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

    def _sync_finalize(self, field_name, watermark, job_uuids, run_key=None):
        """Job: move the watermark ``field_name`` once the run is done (a
        run without a watermark, ``field_name`` ``None``, only waits for its
        jobs: its state is theirs).

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
            raise RetryableJobError(
                _("Waiting for %(count)s job(s) of this run", count=len(waiting)),
                seconds=10,
                ignore_retry=True,
            )
        if not field_name:
            return _("%(count)s job(s) of this run done", count=len(jobs_sudo))
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

    def _move_watermark(self, field_name, watermark):
        if not self[field_name] or watermark > self[field_name]:
            self[field_name] = watermark

    # Jobs --------------------------------------------------------------------

    # The queue channel this connector's backends get a sub-channel of.
    _job_channel_parent = "root"

    def _job_channel(self):
        """This backend's queue channel: ``<parent>.backend_<id>``.

        queue_job's runner gives a channel missing from its configuration the
        capacity of its closest configured parent, so unconfigured backends
        share their parent's capacity; configure ``<parent>.backend_<id>:N``
        to give one backend its own (README: sizing against the budget).
        """
        self.ensure_one()
        return f"{self._job_channel_parent}.backend_{self.id}"

    def _job_options(self):
        """``with_delay`` options of every job of this backend."""
        return {"channel": self._job_channel()}

    # Webhooks ----------------------------------------------------------------

    def _webhook_note_refusal(self, reason):
        """Count a refused delivery with its reason and time, never its body:
        an admin sees a sender with the wrong secret. In SQL, so concurrent
        refusals do not lose a count."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET webhook_refused_count = "
                "COALESCE(webhook_refused_count, 0) + 1, webhook_refused_reason = %s, "
                "webhook_refused_at = now() at time zone 'UTC' WHERE id = %s",
                SQL.identifier(self._table),
                str(reason)[:200],
                self.id,
            )
        )
        self.invalidate_recordset(
            ["webhook_refused_count", "webhook_refused_reason", "webhook_refused_at"]
        )

    def _webhook_job_options(self):
        """``with_delay`` options of this backend's webhook jobs (channel...)."""
        return self._job_options()

    def _webhook_handlers(self):
        """``{event type: method(payload)}``; override in the connector."""
        return {}

    def _webhook_subject(self, event_type, payload):
        """The subject of an event (``generic.webhook.subject``, made with
        ``subject_of``) when its handler reads that record again from the
        remote, so that a burst about one record costs one job; None (the
        default) gives every event its own job. Override in the connector;
        ``payload`` is any JSON object: return None for what you do not
        recognise."""
        return None

    def _webhook_process(self, event):
        """Process one inbox event; return ``(state, message)``.

        Runs the handler in a savepoint: a permanent failure (the remote says
        no, the data is invalid) is rolled back alone and reported as
        ``failed`` on the inbox row; a transient one retries the job.
        """
        self.ensure_one()
        handler = self._webhook_handlers().get(event.event_type)
        if not handler:
            return "ignored", _("No handler for %(type)s", type=event.event_type)
        try:
            with self.env.cr.savepoint(), job_errors():
                return "done", handler(json.loads(event.payload))
        except RetryableJobError:
            raise
        except (
            FailedJobError,
            UserError,
            ValidationError,
            ValueError,
            KeyError,
        ) as err:
            return "failed", str(err)
