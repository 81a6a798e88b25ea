"""Counting what the transport does, for whoever asks: the sync run log.

``HttpClient`` reports every HTTP exchange, every retry and every pause it
makes to the collectors active in the current context (a ``ContextVar``, so
threads and workers never mix their counts). A caller wraps its work::

    with count_calls() as stats:
        adapter.get(42)
    stats.calls, stats.retries, stats.waited, stats.throttled

Collectors nest: an inner block's counts also reach the outer one. Nothing is
counted, and nothing costs, when no collector is active. A rate limiter that
makes a caller wait before sending reports it with :func:`note_wait`.
"""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

_active = contextvars.ContextVar("generic_connector_call_stats", default=())


@dataclass
class CallStats:
    """What the transport did while this collector was active."""

    calls: int = 0  # HTTP exchanges sent, retries included
    retries: int = 0  # attempts repeated after a retryable failure
    waited: float = 0.0  # seconds paused on a rate limit (Retry-After, budget)
    throttled: int = 0  # answers that asked us to slow down (429, Retry-After)


@contextmanager
def count_calls():
    """Collect the transport's counts inside the block; yields ``CallStats``."""
    stats = CallStats()
    token = _active.set(_active.get() + (stats,))
    try:
        yield stats
    finally:
        _active.reset(token)


def note_call():
    for stats in _active.get():
        stats.calls += 1


def note_throttled():
    """An answer asked us to slow down (429, or a 503 with Retry-After)."""
    for stats in _active.get():
        stats.throttled += 1


def note_retry(wait, rate_limited):
    """One retry after ``wait`` seconds, counted as waited on a rate limit
    when the remote asked for the pause."""
    for stats in _active.get():
        stats.retries += 1
        if rate_limited:
            stats.waited += wait


def note_wait(seconds):
    """A pause imposed by a rate limit before a call was even sent."""
    for stats in _active.get():
        stats.waited += seconds
