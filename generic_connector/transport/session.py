"""A process-wide registry of pooled ``requests.Session`` objects.

Opening a TCP + TLS connection costs one to three round trips; an import of
10,000 records over a fresh connection each time spends more time shaking
hands than transferring data. A ``requests.Session`` keeps a urllib3
connection pool, so the registry hands out *one session per backend* and
every client built for that backend reuses its warm connections.

The registry is **per process**, on purpose: sockets cannot be shared across
processes, and Odoo's prefork workers each have their own memory anyway. Each
worker therefore lazily builds its own pool on first use; in threaded mode
(``odoo-bin`` without workers) the threads of the one process share it, which
is why the registry and urllib3's pools are thread-safe. ``pool_maxsize``
bounds the concurrent connections one process opens to a backend.

The key is opaque and built by the caller; a backend uses ``(dbname, model,
backend id, pool size)`` (``generic.backend._session_key``). A session holds
no URL and no credentials (the client built around it sends those with each
request, and urllib3 pools per host), so a changed base URL or key reuses the
same session, and only a changed pool size needs a new one
(``close_session`` frees a session that is no longer wanted).

Retries are disabled at the adapter level (``max_retries=0``): the client
retries with its own policy, which knows which methods are idempotent and
honours ``Retry-After``; two layers of retry would multiply attempts.

The adapter is a ``ratelimit.RateLimitAdapter``: ``set_rate_limiter`` gives
a session its backend's shared rate budget, which every request sent on the
session then draws from, whatever protocol built it (REST and GraphQL through
``HttpClient``, SOAP through zeep on the same session).
"""

import threading
from collections.abc import Hashable

import requests

from .ratelimit import RateLimitAdapter

_lock = threading.Lock()
_sessions: dict[Hashable, requests.Session] = {}


def get_session(
    key: Hashable, pool_maxsize: int = 10, pool_connections: int = 4
) -> requests.Session:
    """The pooled session for ``key``, created on first call.

    Pool sizes only apply when the session is created; later calls with the
    same key get the existing session unchanged.
    """
    with _lock:
        session = _sessions.get(key)
        if session is None:
            session = _sessions[key] = new_session(pool_maxsize, pool_connections)
        return session


def new_session(pool_maxsize: int = 10, pool_connections: int = 4) -> requests.Session:
    """A session with our adapter mounted for http and https, not registered."""
    session = requests.Session()
    adapter = RateLimitAdapter(
        pool_connections=pool_connections,  # distinct hosts kept
        pool_maxsize=pool_maxsize,  # connections kept per host
        max_retries=0,
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def set_rate_limiter(session: requests.Session, limiter) -> None:
    """Make every request of ``session`` draw from ``limiter`` (or none).

    The limiter of a backend is rebuilt from its current settings each time
    a client is built, and replaces the previous one here.
    """
    for adapter in session.adapters.values():
        if isinstance(adapter, RateLimitAdapter):
            adapter.limiter = limiter


def close_session(key: Hashable) -> None:
    """Close and forget the session for ``key`` (e.g. after a config change)."""
    with _lock:
        session = _sessions.pop(key, None)
    if session is not None:
        session.close()


def close_sessions() -> None:
    """Close every registered session (tests, process shutdown)."""
    with _lock:
        sessions = list(_sessions.values())
        _sessions.clear()
    for session in sessions:
        session.close()
