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
``envelope`` (dotted paths in payloads), ``pagination``, ``bulk`` (bulk
exports: start, poll, stream a JSON Lines file), ``shapes`` (stubs
and sub-resources fetched with bounded concurrency), ``graphql`` (queries,
query cost, Relay paging), ``soap`` (zeep on the pooled session),
``webhook``, ``ratelimit`` (the rate budget shared by every worker),
``pgstore`` (its PostgreSQL store, and the shared OAuth2 token's) and
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
from .bulk import (
    BulkExport,
    BulkExportFailedError,
    BulkExportTimeoutError,
    BulkWalk,
    bulk_pages,
    iterate_bulk,
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
    GraphQLError,
    NotFoundError,
    PartialDataError,
    QueryCostError,
    RateLimitedError,
    SoapFaultError,
    ThrottledError,
    TransientError,
    TransportError,
    error_from_exception,
    error_from_response,
    parse_retry_after,
)
from .graphql import (
    GraphQLClient,
    NestedConnection,
    ThrottleStatus,
    complete_connections,
    flatten_connections,
    graphql_error,
    relay_pages,
)
from .shapes import RecordShape, fan_out
from .pagination import (
    CursorPagination,
    LinkHeaderPagination,
    NextLinkPagination,
    OffsetPagination,
    drf_pagination,
    Page,
    iterate_items,
    paginate,
)
from .pgstore import (
    SCHEMA,
    PgBucketStore,
    PgCallCounter,
    PgConnection,
    PgTokenStore,
)
from .policy import IDEMPOTENT_METHODS, RateLimit, RetryPolicy
from .ratelimit import MemoryBucketStore, RateBudget, RateLimitAdapter, RateLimiter
from .redact import REDACTED, redact_headers, redact_text, redact_url
from .session import (
    close_session,
    close_sessions,
    get_session,
    new_session,
    set_rate_limiter,
)
from .soap import SoapClient, forget_soap_clients, get_soap_client, soap_error
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
    "SCHEMA",
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
    "GraphQLClient",
    "GraphQLError",
    "HttpClient",
    "LinkHeaderPagination",
    "NextLinkPagination",
    "MemoryBucketStore",
    "MemoryTokenStore",
    "NestedConnection",
    "NoAuth",
    "NotFoundError",
    "OAuth2ClientCredentials",
    "OffsetPagination",
    "Page",
    "PartialDataError",
    "QueryCostError",
    "PgBucketStore",
    "PgCallCounter",
    "PgConnection",
    "PgTokenStore",
    "RateBudget",
    "RateLimit",
    "RateLimitAdapter",
    "RateLimitedError",
    "RateLimiter",
    "RetryPolicy",
    "SoapClient",
    "SoapFaultError",
    "ThrottleStatus",
    "ThrottledError",
    "TransientError",
    "TransportError",
    "WebhookVerificationError",
    "close_session",
    "close_sessions",
    "complete_connections",
    "count_calls",
    "decode_json",
    "error_from_exception",
    "error_from_response",
    "extract",
    "flatten_connections",
    "forget_soap_clients",
    "get_session",
    "get_soap_client",
    "graphql_error",
    "drf_pagination",
    "fan_out",
    "iterate_items",
    "new_session",
    "note_wait",
    "origin_of",
    "paginate",
    "RecordShape",
    "parse_retry_after",
    "redact_headers",
    "redact_text",
    "redact_url",
    "relay_pages",
    "set_rate_limiter",
    "sign_hmac_hex",
    "sign_standard_webhook",
    "soap_error",
    "verify_hmac_hex",
    "verify_standard_webhook",
]
