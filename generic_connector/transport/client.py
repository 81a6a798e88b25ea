"""``HttpClient``: one backend's base URL, auth, timeouts and retry policy.

Guarantees, whatever the caller passes:

* every request carries a ``(connect, read)`` timeout — a request without one
  can block an Odoo worker forever;
* requests only go to the backend's origin (scheme, host, port). Absolute
  URLs and redirects to another origin raise ``ConfigError`` instead of
  carrying the credentials elsewhere (``requests`` itself only strips
  ``Authorization`` on cross-host redirects, not ``X-API-Key``);
* non-2xx answers raise the typed errors of ``errors.py``, redacted;
* retries (tenacity) happen only for idempotent calls and retryable errors.
  A POST is retried only with ``idempotent=True`` (e.g. it carries an
  Idempotency-Key); otherwise it raises at once and the job layer decides,
  because a POST that timed out may well have created the record.

Logging (``generic_connector.transport``): one DEBUG line per HTTP exchange
(method, redacted URL, status, elapsed), one INFO line per retry (reason and
wait).
"""

import logging
import random
import time
from urllib.parse import urlsplit

import requests
import tenacity

from . import metrics
from .auth import NoAuth
from .errors import (
    ConfigError,
    FatalError,
    RateLimitedError,
    TransientError,
    TransportError,
    error_from_exception,
    error_from_response,
    reached_remote,
)
from .policy import IDEMPOTENT_METHODS, RateLimit, RetryPolicy, parse_rate_limit
from .redact import redact_url
from .session import get_session, new_session

_logger = logging.getLogger("generic_connector.transport")

MAX_REDIRECTS = 5
_CALL_ARGS = ("params", "json", "data", "headers", "timeout")
_DEFAULT_PORTS = {"http": 80, "https": 443}

__all__ = ["HttpClient", "RateLimit", "RetryPolicy", "decode_json", "origin_of"]


