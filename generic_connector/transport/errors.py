"""One typed error hierarchy for every protocol the connector speaks.

REST, GraphQL and SOAP alike: whatever the wire format, the job layer
only needs to answer two questions, and the class answers both:

* *Retry?* — ``retryable`` is a class attribute. ``TransientError`` (and its
  subclass ``RateLimitedError``) are retryable: the same request may succeed
  later. Everything else needs a human or a code change first.
* *Who must act?* — ``AuthError``/``ConfigError`` go to the admin (credentials,
  base URL, TLS), ``FatalError`` to the integrator (payload, mapping),
  ``NotFoundError``/``ConflictError`` to the binding logic (re-read, re-create).

Classification (``error_from_response`` / ``error_from_exception``):

====================================  =====================  =========
cause                                 class                  retryable
====================================  =====================  =========
401, 403                              AuthError              no
bad URL, TLS failure, cross-origin    ConfigError            no
404, 410                              NotFoundError          no
409, 412                              ConflictError          no
429                                   RateLimitedError       yes
408, 5xx except 501                   TransientError         yes
timeouts, refused/dropped connection  TransientError         yes
malformed JSON in a 2xx               TransientError         yes
400, 422, other 4xx, 501, other       FatalError             no
GraphQL ``errors``, no data           GraphQLError           no
GraphQL ``errors`` beside data        PartialDataError       no
GraphQL ``THROTTLED``                 ThrottledError         yes
GraphQL ``MAX_COST_EXCEEDED``         QueryCostError         no
SOAP Client fault                     SoapFaultError         no
SOAP Server fault                     TransientError         yes
====================================  =====================  =========

GraphQL answers with HTTP 200 whatever happened, so its errors are told
apart by their ``extensions.code`` (``graphql_error``); a SOAP fault is told
apart by its ``faultcode`` (``Client`` is the caller's fault: bad input, an
unknown SKU; ``Server`` is the service's: try again later).

Every attribute exposed here is already redacted, so an error can be logged,
stored on a job or shown in a chatter message as is. ``str(error)`` is the
full technical text, for logs; ``error.summary`` is one sentence for an admin:
what happened, where, and what to check (never a raw urllib3 repr).
"""

import http
import re
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from requests import exceptions as rex
from urllib3.exceptions import NewConnectionError

from .redact import redact_headers, redact_text, redact_url

BODY_EXCERPT_LEN = 500
# Redact a larger window than we keep, so that truncation cannot cut a secret
# in half before the redaction rules had a chance to see it whole.
_REDACT_WINDOW = 20_000
_SECONDS_RE = re.compile(r"^\d+(\.\d+)?$")
_CONFIG_EXCEPTIONS = (
    rex.InvalidURL,
    rex.InvalidSchema,
    rex.MissingSchema,
    rex.InvalidHeader,
    rex.URLRequired,
)
# A body cut short (ChunkedEncodingError) or garbled in transit is a network
# failure like a refused connection: the next attempt usually succeeds.
_NETWORK_EXCEPTIONS = (
    rex.ConnectionError,
    rex.ChunkedEncodingError,
    rex.ContentDecodingError,
)


class TransportError(Exception):
    """Base class: a request failed. All attributes are redacted."""

    retryable = False
    what = "The call to the remote failed"  # the summary's opening words
    hint = ""  # what an admin should do; subclasses say it

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        headers=None,
        body: str | bytes | None = None,
        method: str | None = None,
        url: str | None = None,
        retry_after: float | None = None,
        secrets=(),
    ):
        secrets = tuple(secrets)
        self.message = redact_text(message or "", secrets)
        self.status = status
        self.headers = redact_headers(headers, secrets)
        self.body_excerpt = _excerpt(body, secrets)
        self.method = method.upper() if method else None
        self.url = redact_url(url, secrets) if url else None
        self.retry_after = retry_after
        self.cause = ""  # short network cause ("connection refused"), if any
        super().__init__(str(self))

    @property
    def summary(self) -> str:
        """One sentence for an admin: what happened, where, what to check."""
        what = self.what
        if self.status is not None:
            what = f"{what} ({self.status} {_reason(self.status)})"
        elif self.cause:
            what = f"{what} ({self.cause})"
        where = _short_url(self.url)
        text = f"{what} at {where}" if where else what
        hint = self.hint
        if self.message and isinstance(self, ConfigError):
            # Our own words on the setting that is wrong (an empty API key, a
            # redirect to fix): the generic hint would hide which one it is.
            hint = self.message
        if hint:
            text = f"{text}: {hint}"
        if self.retry_after is not None:
            text = f"{text}; it asked to wait {self.retry_after:g}s"
        said = self.body_excerpt or self.message
        if said and isinstance(self, FatalError | ConflictError):
            # The remote's own words on the data it refused are the answer
            # (a body, or a SOAP fault's or GraphQL error's message).
            text = f"{text}. The remote said: {said[:200]}"
        return text.rstrip(".") + "."

    def __str__(self) -> str:
        where = " ".join(p for p in (self.method, self.url) if p)
        if self.status is not None:
            head = f"{self.status} {_reason(self.status)}"
            head = f"{head} from {where}" if where else head
        else:
            head = f"{type(self).__name__} on {where}" if where else type(self).__name__
        detail = "; ".join(p for p in (self.message, self.hint) if p)
        text = f"{head}: {detail}" if detail else head
        if self.retry_after is not None:
            text = f"{text} — retry after {self.retry_after:g}s"
        if self.body_excerpt:
            text = f"{text} — body: {self.body_excerpt}"
        return text


