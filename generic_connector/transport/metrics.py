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

A collector may also be given an ``on_call`` hook, called as each call is
sent: the sync run's count kept outside the job's transaction (see
``pgstore.PgCallCounter``), which a rollback of the job cannot undo. Equal
hooks of nested collectors (the same run's) are called once per call.
"""

import contextvars
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

_active = contextvars.ContextVar("generic_connector_call_stats", default=())
# Threads of one fan-out (``shapes.fan_out``) count into the same collectors:
# ``+=`` on an attribute is not atomic.
_lock = threading.Lock()


@dataclass
class CallStats:
    """What the transport did while this collector was active."""

    calls: int = 0  # HTTP exchanges the remote had, retries included
    retries: int = 0  # attempts repeated after a retryable failure
    waited: float = 0.0  # seconds paused on a rate limit (Retry-After, budget)
    throttled: int = 0  # answers that asked us to slow down (429, Retry-After)
    on_call: Callable[[], None] | None = field(default=None, repr=False)


@contextmanager
def count_calls(on_call=None):
    """Collect the transport's counts inside the block; yields ``CallStats``.

    ``on_call`` (hashable, no argument) is called for each call the remote had (see
    ``errors.reached_remote``: an attempt that never connected is no call).
    """
    stats = CallStats(on_call=on_call)
    token = _active.set(_active.get() + (stats,))
    try:
        yield stats
    finally:
        _active.reset(token)


def note_call():
    active = _active.get()
    with _lock:
        for stats in active:
            stats.calls += 1
    for hook in dict.fromkeys(s.on_call for s in active if s.on_call is not None):
        hook()


def note_throttled():
    """An answer asked us to slow down (429, or a 503 with Retry-After)."""
    with _lock:
        for stats in _active.get():
            stats.throttled += 1


def note_retry(wait, rate_limited):
    """One retry after ``wait`` seconds, counted as waited on a rate limit
    when the remote asked for the pause."""
    with _lock:
        for stats in _active.get():
            stats.retries += 1
            if rate_limited:
                stats.waited += wait


def note_wait(seconds):
    """A pause imposed by a rate limit before a call was even sent."""
    with _lock:
        for stats in _active.get():
            stats.waited += seconds
