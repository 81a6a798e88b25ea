"""PostgreSQL stores for the shared rate budget, the shared OAuth2 token and
the sync runs' call counts.

Every Odoo worker, cron and job runner of every host reaches the same
database, so that is where the budget and the token live. Two rules keep
them from ever slowing a job down:

* they use a connection of their own, in autocommit, never the job's cursor:
  a job's transaction can last minutes, and a row it touched stays locked
  until it ends. A bucket row is only locked for the one statement that
  refills and takes tokens in the same ``UPDATE``;
* every statement runs under a short ``lock_timeout`` and
  ``statement_timeout``: a stuck database surfaces as an error, not a hang.

The connection is opened lazily, one per store and process, and reopened
after a fork (Odoo's prefork workers) or a lost connection. Times come from
the database's clock, which every host shares.

``SCHEMA`` creates the tables; the Odoo addon runs it at install, the pure
tests and benchmarks call :meth:`PgConnection.ensure_schema`. Nothing here
imports Odoo: the addon hands over the connection parameters of its
database. ``psycopg2`` is imported when a store first connects, not at
import: the transport imports (and its pure tests run) where Odoo's
requirements, psycopg2 among them, are not installed.
"""

import contextlib
import os
import threading
import zlib

__all__ = ["SCHEMA", "PgBucketStore", "PgCallCounter", "PgConnection", "PgTokenStore"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS generic_connector_rate_bucket (
    key varchar PRIMARY KEY,
    tokens double precision NOT NULL,
    updated_at timestamptz NOT NULL,
    granted boolean,
    last_limit integer,
    last_remaining integer,
    last_seen_at timestamptz
);
CREATE TABLE IF NOT EXISTS generic_connector_rate_stat (
    key varchar NOT NULL,
    minute timestamptz NOT NULL,
    waited integer NOT NULL DEFAULT 0,
    rescheduled integer NOT NULL DEFAULT 0,
    PRIMARY KEY (key, minute)
);
CREATE TABLE IF NOT EXISTS generic_connector_call_count (
    key varchar PRIMARY KEY,
    calls bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS generic_connector_oauth_token (
    key varchar PRIMARY KEY,
    token varchar,
    expires_at double precision NOT NULL DEFAULT 0
);
"""

# The bucket's level now: its tokens plus what refilled since updated_at (an
# updated_at in the future is a hold: nothing refills before it).
_LEVEL = (
    "LEAST(%(capacity)s, tokens + %(rate)s "
    "* GREATEST(0, EXTRACT(EPOCH FROM now() - updated_at)))"
)
# One statement, so the row is locked only while it runs. In autocommit now()
# is the statement's start, the same in every expression.
_TAKE = f"""
UPDATE generic_connector_rate_bucket SET
    granted = {_LEVEL} >= %(cost)s - 1e-6,
    tokens = GREATEST(0, {_LEVEL}
        - CASE WHEN {_LEVEL} >= %(cost)s - 1e-6 THEN %(cost)s ELSE 0 END),
    updated_at = GREATEST(updated_at, now())
WHERE key = %(key)s
RETURNING granted, tokens, EXTRACT(EPOCH FROM updated_at - now())::float
"""

# The remote's ``remaining`` is its level now (see MemoryBucketStore.observe):
# with the bucket's rate, the bucket is brought to now before it is capped.
_OBSERVE = """
UPDATE generic_connector_rate_bucket SET
    last_limit = %(limit)s, last_remaining = %(remaining)s, last_seen_at = now(),
    tokens = CASE WHEN %(remaining)s IS NULL THEN tokens ELSE LEAST(
        tokens + COALESCE(%(rate)s, 0)
            * GREATEST(0, EXTRACT(EPOCH FROM now() - updated_at)),
        %(remaining)s) END,
    updated_at = CASE WHEN %(remaining)s IS NULL OR %(rate)s IS NULL
        THEN updated_at ELSE GREATEST(updated_at, now()) END
WHERE key = %(key)s
"""


def _psycopg2():
    import psycopg2  # noqa: PLC0415 - only where a store is used (see above)

    return psycopg2


class PgConnection:
    """A lazily opened autocommit connection, safe across threads and forks.

    ``params`` are ``psycopg2.connect`` keyword arguments (``dbname``,
    ``host``...), or ``dsn``.
    """

    def __init__(self, lock_timeout_ms=2000, statement_timeout_ms=5000, **params):
        self.params = params
        self.timeouts = (int(lock_timeout_ms), int(statement_timeout_ms))
        self._lock = threading.RLock()
        self._cnx = None
        self._pid = None

    @contextlib.contextmanager
    def cursor(self):
        """A cursor of the connection, held by this thread while in use."""
        psycopg2 = _psycopg2()
        with self._lock:
            cnx = self._connection()
            try:
                with cnx.cursor() as cr:
                    yield cr
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                self.close()  # reopened by the next call
                raise

    @contextlib.contextmanager
    def transaction(self):
        """A cursor in an explicit transaction, committed at the end."""
        with self.cursor() as cr:
            cr.execute("BEGIN")
            try:
                yield cr
            except BaseException:
                cr.execute("ROLLBACK")
                raise
            cr.execute("COMMIT")

    def ensure_schema(self) -> None:
        with self.cursor() as cr:
            cr.execute(SCHEMA)

    def close(self) -> None:
        with self._lock:
            if self._cnx is not None and self._pid == os.getpid():
                with contextlib.suppress(_psycopg2().Error):
                    self._cnx.close()
            self._cnx = None

    def _connection(self):
        if self._cnx is not None and (self._pid != os.getpid() or self._cnx.closed):
            # After a fork the socket belongs to the parent: never touch it.
            self._cnx = None
        if self._cnx is None:
            cnx = _psycopg2().connect(**self.params)
            cnx.autocommit = True
            with cnx.cursor() as cr:
                cr.execute(
                    "SET lock_timeout = %s; SET statement_timeout = %s", self.timeouts
                )
            self._cnx, self._pid = cnx, os.getpid()
        return self._cnx


class PgBucketStore:
    """The bucket store of ``ratelimit.MemoryBucketStore``, in PostgreSQL."""

    def __init__(self, connection: PgConnection):
        self.connection = connection
        self._known = set()

    def take(self, key, capacity, rate, cost=1.0) -> float:
        params = {"key": key, "capacity": capacity, "rate": rate, "cost": cost}
        self._ensure(key, capacity)
        with self.connection.cursor() as cr:
            cr.execute(_TAKE, params)
            row = cr.fetchone()
        if row is None:  # the row was deleted meanwhile: start again
            self._known.discard(key)
            return self.take(key, capacity, rate, cost)
        granted, tokens, held_for = row
        if granted:
            return 0.0
        return max(0.0, held_for) + (cost - tokens) / rate

    def hold(self, key, seconds) -> None:
        self._ensure(key, 0.0)
        with self.connection.cursor() as cr:
            cr.execute(
                "UPDATE generic_connector_rate_bucket SET tokens = 0, updated_at = "
                "GREATEST(updated_at, now() + make_interval(secs => %s)) "
                "WHERE key = %s",
                (float(seconds), key),
            )

    def observe(self, key, limit=None, remaining=None, rate=None) -> None:
        self._ensure(key, 0.0)
        params = {"key": key, "limit": limit, "remaining": remaining, "rate": rate}
        with self.connection.cursor() as cr:
            cr.execute(_OBSERVE, params)

    def count(self, key, waited=0, rescheduled=0) -> None:
        with self.connection.cursor() as cr:
            cr.execute(
                "INSERT INTO generic_connector_rate_stat AS s "
                "(key, minute, waited, rescheduled) "
                "VALUES (%s, date_trunc('minute', now()), %s, %s) "
                "ON CONFLICT (key, minute) DO UPDATE SET "
                "waited = s.waited + EXCLUDED.waited, "
                "rescheduled = s.rescheduled + EXCLUDED.rescheduled",
                (key, waited, rescheduled),
            )

    def stats(self, key, since_seconds=3600.0) -> dict:
        with self.connection.cursor() as cr:
            cr.execute(
                "DELETE FROM generic_connector_rate_stat "
                "WHERE minute < now() - interval '1 day'"
            )
            cr.execute(
                "SELECT COALESCE(SUM(waited), 0), COALESCE(SUM(rescheduled), 0) "
                "FROM generic_connector_rate_stat WHERE key = %s "
                "AND minute >= now() - make_interval(secs => %s)",
                (key, float(since_seconds)),
            )
            waited, rescheduled = cr.fetchone()
            cr.execute(
                "SELECT last_limit, last_remaining, "
                "EXTRACT(EPOCH FROM last_seen_at)::float "
                "FROM generic_connector_rate_bucket WHERE key = %s",
                (key,),
            )
            limit, remaining, seen_at = cr.fetchone() or (None, None, None)
        return {
            "limit": limit,
            "remaining": remaining,
            "seen_at": seen_at,
            "waited": int(waited),
            "rescheduled": int(rescheduled),
        }

    def _ensure(self, key, capacity) -> None:
        if key in self._known:
            return
        with self.connection.cursor() as cr:
            cr.execute(
                "INSERT INTO generic_connector_rate_bucket (key, tokens, updated_at) "
                "VALUES (%s, %s, now()) ON CONFLICT (key) DO NOTHING",
                (key, float(capacity)),
            )
        self._known.add(key)


class PgCallCounter:
    """HTTP calls counted per key (a sync run), outside any job's transaction.

    A job that made calls and then rolled back (a retry, a deadlock) loses
    whatever it wrote in its transaction, but the remote did serve those
    calls: each is added here as the remote has it, in autocommit, so the count is
    what the remote saw. One short ``UPDATE`` per call; concurrent jobs of a
    run wait on the row for that statement only.
    """

    def __init__(self, connection: PgConnection):
        self.connection = connection

    def add(self, key, calls=1) -> None:
        with self.connection.cursor() as cr:
            cr.execute(
                "INSERT INTO generic_connector_call_count AS c (key, calls) "
                "VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET "
                "calls = c.calls + EXCLUDED.calls, updated_at = now()",
                (key, int(calls)),
            )

    def get(self, keys) -> dict:
        """``{key: calls}`` of the ``keys`` that have a count."""
        keys = list(keys)
        if not keys:
            return {}
        with self.connection.cursor() as cr:
            cr.execute(
                "SELECT key, calls FROM generic_connector_call_count "
                "WHERE key = ANY(%s)",
                (keys,),
            )
            return {key: int(calls) for key, calls in cr.fetchall()}

    def discard(self, keys) -> None:
        """Forget the counts of ``keys`` (their runs were removed)."""
        keys = list(keys)
        if keys:
            with self.connection.cursor() as cr:
                cr.execute(
                    "DELETE FROM generic_connector_call_count WHERE key = ANY(%s)",
                    (keys,),
                )


class PgTokenStore:
    """The OAuth2 token store of ``auth.OAuth2ClientCredentials``, shared.

    ``locked(key)`` makes the refresh single-flight across processes and
    hosts: a transaction-level advisory lock on the key, held while the one
    worker that got it fetches the token; the others wait on the lock (at
    most ``lock_timeout``), then find the fresh token in the table. The lock
    goes away with the transaction, even if the worker dies.

    The table holds a live credential: it is no Odoo model, so no ORM
    access, export or log ever shows it.
    """

    def __init__(self, connection: PgConnection):
        self.connection = connection

    def get(self, key):
        with self.connection.cursor() as cr:
            cr.execute(
                "SELECT token, expires_at FROM generic_connector_oauth_token "
                "WHERE key = %s",
                (key,),
            )
            return cr.fetchone()

    def set(self, key, token, expires_at) -> None:
        with self.connection.cursor() as cr:
            cr.execute(
                "INSERT INTO generic_connector_oauth_token (key, token, expires_at) "
                "VALUES (%s, %s, %s) ON CONFLICT (key) DO UPDATE SET "
                "token = EXCLUDED.token, expires_at = EXCLUDED.expires_at",
                (key, token, float(expires_at)),
            )

    def discard(self, key, token) -> None:
        """Forget ``token`` unless another worker already replaced it."""
        with self.connection.cursor() as cr:
            cr.execute(
                "UPDATE generic_connector_oauth_token SET token = NULL, "
                "expires_at = 0 WHERE key = %s AND token = %s",
                (key, token),
            )

    @contextlib.contextmanager
    def locked(self, key):
        with self.connection.transaction() as cr:
            # Others wait while one fetches (its HTTP timeouts bound that);
            # a wait longer than any fetch means trouble: lock_timeout.
            cr.execute("SET LOCAL lock_timeout = '60s'")
            cr.execute("SET LOCAL statement_timeout = '65s'")
            cr.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_id(key),))
            yield


def _lock_id(key: str) -> int:
    # Advisory locks take a bigint; a stable hash of the key, namespaced.
    return (0x6763 << 32) | zlib.crc32(key.encode())
