# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How a backend reaches its remote: the transport factory.

Mixed into ``generic.backend``: the base URL, the authentication and its
secrets, the timeouts, the retry policy, the rate budget and the connection
pool, and the clients built from them (HTTP, GraphQL, SOAP), all on one
pooled ``requests.Session`` per backend and process.

Credentials are restricted to OCA connector's *Connector Manager* group at the
field level; the transport is built from a ``sudo()`` copy of the backend,
the one trust boundary where those secrets are read on another user's behalf
(a connector user's job, a webhook processed by the integration user).

Shared across every worker and host (``shared_state``, in PostgreSQL, never
in a job's cursor): the backend's rate budget (``rate_limit_*``), which the
pooled session consults before every call of every protocol, and its OAuth2
access token.
"""

import functools
from datetime import datetime, timezone

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..shared_state import bucket_store, token_store
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


class GenericBackendTransport(models.AbstractModel):
    _name = "generic.backend.transport"
    _description = "Connector Backend Transport"

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
    api_key_prefix = fields.Char(
        string="API Key Prefix",
        tracking=True,
        help="Word sent before the key in its header, e.g. Token for "
        "'Authorization: Token <key>' (Django REST framework); empty: the key alone.",
    )
    api_key = fields.Char(string="API Key / Token", groups=MANAGER, copy=False)
    username = fields.Char(groups=MANAGER, copy=False)
    password = fields.Char(groups=MANAGER, copy=False)
    oauth_token_url = fields.Char(
        string="Token URL",
        help="OAuth2 token endpoint, e.g. https://host/oauth/token",
        tracking=True,
    )
    oauth_client_id = fields.Char(string="Client ID", groups=MANAGER, copy=False)
    oauth_client_secret = fields.Char(
        string="Client Secret", groups=MANAGER, copy=False
    )
    oauth_scope = fields.Char(
        string="Scope", help="Space-separated OAuth2 scopes.", tracking=True
    )
    rate_limit_requests = fields.Integer(
        string="Rate Limit",
        help="Calls the remote allows per window, for all workers and hosts "
        "together; 0 for no limit.",
        tracking=True,
    )
    rate_limit_window = fields.Float(
        string="Rate Window",
        default=60.0,
        help="Seconds of the rate-limit window.",
        tracking=True,
    )
    rate_limit_burst = fields.Integer(
        string="Rate Burst",
        default=1,
        help="Calls allowed at once; the rest are spaced evenly. 1 suits a "
        "fixed-window remote best.",
        tracking=True,
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
        default=4,
        help="Attempts for idempotent calls before the job retries.",
        tracking=True,
    )
    retry_backoff = fields.Float(
        default=0.5,
        help="Base of the exponential backoff, in seconds.",
        tracking=True,
    )
    retry_after_cap = fields.Float(
        default=30.0,
        help="Longest Retry-After honoured by sleeping in the worker; a longer "
        "one reschedules the job instead.",
        tracking=True,
    )
    pool_size = fields.Integer(
        default=10,
        help="Pooled connections kept open per worker process.",
        tracking=True,
    )
    graphql_path = fields.Char(
        string="GraphQL Path",
        default="/graphql",
        help="Path of the GraphQL endpoint, after the base URL.",
        tracking=True,
    )
    wsdl_url = fields.Char(
        string="WSDL URL",
        help="Where the SOAP service describes itself; empty: the base URL "
        "followed by /soap?wsdl. Parsed once per worker process.",
        tracking=True,
    )

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
        return super().init()

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
        """Credentials are never tracked by value: their change is noted,
        when there is one (writing the same key again is not a change)."""
        names = sorted(CREDENTIAL_FIELDS & set(vals))
        before = {
            backend: {name: backend_sudo[name] or False for name in names}
            for backend, backend_sudo in zip(self, self.sudo(), strict=True)
        }
        result = super().write(vals)
        if names and not self.env.context.get("tracking_disable"):
            for backend, old in before.items():
                changed = [name for name in names if old[name] != (vals[name] or False)]
                if changed:
                    labels = ", ".join(self._fields[name].string for name in changed)
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
            return ApiKeyAuth(
                backend_sudo.api_key or "",
                header=self.api_key_header,
                prefix=self.api_key_prefix or "",
            )
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
