"""Declared API shapes against the sandbox's Django REST framework dialect:
its pagination, the Token prefix, trailing slashes, stubs completed from
their detail and sub-resources with bounded concurrency under one budget."""

import time

import pytest

from generic_connector.transport import (
    ApiKeyAuth,
    AuthError,
    HttpClient,
    NotFoundError,
    RateBudget,
    RateLimiter,
    RecordShape,
    RetryPolicy,
    TransportError,
    drf_pagination,
    iterate_items,
    new_session,
    paginate,
    set_rate_limiter,
)
from generic_connector.transport.metrics import count_calls
from generic_connector.transport.ratelimit import MemoryBucketStore

TOKEN = "demo-drf-token"
SHAPE = {
    "detail": "products/{id}/",
    "sub_resources": {
        "prices": "products/{id}/price/",
        "stock": "products/{id}/stockrecords/",
    },
}


def drf_client(sandbox, session=None, prefix="Token"):
    auth = ApiKeyAuth(TOKEN, header="Authorization", prefix=prefix)
    return HttpClient(
        sandbox.url + "/drf/api",
        auth=auth,
        session=session or new_session(),
        retry=RetryPolicy(max_attempts=1),
    )


def drf_pages(sandbox, page_size):
    """Every page of the dialect's products, asking ``page_size`` a page."""
    style = drf_pagination(page_size)
    client = drf_client(sandbox)
    return list(paginate(client, "products/", style=style, items_path="results"))


def test_the_key_goes_out_after_its_declared_prefix(platform):
    sandbox = platform()
    assert drf_client(sandbox).get_json("products/")["count"] == 20
    with pytest.raises(AuthError):
        drf_client(sandbox, prefix="").get_json("products/")
    assert ApiKeyAuth("k", header="Authorization", prefix="Bearer ").value == "Bearer k"
    assert ApiKeyAuth("k").value == "k"


def test_drf_walk_follows_next_past_pages_the_server_capped(platform):
    sandbox = platform(seed_records=230)
    pages = drf_pages(sandbox, 500)
    assert [len(p.items) for p in pages] == [100, 100, 30]  # 500 asked, 100 served
    assert [s["id"] for p in pages for s in p.items] == list(range(1, 231))
    assert (pages[-1].fetched, pages[-1].total) == (230, 230)
    # Trailing slashes kept: no page, detail or sub-resource was redirected.
    drf_client(sandbox).get_json("products/7/price/")
    assert 301 not in sandbox.app.statuses


def test_a_walk_short_of_the_announced_count_says_so(platform):
    sandbox = platform(seed_records=30, total_extra=5)
    pages = drf_pages(sandbox, 10)
    assert (pages[-1].fetched, pages[-1].total) == (30, 35)


def test_stubs_are_completed_by_detail_and_sub_resources(platform):
    sandbox = platform(seed_records=20)
    client = drf_client(sandbox)
    stubs = list(
        iterate_items(client, "products/", style=drf_pagination(), items_path="results")
    )
    sandbox.store.delete_product(5)
    records, missing = RecordShape(**SHAPE, workers=4).complete(client, stubs)
    assert missing == [5]
    assert [r["id"] for r in records] == [i for i in range(1, 21) if i != 5]
    parent = next(r for r in records if r["structure"] == "parent")
    stored = sandbox.store.get_product(parent["id"])
    assert [c["upc"] for c in parent["children"]] == [
        v["sku"] for v in stored["variants"]
    ]
    assert [p["excl_tax"] for p in parent["prices"]] == [
        v["price"] for v in stored["variants"]
    ]
    assert sum(s["num_in_stock"] for s in parent["stock"]) == sum(
        v["stock"] for v in stored["variants"]
    )
    whole = RecordShape(**SHAPE).fetch(client, parent["id"])
    assert whole == parent
    with pytest.raises(NotFoundError):
        RecordShape(**SHAPE).fetch(client, 5)


def test_never_more_than_the_declared_workers_in_flight(platform):
    sandbox = platform(seed_records=24, faults=["GET /drf/api/*:latency_ms=40"])
    client = drf_client(sandbox)
    stubs = [{"id": i} for i in range(1, 25)]  # 72 calls
    sandbox.app.max_in_flight = 0
    start = time.monotonic()
    with count_calls() as stats:
        records, _missing = RecordShape(**SHAPE, workers=3).complete(client, stubs)
    concurrent = time.monotonic() - start
    assert len(records) == 24
    assert sandbox.app.max_in_flight == 3
    assert stats.calls == 72  # counted from the pool's threads too
    assert concurrent < 72 * 0.040 / 2  # sequential would take >= 2.9 s
    sandbox.app.max_in_flight = 0
    RecordShape(**SHAPE, workers=1).complete(client, stubs[:3])
    assert sandbox.app.max_in_flight == 1


def test_workers_are_capped_at_the_session_pool():
    client = HttpClient("http://127.0.0.1:9", session=new_session(pool_maxsize=2))
    assert RecordShape(**SHAPE, workers=8)._workers(client) == 2


def test_the_pool_draws_on_the_shared_rate_budget_and_draws_no_429(platform):
    sandbox = platform(seed_records=15, rate_limit=20, rate_window=1.0)
    session = new_session()
    budget = RateBudget(20, 1.0, burst=4)
    set_rate_limiter(
        session, RateLimiter.for_budget(MemoryBucketStore(), "drf", budget)
    )
    client = drf_client(sandbox, session=session)
    start = time.monotonic()
    records, _missing = RecordShape(**SHAPE, workers=4).complete(
        client, [{"id": i} for i in range(1, 16)]
    )
    assert len(records) == 15
    assert sandbox.app.statuses.get(429, 0) == 0
    assert time.monotonic() - start > 1.5  # 45 calls at < 20/s: the budget held them


def test_an_error_other_than_404_fails_the_chunk(platform):
    sandbox = platform(seed_records=6)
    sandbox.faults.set_rules(
        [{"pattern": "GET /drf/api/products/4/price/", "error_rate": 1}]
    )
    with pytest.raises(TransportError) as caught:
        RecordShape(**SHAPE, workers=4).complete(
            drf_client(sandbox), [{"id": i} for i in range(1, 7)]
        )
    assert getattr(caught.value, "status", None) in (500, 502, 503)
