"""The rate budget and the OAuth2 token shared through real PostgreSQL.

Each test works in a throwaway database (created and dropped here) and runs
its "workers" as separate processes (``tests/bench/budget_worker.py``)
against the sandbox, which counts what it really received: the sandbox's own
fixed window answers 429 the moment a window holds one call too many.
"""

import sys
import threading
import time
from pathlib import Path

import pytest

from generic_connector.transport import (
    ApiKeyAuth,
    HttpClient,
    OAuth2ClientCredentials,
    PgBucketStore,
    PgCallCounter,
    PgConnection,
    PgTokenStore,
    RateBudget,
    RateLimitedError,
    RateLimiter,
    RetryPolicy,
    new_session,
    set_rate_limiter,
)

# psycopg2 comes with Odoo's requirements: without them these cases skip.
psycopg2 = pytest.importorskip("psycopg2", reason="psycopg2 (Odoo's requirements)")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import budget_worker  # noqa: E402


@pytest.fixture(scope="module")
def db():
    try:
        with budget_worker.throwaway_db("gc_budget_test") as params:
            yield params
    except psycopg2.OperationalError as err:
        pytest.skip(f"no PostgreSQL for the shared-budget tests: {err}")


def store(db, **timeouts):
    return PgBucketStore(PgConnection(**timeouts, **db))


def test_pg_store_keeps_the_bucket_contract(db):
    one, two = store(db), store(db)  # two connections, as two workers
    assert one.take("c", 2.0, 1.0) == 0.0
    assert two.take("c", 2.0, 1.0) == 0.0
    wait = one.take("c", 2.0, 1.0)
    assert 0.9 < wait <= 1.0
    two.hold("c", 5.0)
    assert 5.9 < one.take("c", 2.0, 1.0) <= 6.0
    one.observe("c", limit=40, remaining=3)
    one.count("c", waited=2)
    two.count("c", rescheduled=1)
    stats = two.stats("c")
    assert (stats["limit"], stats["remaining"]) == (40, 3)
    assert (stats["waited"], stats["rescheduled"]) == (2, 1)


def test_pg_remaining_seen_later_gets_no_refill_from_before_it(db):
    """As ``test_remaining_seen_later_gets_no_refill_from_before_it`` on the
    PostgreSQL store: an observed level is the level now."""
    one = store(db)
    assert one.take("late", 100.0, 20.0, cost=90) == 0.0
    time.sleep(1.0)  # the remote refilled 20 meanwhile, and says so
    one.observe("late", limit=100, remaining=15, rate=20.0)
    assert 1.2 < one.take("late", 100.0, 20.0, cost=42) <= 27 / 20


def test_call_counter_counts_outside_the_callers_transaction(db):
    """Calls counted while a job's transaction is open stay counted when it
    rolls back; counters of several connections (workers) add up exactly."""
    job = psycopg2.connect(**db)
    with job.cursor() as cr:  # the job's transaction, open while it calls
        cr.execute("SELECT 1")
    counter = PgCallCounter(PgConnection(**db))
    for _ in range(3):
        counter.add("run-1")
    job.rollback()
    job.close()
    assert counter.get(["run-1", "run-2"]) == {"run-1": 3}

    def worker():
        mine = PgCallCounter(PgConnection(**db))
        for _ in range(50):
            mine.add("run-2")

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counter.add("run-2", 5)
    assert counter.get(["run-1", "run-2"]) == {"run-1": 3, "run-2": 205}
    counter.discard(["run-1"])
    assert counter.get(["run-1", "run-2"]) == {"run-2": 205}


def test_take_is_one_short_statement_beside_a_long_transaction(db):
    """A transaction that holds locks for long (a job's) never delays a take:
    the store uses its own connection and locks a bucket row only for the
    statement that takes; lock_timeout=200 ms turns any wait into an error."""
    job = psycopg2.connect(**db)
    with job.cursor() as cr:  # an open transaction that read and wrote
        cr.execute("CREATE TABLE job_rows (id int PRIMARY KEY)")
        cr.execute("INSERT INTO job_rows VALUES (1)")
        cr.execute("SELECT * FROM generic_connector_rate_bucket")
        cr.execute("SELECT * FROM job_rows FOR UPDATE")
    quick = store(db, lock_timeout_ms=200)
    start = time.monotonic()
    for _ in range(50):
        quick.take("job", 1000.0, 1000.0)
        quick.observe("job", remaining=999)
    assert time.monotonic() - start < 5  # generous: 100 statements
    job.rollback()
    job.close()


