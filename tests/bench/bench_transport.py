"""Benchmark: what the transport's design buys, as ratios measured in one run.

A script, not collected by pytest. Run ``make bench`` or:

    python tests/bench/bench_transport.py [--calls 300] [--records 5000]

Against a sandbox started in this process on 127.0.0.1:

* pooling: calls per second through one backend's pooled session, against a
  fresh session (new TCP connection) per call, as a connector without pooling
  would do;
* lazy pagination: peak memory (tracemalloc) of walking every product through
  ``iterate_items`` while counting them, against collecting every page first.

Each measurement is bounded in count and time. Figures vary with the machine;
the ratios are the point.
"""

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
import conftest  # noqa: E402,F401 - registers the bare generic_connector package

from generic_connector.transport import (  # noqa: E402
    ApiKeyAuth,
    HttpClient,
    OffsetPagination,
    RetryPolicy,
    get_session,
    iterate_items,
    new_session,
)
from sandbox import SandboxServer  # noqa: E402

AUTH = ApiKeyAuth("demo-api-key")


def calls_per_second(url, calls, pooled):
    start = time.perf_counter()
    for _i in range(calls):
        session = get_session(("bench", url)) if pooled else new_session()
        client = HttpClient(url, auth=AUTH, session=session, retry=RetryPolicy(1))
        client.request_json("GET", "/api/v1/products/1")
        if not pooled:
            session.close()
    return calls / (time.perf_counter() - start)


def peak_memory(url, lazy):
    client = HttpClient(url, auth=AUTH, session=get_session(("bench", url)))
    style = OffsetPagination(page_size=250)
    tracemalloc.start()
    items = iterate_items(
        client, "/api/v1/products", style=style, items_path="data.items"
    )
    count = sum(1 for _item in items) if lazy else len(list(items))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return count, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300, help="calls per pooling run")
    parser.add_argument("--records", type=int, default=5000, help="seeded products")
    args = parser.parse_args()
    with SandboxServer(seed_records=args.records, rate_limit=10**9) as server:
        calls_per_second(server.url, 20, True)  # warm-up
        pooled = calls_per_second(server.url, args.calls, True)
        fresh = calls_per_second(server.url, args.calls, False)
        print(
            f"pooling: {pooled:.0f} calls/s pooled vs {fresh:.0f} calls/s with a "
            f"new connection per call: x{pooled / fresh:.2f}"
        )
        count, lazy = peak_memory(server.url, lazy=True)
        _count, eager = peak_memory(server.url, lazy=False)
        print(
            f"lazy pagination over {count} products: peak {lazy / 2**20:.1f} MiB "
            f"lazy vs {eager / 2**20:.1f} MiB eager: x{eager / lazy:.1f} less memory"
        )


if __name__ == "__main__":
    main()
