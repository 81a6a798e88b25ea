"""GraphQL transport: errors, throttle, cost shrinking, Relay and nested paging.

Against the sandbox platform (real graphql-core, real cost bucket) and, for
answers the platform does not give on demand, scripted loopback servers.
"""

import time

import pytest

from generic_connector.transport import (
    ApiKeyAuth,
    FatalError,
    GraphQLClient,
    GraphQLError,
    HttpClient,
    MemoryBucketStore,
    NestedConnection,
    PartialDataError,
    QueryCostError,
    RateLimiter,
    RetryPolicy,
    ThrottledError,
    complete_connections,
    flatten_connections,
    relay_pages,
)
from generic_connector.transport import graphql as graphql_module

from .servers import reply

PRODUCTS = """
query($first: Int, $after: String) {
  products(first: $first, after: $after) {
    edges { node { id title sku price updatedAt
      variants(first: 1) { edges { node { id title sku price } }
                           pageInfo { hasNextPage endCursor } } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
VARIANTS = NestedConnection("product", "variants", "id title sku price", page_size=1)


@pytest.fixture(autouse=True)
def _fresh_state():
    graphql_module.reset_state()
    yield
    graphql_module.reset_state()


def gql_for(url, sleeps=None, cap=30.0, key="demo-api-key", cost_key=None):
    http = HttpClient(
        url,
        auth=ApiKeyAuth(key),
        retry=RetryPolicy(max_attempts=4, backoff_base=0.01, retry_after_cap=cap),
        sleep=sleeps or (lambda s: None),
    )
    return GraphQLClient(http, cost_key=cost_key or url)


def test_relay_walk_with_nested_variants_matches_store(platform):
    sandbox = platform(seed_records=30)
    gql = gql_for(sandbox.url)
    pages = relay_pages(gql, PRODUCTS, connection_path="products", page_size=7)
    assert gql.stats["queries"] == 0  # lazy
    nodes = []
    for page in pages:
        complete_connections(gql, page.items, VARIANTS)
        nodes.extend(page.items)
    records = flatten_connections(nodes)
    assert [int(r["id"]) for r in records] == list(range(1, 31))
    multi = 0
    for record in records:
        stored = sandbox.store.get_product(int(record["id"]))
        assert [v["sku"] for v in record["variants"]] == [
            v["sku"] for v in stored["variants"]
        ]
        assert record["updated_at"] == stored["updated_at"]
        multi += len(stored["variants"]) > 1
    assert multi  # some products had variants past the first nested page


def test_repeated_end_cursor_is_a_loop(server):
    page = {
        "data": {
            "items": {
                "edges": [{"node": {"id": "1"}}],
                "pageInfo": {"hasNextPage": True, "endCursor": "c1"},
            }
        }
    }
    server.route("/graphql", reply(json=page))
    pages = relay_pages(gql_for(server.url), "{ x }", connection_path="items")
    next(pages)
    next(pages)
    with pytest.raises(FatalError, match="pagination loop"):
        next(pages)


def test_errors_carry_messages_codes_and_partial_data(server):
    server.route(
        "/graphql",
        reply(
            json={
                "errors": [{"message": "no description", "path": ["a"]}],
                "data": {"a": None, "b": 1},
            }
        ),
        reply(
            json={
                "errors": [
                    {"message": "bad field", "extensions": {"code": "BAD_INPUT"}}
                ]
            }
        ),
    )
    gql = gql_for(server.url)
    with pytest.raises(PartialDataError) as partial:
        gql.execute("{ a b }")
    assert partial.value.data == {"a": None, "b": 1}
    assert partial.value.messages == ["no description"]
    with pytest.raises(GraphQLError) as refused:
        gql.execute("{ a b }")
    assert refused.value.codes == ["BAD_INPUT"]
    assert not refused.value.retryable
    assert "bad field" in str(refused.value)


def throttled(available, requested=100.0, rate=50.0):
    return reply(
        json={
            "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
            "extensions": {
                "cost": {
                    "requestedQueryCost": requested,
                    "throttleStatus": {
                        "maximumAvailable": 1000.0,
                        "currentlyAvailable": available,
                        "restoreRate": rate,
                    },
                }
            },
        }
    )


def test_throttled_waits_what_the_bucket_needs_then_succeeds(server, sleeps):
    server.route("/graphql", throttled(20.0), reply(json={"data": {"ok": True}}))
    gql = gql_for(server.url, sleeps)
    assert gql.execute("{ ok }") == {"ok": True}
    assert sleeps.waits == [pytest.approx((100 - 20) / 50)]
    assert gql.stats["throttled"] == 1


def test_throttled_beyond_the_cap_is_a_rate_limit_for_the_job(server, sleeps):
    server.route("/graphql", throttled(0.0, requested=900, rate=1.0))
    gql = gql_for(server.url, sleeps, cap=5)
    with pytest.raises(ThrottledError) as err:
        gql.execute("{ ok }")
    assert err.value.retryable
    assert err.value.retry_after == pytest.approx(900)
    assert err.value.codes == ["THROTTLED"]
    assert sleeps.waits == []


def test_next_query_cost_is_planned_from_throttle_status(platform, sleeps):
    sandbox = platform(
        seed_records=40, graphql_bucket_size=100, graphql_restore_rate=400
    )

    def sleep(seconds):  # really wait: the bucket refills in real time
        sleeps(seconds)
        time.sleep(seconds)

    gql = gql_for(sandbox.url, sleep)
    query = PRODUCTS.replace("variants(first: 1)", "variants(first: 0)")
    items = [
        n for p in relay_pages(gql, query, connection_path="products") for n in p.items
    ]
    assert len(items) == 40
    # Pages shrank to fit a 100-point bucket; each page's cost was waited for
    # before sending it instead of being refused.
    assert gql.stats["planned_waits"] >= 1
    assert len(sleeps.waits) == gql.stats["planned_waits"]
    assert gql.stats["throttled"] == 0


def test_max_cost_exceeded_shrinks_then_settles_for_the_backend(platform):
    sandbox = platform(
        seed_records=30, graphql_bucket_size=60, graphql_restore_rate=1e6
    )
    gql = gql_for(sandbox.url, cost_key="backend-1")
    pages = list(relay_pages(gql, PRODUCTS, connection_path="products", page_size=50))
    assert sum(len(p.items) for p in pages) == 30
    sizes = {len(p.items) for p in pages[:-1]}
    assert len(sizes) == 1 and sizes.pop() < 50
    queries = gql.stats["queries"]
    # A later walk of the same backend starts at the settled size: no refusal.
    again = gql_for(sandbox.url, cost_key="backend-1")
    list(relay_pages(again, PRODUCTS, connection_path="products", page_size=50))
    assert again.stats["queries"] == len(pages)
    assert queries > len(pages)


def test_max_cost_exceeded_at_one_record_fails_clearly(platform):
    sandbox = platform(seed_records=5, graphql_bucket_size=3)
    gql = gql_for(sandbox.url)
    with pytest.raises(QueryCostError, match="even one record per page"):
        list(relay_pages(gql, PRODUCTS, connection_path="products", page_size=4))


def test_partial_page_pins_errors_on_their_records(platform):
    sandbox = platform(seed_records=6)
    sandbox.faults.add_rule("/graphql", field_error_ids=[2])
    gql = gql_for(sandbox.url)
    query = PRODUCTS.replace("sku price updatedAt", "sku price updatedAt description")
    (page,) = relay_pages(gql, query, connection_path="products", page_size=10)
    errors = {node["id"]: node.get("graphql_errors") for node in page.items}
    assert errors.pop("2") == ["Could not load the description of product 2"]
    assert set(errors.values()) == {None}
    with pytest.raises(PartialDataError, match="product 2"):
        gql.execute('{ product(id: "2") { id description } }')


def _two_workers(sandbox, shared):
    """Two clients as two worker processes would hold them (their own
    throttle status each), optionally drawing from one shared cost bucket."""
    store = MemoryBucketStore()

    def limiter(maximum, restore_rate):
        return RateLimiter(store, "backend:cost", maximum, restore_rate, max_wait=30)

    def sleep(seconds):  # really wait: the remote bucket refills in real time
        time.sleep(seconds)

    clients = []
    for name in ("worker-a", "worker-b"):
        gql = gql_for(sandbox.url, sleep, cost_key=name)
        gql.cost_limiter = limiter if shared else None
        clients.append(gql)
    return clients


@pytest.mark.parametrize("shared", [True, False])
def test_cost_budget_shared_by_workers(platform, shared):
    """Worker B's own view of the bucket is stale (full) after worker A
    spent it: planned alone, B's query is THROTTLED; planned from the shared
    bucket, B waits for the points A spent and is never refused."""
    sandbox = platform(
        seed_records=40, graphql_bucket_size=100, graphql_restore_rate=20
    )
    worker_a, worker_b = _two_workers(sandbox, shared)
    worker_b.execute("{ products(first: 1) { edges { node { id } } } }")
    big = "{ products(first: 40) { edges { node { id } } } }"  # ~42 points
    while True:  # A spends the remote bucket down, well below one big query
        worker_a.execute(big, expected_cost=worker_a.last_cost and 42)
        if worker_a.last_cost["throttleStatus"]["currentlyAvailable"] < 20:
            break
    cost = worker_a.last_cost["requestedQueryCost"]
    assert cost > 30
    # B's own status still says the bucket is nearly full.
    assert worker_b.throttle.available > 90
    worker_b.run(big, expected_cost=cost)
    if shared:
        assert worker_b.stats["throttled"] == 0
        assert worker_b.stats["planned_waits"] == 1
    else:
        assert worker_b.stats["throttled"] >= 1
        assert worker_b.stats["planned_waits"] == 0
