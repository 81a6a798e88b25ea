"""The WSGI application: one dispatcher in front of REST, GraphQL, SOAP, OAuth
and the admin API.

Request pipeline, outermost first, for everything but ``/admin`` and the
OpenAPI document:

1. fault injection (latency, dropped connection, hang, 429, 5xx) - it plays
   the part of a flaky network or proxy, so it runs before authentication;
2. authentication, then the per-credential rate limit (headers on every
   response, 429 past the limit);
3. the protocol handler;
4. the ``malformed_rate`` fault, which truncates a 200 body on the way out.

Errors are raised as :class:`~sandbox.errors.ApiError` anywhere and rendered
here: JSON for REST and GraphQL, a SOAP fault for ``/soap``.
"""

from __future__ import annotations

import io
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from .admin import AdminApi
from .auth import Authenticator, Principal
from .bulk import PREFIX as BULK_PREFIX
from .bulk import BulkApi
from .config import SandboxConfig
from .drf import DrfApi
from .errors import ApiError
from .faults import Faults, _match_request
from .graphql_api import GraphQLApi
from .openapi import build_spec
from .ratelimit import FixedWindowLimiter, LeakyBucket, RateDecision
from .rest import RestApi, error_response, json_response
from .soap import build_soap_app, soap_fault_xml
from .store import Store
from .util import dumps
from .webhooks import WebhookManager


class DropConnection(ConnectionError):
    """Raised after the socket was shut down: the server writes nothing back.

    Werkzeug's request handler treats a ``ConnectionError`` from the
    application as a client that went away, and stays silent.
    """


@dataclass
class Settings:
    """Runtime-changeable defaults (``/admin/settings``)."""

    pagination: str
    envelope: str
    endpoint_envelopes: dict[str, str] = field(default_factory=dict)

    def envelope_for(self, method: str, path: str) -> str:
        best = None
        for pattern, style in self.endpoint_envelopes.items():
            if _match_request(pattern, method, path):
                weight = len(pattern.replace("*", ""))
                if best is None or weight >= best[0]:
                    best = (weight, style)
        return best[1] if best else self.envelope