class AuthError(TransportError):
    what = "The remote refused our credentials"
    hint = "check the backend's credentials and the permissions they grant"


class ConfigError(TransportError):
    what = "The backend's settings do not reach the API"
    hint = "check the backend's configuration (base URL, TLS, settings)"


class NotFoundError(TransportError):
    what = "The remote has no such record or endpoint"
    hint = "the remote record or endpoint does not exist; check path and ids"


class ConflictError(TransportError):
    what = "The remote record changed or already exists"
    hint = "the remote record changed or already exists; re-read it first"


class TransientError(TransportError):
    retryable = True
    what = "The remote service failed"
    hint = "temporary failure of the remote service or the network"


class ConnectionFailedError(TransientError):
    """No answer at all: refused, unresolvable, dropped. Retried, since a
    restarting service comes back, but not called temporary: most often the
    base URL is wrong or the service is down, and an admin must look."""

    what = "Could not connect to the remote"
    hint = "check the backend's base URL and that the remote service is running"


class RateLimitedError(TransientError):
    what = "The remote API is throttling us"
    hint = "the remote API asks us to slow down"


class FatalError(TransportError):
    what = "The remote refused the request"
    hint = "the request or the response does not match what the API expects"


class _GraphQLErrors:
    """What every GraphQL error carries: the ``errors`` list as answered,
    their messages and codes, and the (possibly partial) ``data``."""

    def _set_graphql(self, errors, data):
        self.errors = list(errors or ())
        self.data = data
        self.codes = error_codes(self.errors)
        self.messages = [str(e.get("message", e)) for e in self.errors]


class PartialDataError(_GraphQLErrors, TransportError):
    """A response that carries both data and errors (GraphQL partial results).

    The caller decides whether the ``data`` part is usable; the transport
    cannot know which missing fields matter.
    """

    hint = "the remote answered with partial data and errors"

    def __init__(self, message: str = "", *, data=None, errors=(), **kwargs):
        self._set_graphql(errors, data)
        super().__init__(message, **kwargs)


class GraphQLError(_GraphQLErrors, FatalError):
    """A GraphQL answer with ``errors`` and no data: the query is wrong (a
    field that does not exist, a bad argument) or the remote refused it."""

    hint = "the GraphQL query was refused; check the query and its variables"

    def __init__(self, message: str = "", *, data=None, errors=(), **kwargs):
        self._set_graphql(errors, data)
        super().__init__(message, **kwargs)


class QueryCostError(GraphQLError):
    """``MAX_COST_EXCEEDED``: one query asks for more than the remote allows
    at once, whatever the wait. Fewer records per page is the cure."""

    hint = "the query costs more than the remote allows; ask fewer records per page"


class ThrottledError(_GraphQLErrors, RateLimitedError):
    """``THROTTLED``: the cost bucket is empty for now; ``retry_after`` is
    what the ``throttleStatus`` says it takes to refill the missing points."""

    hint = "the remote's query-cost budget is spent for now"

    def __init__(self, message: str = "", *, data=None, errors=(), **kwargs):
        self._set_graphql(errors, data)
        super().__init__(message, **kwargs)


class SoapFaultError(FatalError):
    """A SOAP ``Client`` fault: the request is wrong (bad input, unknown SKU).

    ``faultcode`` and ``faultstring`` are kept as answered; sending the same
    request again gives the same fault.
    """

    hint = "the SOAP service refused the request's data"

    def __init__(self, message: str = "", *, faultcode=None, **kwargs):
        self.faultcode = faultcode
        super().__init__(message, **kwargs)


def error_codes(errors) -> list[str]:
    """The ``extensions.code`` of each GraphQL error that has one."""
    codes = []
    for error in errors or ():
        code = (
            (error.get("extensions") or {}).get("code")
            if isinstance(error, dict)
            else None
        )
        if code:
            codes.append(str(code))
    return codes


