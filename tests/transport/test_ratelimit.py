"""The token bucket's arithmetic and the limiter's decisions, in memory.

A fake clock drives ``MemoryBucketStore``; the PostgreSQL store is held to
the same contract in ``test_shared_budget.py``.
"""

import pytest
import requests

from generic_connector.transport import (
    ApiKeyAuth,
    HttpClient,
    MemoryBucketStore,
    RateBudget,
    RateLimitedError,
    RateLimiter,
    RetryPolicy,
    new_session,
    set_rate_limiter,
)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


def limiter(clock, limit=10, window=1.0, burst=1, max_wait=30.0):
    store = MemoryBucketStore(clock=clock)
    budget = RateBudget(limit, window, burst)
    return RateLimiter.for_budget(
        store, "k", budget, max_wait=max_wait, sleep=clock.sleep
    )


def test_budget_never_grants_more_than_limit_in_any_window():
    budget = RateBudget(limit=10, window=2.0, burst=3)
    assert budget.capacity == 3
    # One call of margin: 3 at once, then 6 more in any 2 s.
    assert budget.capacity + budget.rate * 2.0 == pytest.approx(9)
    assert RateBudget(1, 1.0).capacity == 1
    assert RateBudget(5, 1.0, burst=50).capacity == 4


def test_calls_are_spaced_at_the_refill_rate(clock):
    rl = limiter(clock, limit=10, window=1.0, burst=1)
    start = clock.now
    for _ in range(19):
        rl.acquire()
    # One token at once, then one every 1/8 s: 18 more take 2.25 s.
    assert clock.now - start == pytest.approx(2.25)


def test_any_window_stays_within_the_limit(clock):
    rl = limiter(clock, limit=10, window=1.0, burst=3)
    times = []
    for _ in range(60):
        rl.acquire()
        times.append(clock.now)
    for first in times:
        assert sum(first <= t < first + 1.0 for t in times) <= 9


def test_wait_longer_than_max_wait_raises_with_retry_after(clock):
    rl = limiter(clock, limit=2, window=10.0, burst=1, max_wait=3.0)
    rl.acquire()
    with pytest.raises(RateLimitedError) as caught:
        rl.acquire()
    assert caught.value.retry_after == pytest.approx(10.0)
    assert rl.store.stats("k")["rescheduled"] == 1


def test_hold_empties_the_bucket_for_everyone(clock):
    store = MemoryBucketStore(clock=clock)
    budget = RateBudget(100, 1.0, burst=10)
    one = RateLimiter.for_budget(store, "k", budget, sleep=clock.sleep)
    two = RateLimiter.for_budget(store, "k", budget, sleep=clock.sleep)
    one.acquire()
    store.hold("k", 5.0)
    start = clock.now
    assert two.acquire() == pytest.approx(5.0 + 1 / budget.rate)
    assert clock.now - start == pytest.approx(5.0 + 1 / budget.rate)
    assert store.stats("k")["waited"] == 1


def test_remaining_caps_the_bucket(clock):
    store = MemoryBucketStore(clock=clock)
    assert store.take("k", 5.0, 1.0) == 0.0  # four tokens left
    store.observe("k", limit=50, remaining=0)
    assert store.take("k", 5.0, 1.0) == pytest.approx(1.0)
    assert store.stats("k")["remaining"] == 0
    assert store.stats("k")["limit"] == 50


def test_remaining_seen_later_gets_no_refill_from_before_it(clock):
    """The remote's ``remaining`` is its level when it answered: the refill
    of the time before that answer is in it already. Credited again, a
    worker would plan a call the remote then refuses (seen as a THROTTLED
    under load, when a query takes seconds)."""
    store = MemoryBucketStore(clock=clock)
    assert store.take("k", 100.0, 20.0, cost=90) == 0.0  # 10 left at t=0
    clock.sleep(3.0)  # a slow query: the remote refills 60, spends ~55
    store.observe("k", limit=100, remaining=15, rate=20.0)
    # 15 now, 42 needed: 27 points at 20/s.
    assert store.take("k", 100.0, 20.0, cost=42) == pytest.approx(27 / 20)


def test_graphql_cost_budget_follows_throttle_status(clock):
    rl = limiter(clock)
    costs = rl.cost_limiter(maximum=1000, restore_rate=50)
    assert costs.acquire(cost=400) == 0
    costs.learn_throttle_status(
        {"maximumAvailable": 1000, "currentlyAvailable": 100, "restoreRate": 50},
        requested=300,
    )
    # 200 points short at 50/s: held 4 s, then 300 points take 6 s more.
    assert costs.acquire(cost=300) == pytest.approx(4.0 + 6.0)
    assert rl.store.stats("k:cost")["remaining"] == 100


def test_adapter_limits_every_request_of_the_session(sandbox, clock):
    """The sandbox allows 3 calls a window; the session asks before each send.

    The budget configured here is looser (a burst of 3, then one more a
    minute): the remote's ``X-RateLimit-Remaining: 0`` holds it back."""
    sandbox.app.limiter.configure(limit=3, window=60)
    session = new_session()
    rl = limiter(clock, limit=4, window=60, burst=3, max_wait=1.0)
    set_rate_limiter(session, rl)
    client = HttpClient(
        sandbox.url,
        auth=ApiKeyAuth("demo-api-key"),
        session=session,
        retry=RetryPolicy(max_attempts=1),
    )
    for product in (1, 2, 3):
        client.get_json(f"/api/v1/products/{product}")
    with pytest.raises(RateLimitedError):
        client.get_json("/api/v1/products/4")
    # A plain requests call on the same session is limited just the same.
    with pytest.raises(RateLimitedError):
        session.get(sandbox.url + "/api/v1/products/4", timeout=5)
    assert sandbox.app.statuses.get(429, 0) == 0
    assert rl.store.stats("k")["remaining"] == 0
    session.close()


def test_adapter_learns_retry_after_from_a_429(sandbox, clock):
    sandbox.faults.set_rules(
        [{"pattern": "GET /api/v1/products/1", "rate_limit_rate": 1, "retry_after": 7}]
    )
    session = new_session()
    rl = limiter(clock, limit=100, window=1.0, max_wait=1.0)
    set_rate_limiter(session, rl)
    response = session.get(sandbox.url + "/api/v1/products/1", timeout=5)
    assert response.status_code == 429
    with pytest.raises(RateLimitedError) as caught:
        session.get(sandbox.url + "/api/v1/products/2", timeout=5)
    assert caught.value.retry_after == pytest.approx(7.0, abs=0.1)
    assert isinstance(caught.value, Exception)
    assert not isinstance(caught.value, requests.RequestException)
    session.close()
