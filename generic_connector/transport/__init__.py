"""Plain-Python HTTP transport of the generic connector.

This package never imports Odoo nor the rest of ``generic_connector``: it is
loaded as ``odoo.addons.generic_connector.transport`` inside Odoo and as
``generic_connector.transport`` by the pure tests, and only uses relative
imports so both names work. The Odoo layer builds an ``HttpClient`` from a
backend record (base URL, auth, timeouts, retry policy, session key) and maps
the typed errors below to queue-job behaviour (retry later / fail / ask an
admin).

Modules: ``errors`` (typed errors and their classification), ``redact``
(secrets out of logs), ``auth``, ``session`` (pooled sessions per backend and
process), ``policy`` (retry/backoff, rate-limit headers), ``client``,
``envelope`` (dotted paths in payloads), ``pagination``, ``webhook`` and
``metrics`` (calls, retries and waits counted for the sync run log).
"""

from .auth import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    MemoryTokenStore,
    NoAuth,
    OAuth2ClientCredentials,
)
from .client import HttpClient, decode_json, origin_of
from .envelope import MISSING, extract
from .metrics import CallStats, count_calls, note_wait
from .errors import (
    AuthError,
    ConfigError,
    ConflictError,
    ConnectionFailedError,
    FatalError,
    NotFoundError,
    PartialDataError,
    RateLimitedError,
    TransientError,
    TransportError,
    error_from_exception,
    error_from_response,
    parse_retry_after,
)
from .pagination import (
    CursorPagination,
    LinkHeaderPagination,
    OffsetPagination,
    Page,
    iterate_items,
    paginate,
)
from .policy import IDEMPOTENT_METHODS, RateLimit, RetryPolicy
from .redact import REDACTED, redact_headers, redact_text, redact_url
from .session import close_session, close_sessions, get_session, new_session
from .webhook import (
    WebhookVerificationError,
    sign_hmac_hex,
    sign_standard_webhook,
    verify_hmac_hex,
    verify_standard_webhook,
)

__all__ = [
    "IDEMPOTENT_METHODS",
    "MISSING",
    "REDACTED",
    "ApiKeyAuth",
    "AuthError",
    "BasicAuth",
    "BearerAuth",
    "CallStats",
    "ConfigError",
    "ConflictError",
    "ConnectionFailedError",
    "CursorPagination",
    "FatalError",
    "HttpClient",
    "LinkHeaderPagination",
    "MemoryTokenStore",
    "NoAuth",
    "NotFoundError",
    "OAuth2ClientCredentials",
    "OffsetPagination",
    "Page",
    "PartialDataError",
    "RateLimit",
    "RateLimitedError",
    "RetryPolicy",
    "TransientError",
    "TransportError",
    "WebhookVerificationError",
    "close_session",
    "close_sessions",
    "count_calls",
    "decode_json",
    "error_from_exception",
    "error_from_response",
    "extract",
    "get_session",
    "iterate_items",
    "new_session",
    "note_wait",
    "origin_of",
    "paginate",
    "parse_retry_after",
    "redact_headers",
    "redact_text",
    "redact_url",
    "sign_hmac_hex",
    "sign_standard_webhook",
    "verify_hmac_hex",
    "verify_standard_webhook",
]