def error_class_for_status(status: int) -> type[TransportError]:
    """The error class for a non-2xx HTTP status."""
    if status in (401, 403):
        return AuthError
    if status in (404, 410):
        return NotFoundError
    if status in (409, 412):
        return ConflictError
    if status == 429:
        return RateLimitedError
    # 408: the server gave up waiting for our request — a network hiccup.
    # 501: the endpoint will never exist, retrying cannot help.
    if status == 408 or (500 <= status < 600 and status != 501):
        return TransientError
    return FatalError


def error_from_response(response, secrets=(), message: str = "") -> TransportError:
    """Map a non-2xx ``requests.Response`` to the matching typed error."""
    cls = error_class_for_status(response.status_code)
    retry_after = None
    if response.status_code in (429, 503):
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
    return cls(
        message,
        status=response.status_code,
        headers=response.headers,
        body=_safe_text(response),
        method=response.request.method if response.request else None,
        url=response.url,
        retry_after=retry_after,
        secrets=secrets,
    )


def error_from_exception(exc, method=None, url=None, secrets=()) -> TransportError:
    """Map a ``requests`` exception (no HTTP answer at all) to a typed error."""
    kwargs = {"method": method, "url": url, "secrets": secrets}
    detail = f"{type(exc).__name__}: {exc}"
    # SSLError subclasses ConnectionError: test it first. A certificate problem
    # does not heal by itself; an admin must fix the URL or the CA bundle.
    if isinstance(exc, rex.SSLError):
        return ConfigError(
            f"TLS error, check the URL and certificates — {detail}", **kwargs
        )
    if isinstance(exc, _CONFIG_EXCEPTIONS):
        return ConfigError(f"invalid request setup — {detail}", **kwargs)
    if isinstance(exc, rex.ConnectTimeout):
        error = ConnectionFailedError(f"timed out connecting — {detail}", **kwargs)
        error.cause = "no answer within the connect timeout"
        return error
    if isinstance(exc, rex.Timeout):
        error = TransientError(f"timed out — {detail}", **kwargs)
        error.cause = "no answer within the read timeout"
        return error
    if isinstance(exc, _NETWORK_EXCEPTIONS):
        error = ConnectionFailedError(
            f"connection failed or dropped — {detail}", **kwargs
        )
        error.cause = network_cause(exc)
        return error
    return TransportError(detail, **kwargs)


def reached_remote(exc) -> bool:
    """Whether a request that raised ``exc`` may have reached the remote: not
    when no connection was made (refused, no route, the name does not
    resolve, the connect timeout, TLS) nor when the request could not be
    built. A run counts the calls the remote served, not those attempts."""
    if isinstance(exc, (rex.ConnectTimeout, rex.SSLError, *_CONFIG_EXCEPTIONS)):
        return False
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return not isinstance(reason, NewConnectionError)


_ERRNO_RE = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")
_CAUSES = (
    ("refused", "connection refused"),
    ("name or service not known", "the host name does not resolve"),
    ("nodename nor servname", "the host name does not resolve"),
    ("temporary failure in name resolution", "the host name does not resolve"),
    ("no route to host", "no route to the host"),
    ("reset by peer", "the connection was reset"),
    ("remotedisconnected", "the remote closed the connection"),
    ("connection aborted", "the connection was dropped"),
)


def network_cause(exc) -> str:
    """A few plain words on why a connection failed, out of the nested
    urllib3 text (``HTTPConnectionPool(...) NewConnectionError('<...>')``)."""
    text = str(exc).lower()
    for needle, words in _CAUSES:
        if needle in text:
            return words
    match = _ERRNO_RE.search(str(exc))
    if match:
        return match.group(1).strip().lower()
    if isinstance(exc, rex.ChunkedEncodingError | rex.ContentDecodingError):
        return "the answer was cut short"
    return "no answer"


def _short_url(url):
    """``host:port/path`` of a (redacted) URL, without its query string."""
    if not url:
        return ""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}" if parts.netloc else url


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if _SECONDS_RE.match(value):
        return float(value)
    try:
        moment = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None  # unparsable: behave as if absent, use our own backoff
    return max(0.0, moment - (time.time() if now is None else now))


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "HTTP error"


def _safe_text(response) -> str:
    try:
        return response.content[:_REDACT_WINDOW].decode(
            response.encoding or "utf-8", errors="replace"
        )
    except Exception:  # noqa: BLE001 - an excerpt must never mask the real error
        return ""


def _excerpt(body, secrets) -> str:
    if not body:
        return ""
    if isinstance(body, bytes):
        body = body[:_REDACT_WINDOW].decode("utf-8", errors="replace")
    text = redact_text(body[:_REDACT_WINDOW], secrets).strip()
    if len(text) > BODY_EXCERPT_LEN:
        text = text[: BODY_EXCERPT_LEN - 1] + "…"
    return text
