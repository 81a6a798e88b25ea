"""Retry policy and rate-limit bookkeeping, kept apart from the client.

Backoff uses *full jitter* (``uniform(0, min(max, base * 2**n))``): when many
workers fail at the same moment (the remote restarted), spreading their
retries over the whole window avoids hammering it again in lock-step, which
plain exponential backoff does. The random generator is injectable so tests
are deterministic.

``Retry-After`` wins over our own backoff when present, up to
``retry_after_cap``: a worker should not sleep for minutes holding a cron or
a queue slot; beyond the cap the client raises ``RateLimitedError`` at once
and the job layer reschedules the job with ``retry_after`` as its eta.
"""

import random
import time
from dataclasses import dataclass, field

# RFC 9110 §9.2.2. POST and PATCH are retried only when the caller says the
# call is idempotent (e.g. it carries an Idempotency-Key).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})

# Epoch seconds vs. delta seconds in X-RateLimit-Reset: no API waits 30 years.
_EPOCH_THRESHOLD = 1e9


@dataclass
class RetryPolicy:
    """How often and how long the client retries retryable failures."""

    max_attempts: int = 4  # total attempts, the first one included
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    retry_after_cap: float = 30.0

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full-jitter wait after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return (rng or random).uniform(0, ceiling)


@dataclass
class RateLimit:
    """Last rate-limit headers seen from a backend (any may be None)."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None  # as sent: epoch seconds or delta seconds
    observed_at: float = field(default_factory=time.time)

    def reset_in(self, now: float | None = None) -> float | None:
        """Seconds until the window resets, whichever form the API uses."""
        if self.reset is None:
            return None
        now = time.time() if now is None else now
        if self.reset > _EPOCH_THRESHOLD:
            return max(0.0, self.reset - now)
        return max(0.0, self.reset - (now - self.observed_at))


def parse_rate_limit(headers) -> RateLimit | None:
    """``RateLimit`` from ``X-RateLimit-*`` (or IETF ``RateLimit-*``) headers."""

    def number(name):
        value = headers.get(f"X-RateLimit-{name}") or headers.get(f"RateLimit-{name}")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None

    limit, remaining, reset = number("Limit"), number("Remaining"), number("Reset")
    if limit is None and remaining is None and reset is None:
        return None
    return RateLimit(
        limit=int(limit) if limit is not None else None,
        remaining=int(remaining) if remaining is not None else None,
        reset=reset,
    )
