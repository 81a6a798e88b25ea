"""A rate budget per backend, shared by every process that calls it.

A platform limits the *account*, not one Odoo worker: four workers that each
keep their own count all overshoot together. The budget is therefore a token
bucket kept in a **store** that every worker and host reaches: PostgreSQL in
production (``pgstore.PgBucketStore``), a dict for a single process
(``MemoryBucketStore``). The bucket is consulted below every protocol: the
pooled session's adapter (``RateLimitAdapter``, mounted by ``session.py``)
calls :meth:`RateLimiter.acquire` before it sends anything, REST, GraphQL or
SOAP (zeep uses the same session) alike, and :meth:`RateLimiter.learn` on
every answer.

Sizing: a remote that allows ``limit`` calls per ``window`` seconds is
honoured in *any* window, aligned or not, by a bucket of ``burst`` tokens
refilled at ``(limit - burst - 1) / window`` per second, since such a bucket
never grants more than ``burst + rate * window = limit - 1`` tokens in
``window`` seconds (one call of margin, see ``RateBudget.rate``). A burst of
1 costs ``2 / limit`` of the throughput and keeps calls evenly spaced, which
is what a fixed-window remote wants.

Learning from the remote (``learn``):

* ``X-RateLimit-Remaining: n`` caps the bucket at ``n`` tokens, and
  ``Remaining: 0`` empties it until ``X-RateLimit-Reset``;
* a 429 with ``Retry-After: s`` empties it for ``s`` seconds, for every
  worker: the account is blocked, not the worker that saw it.

When the next token is further away than ``max_wait`` (the backend's
``retry_after_cap``), ``acquire`` raises :class:`RateLimitedError` carrying
that delay instead of sleeping, and the job layer reschedules the job.

GraphQL cost budget: a GraphQL client can draw query cost points from a
second bucket of the same store with :meth:`RateLimiter.cost_limiter` and
feed it the ``throttleStatus`` of each answer with
:meth:`RateLimiter.learn_throttle_status`::

    costs = limiter.cost_limiter(maximum=1000, restore_rate=50)
    costs.acquire(cost=requested_cost)
    ...
    costs.learn_throttle_status(payload["extensions"]["cost"]["throttleStatus"])

No library was used: the few that exist (``limits``, ``pyrate-limiter``) keep
buckets in Redis or in memory, not in PostgreSQL through psycopg2, and the
arithmetic fits in one SQL statement.
"""

import threading
import time
from dataclasses import dataclass

from requests.adapters import HTTPAdapter

from .errors import RateLimitedError, parse_retry_after
from .policy import parse_rate_limit

__all__ = [
    "MemoryBucketStore",
    "RateBudget",
    "RateLimitAdapter",
    "RateLimiter",
]

# Wait used after a 429 that did not say how long to wait.
DEFAULT_HOLD = 1.0
# Tokens short by less than this count as there: floating-point refills land
# a hair below the whole token they were waited for.
EPSILON = 1e-6


@dataclass(frozen=True)
class RateBudget:
    """``limit`` calls per ``window`` seconds, at most ``burst`` at once."""

    limit: int
    window: float
    burst: int = 1

    @property
    def capacity(self) -> float:
        if self.limit <= 1:
            return 1.0
        return float(min(max(self.burst, 1), self.limit - 1))

    @property
    def rate(self) -> float:
        """Tokens per second, so that no window sees more than ``limit - 1``.

        The spare call is a margin for jitter: the instant a call leaves is
        not the instant the remote counts it. It also keeps a fixed-window
        remote from answering ``Remaining: 0``, whose whole-second ``Reset``
        would hold every worker up to a second longer than needed.
        """
        return max(self.limit - self.capacity - 1, 1.0) / self.window