class SandboxApp:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.stopping = threading.Event()
        self.store = Store(
            config.seed_records,
            config.seed,
            config.db,
            seed_payments=config.seed_payments,
        )
        self.faults = Faults(config.faults, config.fault_seed)
        self.auth = Authenticator(config.token_ttl)
        self.limiter = FixedWindowLimiter(config.rate_limit, config.rate_window)
        self.bucket = LeakyBucket(
            config.graphql_bucket_size, config.graphql_restore_rate
        )
        self.settings = Settings(
            config.pagination, config.envelope, dict(config.endpoint_envelopes)
        )
        self.webhooks = WebhookManager(
            self.store,
            self.faults,
            retry_base=config.webhook_retry_base,
            max_attempts=config.webhook_max_attempts,
            timeout=config.webhook_timeout,
            workers=config.webhook_workers,
            allow_any_host=config.webhook_allow_any_host,
        )
        self.rest = RestApi(self)
        self.bulk = BulkApi(self)
        self.drf = DrfApi(self)
        self.graphql = GraphQLApi(self)
        self.soap = build_soap_app(self.store)
        self.admin = AdminApi(self)
        # Requests served per "METHOD /path" (admin calls left out), so that
        # a test can tell how many pages a client really asked for.
        self.requests: Counter[str] = Counter()
        # Answers by status (admin calls left out): the 429s a client drew.
        self.statuses: Counter[int] = Counter()
        # API requests being served now, and the most at once since the last
        # reset: a client's bounded concurrency, seen from the server side.
        self.in_flight = 0
        self.max_in_flight = 0
        self._requests_lock = threading.Lock()
        # Image downloads served, by URL: what a client fetched again.
        self.image_downloads: Counter[str] = Counter()

    def count_image_download(self, url: str) -> None:
        with self._requests_lock:
            self.image_downloads[url] += 1

    def close(self) -> None:
        self.stopping.set()
        self.webhooks.close()
        self.store.close()

    # -- WSGI ------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        # Read the whole body first. An early answer (injected fault, 401)
        # would otherwise leave it unread on a keep-alive connection, where
        # it would be parsed as the next request. Spyne reads wsgi.input
        # itself, so it gets a fresh stream over the same bytes.
        body = request.get_data(cache=True)
        environ["wsgi.input"] = io.BytesIO(body)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.path.startswith("/admin"):
            return self._dispatch(request)
        with self._requests_lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            response = self._dispatch(request)
        finally:
            with self._requests_lock:
                self.in_flight -= 1
        with self._requests_lock:
            self.statuses[response.status_code] += 1
        return response

    def _dispatch(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/admin"):
            return self._guard(request, self.admin.handle)
        with self._requests_lock:
            self.requests[f"{request.method} {path}"] += 1
        if path == "/api/v1/openapi.json" and request.method in ("GET", "HEAD"):
            return json_response(dumps(build_spec()))
        if path == "/":
            return json_response(dumps(_INDEX))
        knobs = self.faults.for_request(request.method, path)
        if knobs:
            injected = self._inject_before(request, knobs)
            if injected is not None:
                return injected
        if path == "/oauth/token":
            response = self._guard(request, self._token)
        elif path == "/soap":
            response = self._soap(request)
        elif path.startswith("/drf/"):
            response = self.drf.handle(request)
        else:
            response = self._api(request, knobs)
        if (
            knobs
            and response.status_code == 200
            and self.faults.roll(knobs, "malformed_rate")
        ):
            data = response.get_data()
            response.set_data(data[: max(1, len(data) // 2)] + b'{"trunc')
        return response

    @staticmethod
    def _guard(request: Request, handler: Any) -> Response:
        try:
            return handler(request)
        except ApiError as error:
            return error_response(error)

    # -- faults ----------------------------------------------------------

    def _inject_before(
        self, request: Request, knobs: dict[str, Any]
    ) -> Response | None:
        if knobs.get("latency_ms"):
            self.stopping.wait(knobs["latency_ms"] / 1000.0)
        if self.faults.roll(knobs, "drop_rate"):
            sock = request.environ.get("werkzeug.socket")
            if sock is not None:
                try:
                    # Linger 0: the peer gets a reset, as from a crashed proxy.
                    sock.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0"
                    )
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            raise DropConnection("fault injection: connection dropped")
        if self.faults.roll(knobs, "timeout_rate"):
            self.stopping.wait(knobs["hang_seconds"])
        if self.faults.roll(knobs, "rate_limit_rate"):
            retry_after = str(knobs["retry_after"])
            return error_response(
                ApiError(
                    429,
                    "Too many requests (injected)",
                    headers={"Retry-After": retry_after},
                )
            )
        if self.faults.roll(knobs, "error_rate"):
            status = self.faults.choice([500, 502, 503])
            if status == 502:
                return Response(
                    "<html><head><title>502 Bad Gateway</title></head><body>"
                    "<center><h1>502 Bad Gateway</h1></center></body></html>",
                    status=502,
                    content_type="text/html",
                )
            message = {500: "Internal server error", 503: "Service unavailable"}[status]
            error = ApiError(status, f"{message} (injected)")
            if status == 503:
                error.headers["Retry-After"] = "1"
            return error_response(error)
        return None

    # -- protocols -------------------------------------------------------

    def _token(self, request: Request) -> Response:
        if request.method != "POST":
            raise ApiError(405, "Use POST", headers={"Allow": "POST"})
        token = self.auth.token_endpoint(
            request.form.to_dict(), request.headers.get("Authorization")
        )
        response = json_response(dumps(token))
        response.headers["Cache-Control"] = "no-store"
        return response

    def _authenticate(
        self, request: Request, basic_only: bool = False
    ) -> tuple[Principal | None, RateDecision, ApiError | None]:
        try:
            principal = self.auth.authenticate(request.headers, basic_only=basic_only)
        except ApiError as error:
            return None, self.limiter.hit(f"anonymous:{request.remote_addr}"), error
        decision = self.limiter.hit(principal.rate_key)
        if not decision.allowed:
            return principal, decision, ApiError(429, "Rate limit exceeded")
        return principal, decision, None

    def _api(self, request: Request, knobs: dict[str, Any]) -> Response:
        principal, decision, error = self._authenticate(request)
        try:
            if error is not None:
                raise error
            assert principal is not None
            if request.path == "/graphql":
                if request.method not in ("GET", "POST"):
                    raise ApiError(405, "Use POST", headers={"Allow": "GET, POST"})
                response = json_response(self.graphql.handle(request, principal, knobs))
            elif request.path.startswith(BULK_PREFIX):
                response = self.bulk.handle(request)
            elif request.path.startswith("/api/"):
                response = self.rest.handle(request, principal.can_write)
            else:
                raise ApiError(404, f"No endpoint {request.path}")
        except ApiError as exc:
            response = error_response(exc)
        for name, value in decision.headers().items():
            response.headers[name] = value
        return response

    def _soap(self, request: Request) -> Response:
        if request.method == "GET" and "wsdl" in request.args:
            return Response.from_app(self.soap, request.environ)
        principal, decision, error = self._authenticate(request, basic_only=True)
        if error is not None:
            code = (
                "Client.Authentication" if error.status == 401 else "Client.RateLimited"
            )
            response = Response(
                soap_fault_xml(code, error.message),
                status=error.status,
                content_type="text/xml; charset=utf-8",
            )
            for name, value in error.headers.items():
                response.headers[name] = value
        else:
            response = Response.from_app(self.soap, request.environ)
        for name, value in decision.headers().items():
            response.headers[name] = value
        return response


_INDEX = {
    "name": "MyConnector sandbox",
    "rest": "/api/v1",
    "openapi": "/api/v1/openapi.json",
    "graphql": "/graphql",
    "soap": "/soap",
    "wsdl": "/soap?wsdl",
    "oauth_token": "/oauth/token",
    "drf": "/drf/api/products/",
    "admin": "/admin/health",
}