def origin_of(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` with default ports made explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return (
        scheme,
        (parts.hostname or "").lower(),
        parts.port or _DEFAULT_PORTS.get(scheme),
    )


def decode_json(response: requests.Response, secrets=()):
    """The JSON payload of a 2xx response (``None`` for an empty body).

    Malformed JSON in a 2xx is classified ``TransientError``: the server said
    "success", so a body that does not parse was almost always cut short by a
    dropped connection or a proxy, and the next attempt gets it whole. An HTML
    page instead is a ``ConfigError``: the base URL points at a website or a
    login portal, not at the API, and retrying will not change that.
    """
    if not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError as exc:
        kind = response.headers.get("Content-Type", "")
        cls = ConfigError if "html" in kind else TransientError
        raise cls(
            f"malformed JSON in the response ({exc}); content type {kind or 'unset'}",
            status=response.status_code,
            headers=response.headers,
            body=response.text,
            method=response.request.method,
            url=response.url,
            secrets=secrets,
        ) from exc


class HttpClient:
    """Talks to one backend. Cheap to build; the pooled session is shared."""

    def __init__(
        self,
        base_url: str,
        auth=None,
        timeout=(5.0, 30.0),
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        session_key=None,
        headers: dict | None = None,
        user_agent: str = "generic-connector/17.0",
        *,
        on_response=None,
        sleep=time.sleep,
        rng: random.Random | None = None,
    ):
        parts = urlsplit(base_url or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"invalid base URL {base_url!r}: use https://host/path")
        self.base_url = base_url.rstrip("/")
        self.origin = origin_of(self.base_url)
        self.auth = auth if auth is not None else NoAuth()
        self.timeout = _as_timeout(timeout)
        self.retry = retry or RetryPolicy()
        if session is None:
            session = get_session(session_key) if session_key else new_session()
        self.session = session
        self.headers = {"User-Agent": user_agent, "Accept": "application/json"}
        self.headers.update(headers or {})
        self.on_response = on_response  # callable(response), e.g. metrics
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.rate_limit: RateLimit | None = None

    # -- public API ---------------------------------------------------------

    def url_for(self, path_or_url: str) -> str:
        """Absolute URL on the backend's origin for a path or a URL."""
        if urlsplit(path_or_url).scheme:
            if origin_of(path_or_url) != self.origin:
                raise ConfigError(
                    f"refusing to send credentials to another origin: {path_or_url}"
                    f" (backend is {self.base_url})",
                    url=path_or_url,
                )
            return path_or_url
        # Plain concatenation, not urljoin: "/products" must keep the base
        # URL's path prefix ("https://h/api/v1" + "/products").
        return (
            f"{self.base_url}/{path_or_url.lstrip('/')}"
            if path_or_url
            else self.base_url
        )

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params=None,
        json=None,
        data=None,
        headers: dict | None = None,
        idempotent: bool | None = None,
        timeout=None,
        stream: bool = False,
    ) -> requests.Response:
        """Send a request; return the 2xx ``Response`` or raise a typed error.

        ``stream``: the body is not read (``requests``' ``stream=True``): the
        caller reads it piece by piece (``iter_lines``) and closes it."""
        call = {"params": params, "json": json, "data": data}
        call.update(headers=headers, timeout=timeout, stream=stream)
        return self._call(method, path_or_url, idempotent, call, parse=False)[1]

    def fetch_json(self, method: str, path_or_url: str, **kwargs):
        """``(payload, response)`` — for callers that need headers too.

        Same keyword arguments as ``request``; malformed JSON is retried like
        any transient failure (see ``decode_json``).
        """
        idempotent = kwargs.pop("idempotent", None)
        call = {name: kwargs.pop(name, None) for name in _CALL_ARGS}
        if kwargs:
            raise TypeError(f"unexpected arguments: {', '.join(kwargs)}")
        return self._call(method, path_or_url, idempotent, call, parse=True)

    def request_json(self, method: str, path_or_url: str, **kwargs):
        """Like ``request`` but return the decoded JSON payload."""
        return self.fetch_json(method, path_or_url, **kwargs)[0]

    def get_json(self, path_or_url: str, params=None, **kwargs):
        """GET and decode JSON."""
        return self.request_json("GET", path_or_url, params=params, **kwargs)

    def secrets(self) -> tuple:
        return tuple(getattr(self.auth, "secrets", tuple)())

    # -- retry --------------------------------------------------------------

    def _call(self, method, path_or_url, idempotent, kwargs, parse):
        method = method.upper()
        url = self.url_for(path_or_url)
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(
                self.retry.max_attempts if idempotent else 1
            ),
            retry=tenacity.retry_if_exception(self._should_retry),
            wait=self._wait,
            sleep=self.sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        return retrying(self._attempt, method, url, kwargs, parse)

    def _should_retry(self, exc: BaseException) -> bool:
        return (
            isinstance(exc, TransportError)
            and exc.retryable
            and not self._over_cap(exc)
        )

    def _over_cap(self, exc: TransportError) -> bool:
        return (
            exc.retry_after is not None and exc.retry_after > self.retry.retry_after_cap
        )

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception()
        if exc.retry_after is not None:
            return exc.retry_after
        return self.retry.backoff(state.attempt_number, self.rng)

    def _log_retry(self, state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception()
        metrics.note_retry(state.next_action.sleep, exc.retry_after is not None)
        _logger.info(
            "retrying in %.2fs (attempt %d/%d failed): %s",
            state.next_action.sleep,
            state.attempt_number,
            self.retry.max_attempts,
            exc,
        )

    # -- one attempt --------------------------------------------------------

    def _attempt(self, method, url, kwargs, parse):
        response = self._follow(method, url, kwargs)
        if not 200 <= response.status_code < 300:
            raise self._error(response)
        payload = decode_json(response, self.secrets()) if parse else None
        return payload, response

    def _follow(self, method, url, kwargs):
        # Redirects are followed here, not by requests, to keep them on-origin.
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(method, url, kwargs)
            if not response.is_redirect:
                return response
            target = self.url_for(
                requests.compat.urljoin(url, response.headers["Location"])
            )
            if response.status_code not in (307, 308) and method not in ("GET", "HEAD"):
                raise ConfigError(
                    f"{method} redirected to {target}: fix the base URL", url=url
                )
            url = target
        raise ConfigError(
            f"more than {MAX_REDIRECTS} redirects", method=method, url=url
        )

    def _send(self, method, url, kwargs) -> requests.Response:
        headers = {**self.headers, **(kwargs.get("headers") or {})}
        timeout = _as_timeout(kwargs.get("timeout") or self.timeout)
        start = time.monotonic()
        try:
            response = self.session.request(
                method,
                url,
                params=kwargs.get("params"),
                json=kwargs.get("json"),
                data=kwargs.get("data"),
                headers=headers,
                auth=self.auth,
                timeout=timeout,
                allow_redirects=False,
                stream=bool(kwargs.get("stream")),
            )
        except requests.RequestException as exc:
            if reached_remote(exc):
                metrics.note_call()
            _logger.debug(
                "%s %s failed: %s", method, redact_url(url), type(exc).__name__
            )
            raise error_from_exception(exc, method, url, self.secrets()) from exc
        metrics.note_call()
        _logger.debug(
            "%s %s -> %s in %.3fs",
            method,
            redact_url(response.url, self.secrets()),
            response.status_code,
            time.monotonic() - start,
        )
        self.rate_limit = parse_rate_limit(response.headers) or self.rate_limit
        if self.on_response is not None:
            self.on_response(response)
        return response

    def _error(self, response) -> TransportError:
        exc = error_from_response(response, self.secrets())
        if exc.retry_after is not None or isinstance(exc, RateLimitedError):
            metrics.note_throttled()
        if self._over_cap(exc) and not isinstance(exc, RateLimitedError):
            # A 503 asking for a long pause is a rate limit in all but name:
            # same handling by the job layer (reschedule after retry_after).
            exc = RateLimitedError(
                "the remote asks to wait longer than a worker may block",
                status=exc.status,
                headers=exc.headers,
                body=exc.body_excerpt,
                method=exc.method,
                url=exc.url,
                retry_after=exc.retry_after,
            )
        return exc


def _as_timeout(timeout):
    if isinstance(timeout, int | float):
        return (float(timeout), float(timeout))
    if not timeout or len(timeout) != 2:
        raise FatalError(f"timeout must be (connect, read) seconds, got {timeout!r}")
    return tuple(float(t) for t in timeout)