class MemoryBucketStore:
    """The bucket store contract, for one process (tests, scripts).

    A store keeps, per key, a token level and the moment it was computed;
    ``updated_at`` in the future means "empty until then" (a hold). Every
    method is atomic for its key. Times are the store's clock, so that hosts
    whose clocks differ still agree (the PostgreSQL store uses the server's).
    """

    def __init__(self, clock=time.time):
        self.clock = clock
        self._buckets = {}  # key -> [tokens, updated_at]
        self._seen = {}  # key -> (limit, remaining, at)
        self._counts = {}  # key -> list of (at, waited, rescheduled)
        self._lock = threading.Lock()

    def take(self, key, capacity, rate, cost=1.0) -> float:
        """Take ``cost`` tokens and return 0, or return the seconds until
        ``cost`` tokens will be there (and take nothing)."""
        with self._lock:
            now = self.clock()
            tokens, updated_at = self._buckets.setdefault(key, [capacity, now])
            level = min(capacity, tokens + rate * max(0.0, now - updated_at))
            granted = level >= cost - EPSILON
            self._buckets[key] = [
                level - cost if granted else level,
                max(now, updated_at),
            ]
            if granted:
                return 0.0
            return max(0.0, updated_at - now) + (cost - level) / rate

    def hold(self, key, seconds) -> None:
        """Empty the bucket for ``seconds`` (a 429's ``Retry-After``)."""
        with self._lock:
            now = self.clock()
            bucket = self._buckets.setdefault(key, [0.0, now])
            bucket[:] = [0.0, max(bucket[1], now + seconds)]

    def observe(self, key, limit=None, remaining=None, rate=None) -> None:
        """Remember the remote's figures; cap the bucket at ``remaining``.

        ``remaining`` is the remote's level when it answered, its refill
        until then included: given the bucket's ``rate``, the bucket is
        first brought to now, so that refill is not credited twice."""
        with self._lock:
            now = self.clock()
            self._seen[key] = (limit, remaining, now)
            bucket = self._buckets.get(key)
            if bucket is not None and remaining is not None:
                tokens, updated_at = bucket
                if rate:
                    tokens += rate * max(0.0, now - updated_at)
                    updated_at = max(updated_at, now)
                bucket[:] = [min(tokens, float(remaining)), updated_at]

    def count(self, key, waited=0, rescheduled=0) -> None:
        with self._lock:
            self._counts.setdefault(key, []).append((self.clock(), waited, rescheduled))

    def stats(self, key, since_seconds=3600.0) -> dict:
        """``{limit, remaining, seen_at, waited, rescheduled}`` for display."""
        with self._lock:
            start = self.clock() - since_seconds
            rows = [c for c in self._counts.get(key, ()) if c[0] >= start]
            limit, remaining, seen_at = self._seen.get(key, (None, None, None))
        return {
            "limit": limit,
            "remaining": remaining,
            "seen_at": seen_at,
            "waited": sum(r[1] for r in rows),
            "rescheduled": sum(r[2] for r in rows),
        }


class RateLimiter:
    """One backend's budget in a shared store (see the module docstring)."""

    def __init__(self, store, key, capacity, rate, max_wait=30.0, sleep=None):
        if rate <= 0 or capacity <= 0:
            raise ValueError("a rate budget needs a positive capacity and rate")
        self.store = store
        self.key = key
        self.capacity = float(capacity)
        self.rate = float(rate)
        self.max_wait = max_wait
        self.sleep = sleep or time.sleep

    @classmethod
    def for_budget(cls, store, key, budget: RateBudget, **kwargs):
        """A limiter that keeps ``key`` within ``budget`` in every window."""
        return cls(store, key, budget.capacity, budget.rate, **kwargs)

    def acquire(self, cost=1.0) -> float:
        """Block until ``cost`` tokens are taken; return the seconds waited.

        Raises ``RateLimitedError`` (``retry_after`` set) rather than wait
        longer than ``max_wait`` in all.
        """
        waited = 0.0
        while True:
            wait = self.store.take(self.key, self.capacity, self.rate, cost)
            if wait <= 0:
                if waited:
                    self.store.count(self.key, waited=1)
                return waited
            if waited + wait > self.max_wait:
                self.store.count(self.key, rescheduled=1)
                raise RateLimitedError(
                    f"the shared rate budget of {self.key} is spent for "
                    f"{wait:.1f}s more",
                    retry_after=wait,
                )
            self.sleep(wait)
            waited += wait

    def learn(self, response) -> None:
        """Tighten the bucket from what the remote says about its budget."""
        seen = parse_rate_limit(response.headers)
        if seen is not None:
            self.store.observe(self.key, seen.limit, seen.remaining, self.rate)
            if seen.remaining == 0 and seen.reset is not None:
                self.store.hold(self.key, seen.reset_in())
        if response.status_code == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            self.store.hold(self.key, retry_after or DEFAULT_HOLD)

    def cost_limiter(self, maximum, restore_rate):
        """A limiter on the GraphQL cost points of the same backend."""
        return RateLimiter(
            self.store,
            f"{self.key}:cost",
            maximum,
            restore_rate,
            max_wait=self.max_wait,
            sleep=self.sleep,
        )

    def learn_throttle_status(self, status, requested=None) -> None:
        """Feed a GraphQL ``throttleStatus`` (``currentlyAvailable``,
        ``restoreRate``...) to a cost limiter: the remote's level caps ours,
        and a query it refused for cost empties ours until enough is back."""
        available = status.get("currentlyAvailable")
        if available is None:
            return
        rate = float(status.get("restoreRate") or self.rate)
        self.store.observe(
            self.key, status.get("maximumAvailable"), int(float(available)), rate
        )
        if requested is not None and float(available) < requested:
            self.store.hold(self.key, (requested - float(available)) / rate)


class RateLimitAdapter(HTTPAdapter):
    """The pooled session's adapter: asks ``limiter`` (when set) before each
    send and tells it every answer. Every protocol goes through here."""

    limiter = None

    def send(self, request, *args, **kwargs):
        limiter = self.limiter
        if limiter is not None:
            limiter.acquire()
        response = super().send(request, *args, **kwargs)
        if limiter is not None:
            limiter.learn(response)
        return response
