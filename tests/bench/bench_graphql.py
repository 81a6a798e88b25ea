"""Benchmark: a GraphQL walk of the whole catalogue under the default cost limits.

A script, not collected by pytest. Run ``make bench`` or:

    python tests/bench/bench_graphql.py [--records 1000] [--plan/--no-plan]

Against a sandbox started in this process on 127.0.0.1 with its default
GraphQL bucket (1,000 points, 50 restored per second), it walks every product
with two variants per product in the first query and the rest fetched by the
batched follow-up queries, as ``myconnector``'s GraphQL adapter does. It
checks that every product and every variant arrived, then reports the
figures: queries, ``THROTTLED`` answers met, waits planned from
``throttleStatus``, seconds waited and elapsed. ``--no-plan`` walks without
cost planning, for the comparison: without it, ``THROTTLED`` is the norm.

The elapsed time is bounded below by the bucket's refill rate (the actual cost
of the walk divided by 50 points a second), not by the client.
"""

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
import conftest  # noqa: E402,F401 - registers the bare generic_connector package

from generic_connector.transport import (  # noqa: E402
    ApiKeyAuth,
    GraphQLClient,
    HttpClient,
    NestedConnection,
    RetryPolicy,
    complete_connections,
    flatten_connections,
    relay_pages,
)
from generic_connector.transport import graphql as graphql_module  # noqa: E402
from sandbox import SandboxServer  # noqa: E402

VARIANT_FIELDS = "id title sku price stock"
QUERY = (
    "query($first: Int, $after: String) { products(first: $first, after: $after) {"
    " edges { node { id title sku price updatedAt"
    f" variants(first: 2) {{ edges {{ node {{ {VARIANT_FIELDS} }} }}"
    " pageInfo { hasNextPage endCursor } } } }"
    " pageInfo { hasNextPage endCursor } } }"
)
NESTED = NestedConnection("product", "variants", VARIANT_FIELDS, 20, 20)


def walk(url, plan=True):
    graphql_module.reset_state()
    http = HttpClient(
        url,
        auth=ApiKeyAuth("demo-api-key"),
        retry=RetryPolicy(max_attempts=50, retry_after_cap=60),
    )
    gql = GraphQLClient(http, cost_key=("bench", url, plan))
    if not plan:
        gql._plan = lambda cost, cap: None
    start = time.perf_counter()
    records = []
    for page in relay_pages(gql, QUERY, connection_path="products", page_size=100):
        records.extend(
            flatten_connections(complete_connections(gql, page.items, NESTED))
        )
    return records, gql.stats, time.perf_counter() - start


def check(server, records):
    expected = {p["id"]: p for p in server.store.products.records.values()}
    assert sorted(int(r["id"]) for r in records) == sorted(expected)
    variants = 0
    for record in records:
        want = [v["sku"] for v in expected[int(record["id"])]["variants"]]
        assert [v["sku"] for v in record["variants"]] == want, record["id"]
        variants += len(want)
    return variants


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--no-plan", action="store_true")
    args = parser.parse_args()
    server = SandboxServer(seed_records=args.records).start()
    try:
        for plan in [False] if args.no_plan else [True]:
            records, stats, elapsed = walk(server.url, plan)
            variants = check(server, records)
            more = sum(
                len(p["variants"]) > 2 for p in server.store.products.records.values()
            )
            print(
                f"GraphQL walk ({'cost planned' if plan else 'no planning'}): "
                f"{len(records)} products, {variants} variants ({more} products "
                f"past the first nested page), {stats['queries']} queries, "
                f"THROTTLED {stats['throttled']}, planned waits "
                f"{stats['planned_waits']} ({stats['waited']:.1f}s), "
                f"{elapsed:.1f}s elapsed"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