def test_two_processes_sharing_one_bucket_never_exceed_it(db, sandbox):
    sandbox.app.limiter.configure(limit=10, window=1.0)
    reports = budget_worker.run_workers(
        2, sandbox.url, db, key="two:shared", limit=10, window=1.0, seconds=4
    )
    ok = sum(r["ok"] for r in reports)
    assert sandbox.app.statuses.get(429, 0) == 0
    assert sum(r["rate_limited"] + r["errors"] for r in reports) == 0
    # They did push: 1 + 8/s for 4 s is 33 calls; the two shared them. A
    # token bucket is not fair between workers (one that starts later or is
    # scheduled less gets fewer), so each is only required to have drawn
    # from it: alone, each could have made the 33 calls.
    assert ok >= 27
    assert all(r["ok"] >= 3 for r in reports), [r["ok"] for r in reports]


def test_without_the_shared_bucket_the_same_workers_draw_429s(db, sandbox):
    """The contrast, so the test above can fail: the sandbox does say 429."""
    sandbox.app.limiter.configure(limit=10, window=1.0)
    budget_worker.run_workers(2, sandbox.url, db, no_limiter=True, seconds=2)
    assert sandbox.app.statuses.get(429, 0) > 0


def test_a_retry_after_seen_by_one_worker_holds_every_worker(db, sandbox):
    sandbox.faults.set_rules(
        [{"pattern": "GET /api/v1/products/1", "rate_limit_rate": 1, "retry_after": 3}]
    )

    def client(max_wait):
        session = new_session()
        budget = RateBudget(100, 1.0, burst=5)
        limiter = RateLimiter.for_budget(
            store(db), "hold:shared", budget, max_wait=max_wait
        )
        set_rate_limiter(session, limiter)
        retry = RetryPolicy(max_attempts=1, retry_after_cap=max_wait)
        auth = ApiKeyAuth("demo-api-key")
        return HttpClient(sandbox.url, auth=auth, session=session, retry=retry)

    with pytest.raises(RateLimitedError):
        client(1.0).get_json("/api/v1/products/1")
    hit_at = time.monotonic()
    # Another worker (its own connection) with a short patience reschedules...
    with pytest.raises(RateLimitedError) as caught:
        client(1.0).get_json("/api/v1/products/2")
    assert 2.0 < caught.value.retry_after <= 3.1
    # ...and one that may wait does, without sending anything meanwhile.
    served = dict(sandbox.app.requests)
    other = threading.Thread(target=lambda: client(10.0).get_json("/api/v1/products/3"))
    other.start()
    time.sleep(1.5)
    assert dict(sandbox.app.requests) == served
    other.join(10)
    assert time.monotonic() - hit_at >= 2.9
    assert sandbox.app.requests["GET /api/v1/products/3"] == 1


def test_oauth2_token_shared_by_four_workers_across_expiries(db, sandbox):
    """500 products, 4 processes, tokens living 5 s: a handful of tokens."""
    sandbox.store.reseed(500)
    sandbox.app.auth.token_ttl = 5
    sandbox.faults.set_rules([{"pattern": "GET /api/v1/products/*", "latency_ms": 40}])
    sandbox.app.limiter.configure(limit=100_000, window=1.0)
    reports = budget_worker.run_workers(
        4, sandbox.url, db, oauth=True, no_limiter=True, ids="1-500"
    )
    elapsed = max(r["ended_at"] for r in reports) - min(
        r["started_at"] for r in reports
    )
    assert sum(r["ok"] for r in reports) == 500
    assert sum(r["errors"] for r in reports) == 0
    issued = sandbox.app.auth.issued
    # Tokens are refreshed half-way through their 5 s (the margin), once for
    # all workers: about elapsed / 2.5 + 1, never one per worker per expiry.
    assert elapsed > 5
    assert issued <= elapsed / 2.5 + 2
    assert sum(r["token_fetches"] for r in reports) == issued


def test_oauth2_refresh_is_single_flight_across_connections(db, sandbox):
    """Eight workers (own connection, own auth object) want a token at once:
    one fetches it under the advisory lock, the others read it."""

    def worker_token(results):
        auth = OAuth2ClientCredentials(
            sandbox.url + "/oauth/token",
            "demo-client",
            "demo-secret",
            token_store=PgTokenStore(PgConnection(**db)),
        )
        results.append(auth.token())

    results = []
    threads = [threading.Thread(target=worker_token, args=(results,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 8
    assert len(set(results)) == 1
    assert sandbox.app.auth.issued == 1
    store = PgTokenStore(PgConnection(**db))
    key = OAuth2ClientCredentials(
        sandbox.url + "/oauth/token", "demo-client", "demo-secret"
    ).store_key
    store.discard(key, "some-older-token")  # already replaced: kept
    assert store.get(key)[0] == results[0]
    store.discard(key, results[0])
    assert store.get(key)[0] is None
