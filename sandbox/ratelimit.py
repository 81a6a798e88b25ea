"""Request rate limits (fixed window) and the GraphQL cost bucket (leaky bucket).

Both are keyed by the credential's ``rate_key``. A fixed window keeps the
``X-RateLimit-*`` arithmetic simple and predictable for clients: ``Reset`` is
the whole seconds left in the current window, ``Retry-After`` the same.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # whole seconds until the window resets

    def headers(self) -> dict[str, str]:
        values = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            values["Retry-After"] = str(max(1, self.reset))
        return values


class FixedWindowLimiter:
    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._windows: dict[str, tuple[float, int]] = {}  # key -> start, count
        self._lock = threading.Lock()

    def configure(self, limit: int | None = None, window: float | None = None) -> None:
        with self._lock:
            if limit is not None:
                self.limit = limit
            if window is not None:
                self.window = window
            self._windows.clear()

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()

    def hit(self, key: str) -> RateDecision:
        now = time.monotonic()
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            allowed = count < self.limit
            if allowed:
                count += 1
            self._windows[key] = (start, count)
            # window - elapsed, not (start + window) - now: the float sum
            # can round above the window (30.000000000000004 -> 31).
            reset = max(0, math.ceil(self.window - (now - start)))
            return RateDecision(allowed, self.limit, self.limit - count, reset)


@dataclass
class BucketState:
    maximum: float
    available: float
    restore_rate: float

    def as_dict(self) -> dict[str, float]:
        return {
            "maximumAvailable": float(self.maximum),
            "currentlyAvailable": float(int(self.available)),
            "restoreRate": float(self.restore_rate),
        }


class LeakyBucket:
    """Shopify-style cost bucket: take the requested cost, refund the unused part."""

    def __init__(self, size: float, restore_rate: float) -> None:
        self.size = size
        self.restore_rate = restore_rate
        self._levels: dict[str, tuple[float, float]] = {}  # key -> available, at
        self._lock = threading.Lock()

    def configure(
        self, size: float | None = None, restore_rate: float | None = None
    ) -> None:
        with self._lock:
            if size is not None:
                self.size = size
            if restore_rate is not None:
                self.restore_rate = restore_rate
            self._levels.clear()

    def reset(self) -> None:
        with self._lock:
            self._levels.clear()

    def _current(self, key: str, now: float) -> float:
        available, at = self._levels.get(key, (self.size, now))
        return min(self.size, available + (now - at) * self.restore_rate)

    def take(self, key: str, cost: float) -> tuple[bool, BucketState]:
        now = time.monotonic()
        with self._lock:
            available = self._current(key, now)
            allowed = cost <= available
            if allowed:
                available -= cost
            self._levels[key] = (available, now)
            return allowed, BucketState(self.size, available, self.restore_rate)

    def refund(self, key: str, amount: float) -> BucketState:
        now = time.monotonic()
        with self._lock:
            available = min(self.size, self._current(key, now) + max(0.0, amount))
            self._levels[key] = (available, now)
            return BucketState(self.size, available, self.restore_rate)
