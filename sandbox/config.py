"""Server options: one dataclass shared by ``SandboxServer(**options)`` and the CLI.

Every field has a command-line flag of the same name (``seed_records`` is
``--seed-records``); ``sandbox.cli`` builds its parser from :data:`FLAG_HELP`
so the two cannot drift apart (a test checks ``--help`` lists them all).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PAGINATION_STYLES = ("offset", "cursor", "link")
ENVELOPE_STYLES = ("wrapped", "nested")


@dataclass
class SandboxConfig:
    port: int = 0
    seed_records: int = 250
    seed: int = 42
    seed_payments: bool = False
    db: str | None = None
    pagination: str = "offset"
    envelope: str = "wrapped"
    max_per_page: int = 250
    past_end_404: bool = False
    total_extra: int = 0
    trailing_slash: bool = False
    endpoint_envelopes: dict[str, str] = field(default_factory=dict)
    token_ttl: float = 3600.0
    rate_limit: int = 1200
    rate_window: float = 60.0
    graphql_bucket_size: int = 1000
    graphql_restore_rate: float = 50.0
    faults: list[str] | dict[str, dict[str, object]] = field(default_factory=list)
    fault_seed: int = 0
    webhook_retry_base: float = 1.0
    webhook_max_attempts: int = 5
    webhook_timeout: float = 5.0
    webhook_workers: int = 4
    webhook_allow_any_host: bool = False
    access_log: bool = False
    bulk_delay: float = 0.3

    def __post_init__(self) -> None:
        if self.pagination not in PAGINATION_STYLES:
            raise ValueError(f"pagination must be one of {PAGINATION_STYLES}")
        if self.envelope not in ENVELOPE_STYLES:
            raise ValueError(f"envelope must be one of {ENVELOPE_STYLES}")
        for pattern, style in self.endpoint_envelopes.items():
            if style not in ENVELOPE_STYLES:
                raise ValueError(
                    f"envelope for {pattern!r} must be one of {ENVELOPE_STYLES}"
                )
        if self.max_per_page < 1 or self.total_extra < 0:
            raise ValueError("max_per_page must be >= 1 and total_extra >= 0")
        if self.rate_limit < 1 or self.rate_window <= 0:
            raise ValueError("rate_limit must be >= 1 and rate_window > 0")
        if self.bulk_delay < 0:
            raise ValueError("bulk_delay must be >= 0")
        if self.webhook_max_attempts < 1 or self.webhook_workers < 1:
            raise ValueError("webhook_max_attempts and webhook_workers must be >= 1")


FLAG_HELP: dict[str, str] = {
    "port": "TCP port on 127.0.0.1 (0 picks a free one; the CLI default is 8899)",
    "seed_records": "number of generated products; customers = N//2, orders = N",
    "seed": "seed of the deterministic data generator",
    "seed_payments": "give seeded orders taxes per line and payments (a mix of "
    "gateways and of pending, authorized, paid and partially paid orders)",
    "db": "SQLite file that keeps the data across restarts; in memory when absent",
    "pagination": "default list pagination: offset, cursor or link",
    "envelope": "default response envelope: wrapped or nested",
    "max_per_page": "largest page served, whatever per_page asks (a server cap)",
    "past_end_404": "answer 404 'Invalid page' to an offset page past the last one "
    "(as Django REST framework does) instead of an empty page",
    "total_extra": "announce this many records more than the list holds in its "
    "'total' (a count gone stale while the walk runs)",
    "trailing_slash": "routes end with a slash (/api/v1/products/1/); a path "
    "without it answers 301 to the path with it (Django's APPEND_SLASH)",
    "endpoint_envelopes": "per-endpoint envelope, PATTERN=STYLE, e.g. "
    "'GET /api/v1/orders=nested' (repeatable)",
    "token_ttl": "lifetime in seconds of OAuth2 access tokens",
    "rate_limit": "requests allowed per credential per window",
    "rate_window": "rate-limit window in seconds",
    "graphql_bucket_size": "GraphQL cost bucket size per credential (maximumAvailable)",
    "graphql_restore_rate": "GraphQL cost points restored per second",
    "faults": "fault rule 'PATTERN:knob=value,knob=value' (repeatable), e.g. "
    "'GET /api/v1/products:error_rate=0.2,rate_limit_rate=0.1'",
    "fault_seed": "seed of the fault-injection random generator",
    "webhook_retry_base": "first webhook retry delay in seconds (doubles per attempt)",
    "webhook_max_attempts": "delivery attempts per webhook event, first one included",
    "webhook_timeout": "timeout in seconds of one webhook POST",
    "webhook_workers": "threads delivering webhooks",
    "webhook_allow_any_host": "allow webhook URLs outside loopback (off: 127.0.0.0/8, "
    "::1 and localhost only)",
    "access_log": "log every request to stderr",
    "bulk_delay": "seconds a bulk export runs before it is completed (after "
    "its first poll)",
}
