"""Benchmark: a walk of records that take 3 calls each, with the declared
concurrency against one call at a time, under the same shared rate budget.

A script, not collected by pytest. Run ``make bench`` or:

    python tests/bench/bench_walk.py [--records 1000] [--latency-ms 50]
        [--workers 4] [--limit 360] [--window 6] [--json FILE]

The sandbox (in this process, on 127.0.0.1) serves its Django REST framework
dialect with ``latency-ms`` added to every call and allows ``limit`` calls
per ``window`` seconds to the token. The walk reads the stub pages
(``drf_pagination``), then completes each chunk of 100 stubs as a chunk job
does (``RecordShape``: detail, price and stock, 3 calls a record), once with
``workers`` calls in flight and once with one. Both runs draw from the same
kind of budget, kept in PostgreSQL as in Odoo (a throwaway database), set just
under the sandbox's limit. Reported: each run's time, the ratio concurrent /
sequential, the most calls the server saw at once and the 429s it answered.
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import budget_worker  # noqa: E402
import conftest  # noqa: E402,F401 - registers the bare generic_connector package

from generic_connector.transport import (  # noqa: E402
    ApiKeyAuth,
    HttpClient,
    PgBucketStore,
    PgConnection,
    RateBudget,
    RateLimiter,
    RecordShape,
    drf_pagination,
    iterate_items,
    new_session,
    set_rate_limiter,
)
from sandbox import SandboxServer  # noqa: E402

SHAPE = {
    "detail": "products/{id}/",
    "sub_resources": {
        "prices": "products/{id}/price/",
        "stock": "products/{id}/stockrecords/",
    },
}
CHUNK = 100


def walk(opts, db, workers):
    """One walk on a fresh sandbox; its figures."""
    server = SandboxServer(
        seed_records=opts.records,
        rate_limit=opts.limit,
        rate_window=opts.window,
        faults=[f"GET /drf/api/*:latency_ms={opts.latency_ms}"],
    ).start()
    try:
        session = new_session()
        budget = RateBudget(opts.limit, opts.window, burst=opts.workers)
        store = PgBucketStore(PgConnection(**db))
        limiter = RateLimiter.for_budget(store, f"walk:{workers}", budget)
        set_rate_limiter(session, limiter)
        auth = ApiKeyAuth("demo-drf-token", header="Authorization", prefix="Token")
        client = HttpClient(server.url + "/drf/api", auth=auth, session=session)
        shape = RecordShape(**SHAPE, workers=workers)
        start = time.monotonic()
        stubs = list(
            iterate_items(
                client, "products/", style=drf_pagination(CHUNK), items_path="results"
            )
        )
        records = []
        for index in range(0, len(stubs), CHUNK):
            records += shape.complete(client, stubs[index : index + CHUNK])[0]
        seconds = time.monotonic() - start
        statuses = dict(server.app.statuses)
        return {
            "workers": workers,
            "records": len(records),
            "calls": sum(statuses.values()),
            "seconds": round(seconds, 2),
            "calls_per_second": round(sum(statuses.values()) / seconds, 1),
            "max_in_flight": server.app.max_in_flight,
            "429": statuses.get(429, 0),
        }
    finally:
        server.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--limit", type=int, default=360, help="calls per window")
    parser.add_argument("--window", type=float, default=6.0)
    parser.add_argument("--json", default=str(ROOT / "bench-walk.json"))
    opts = parser.parse_args(argv)
    print(
        f"{opts.records} records x 3 calls, {opts.latency_ms:g} ms per call, "
        f"budget {opts.limit} calls per {opts.window:g}s"
    )
    with budget_worker.throwaway_db("gc_walk_bench") as db:
        concurrent = walk(opts, db, opts.workers)
        sequential = walk(opts, db, 1)
    ratio = concurrent["seconds"] / sequential["seconds"]
    results = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "latency_ms": opts.latency_ms,
        "budget": f"{opts.limit}/{opts.window:g}s",
        "concurrent": concurrent,
        "sequential": sequential,
        "ratio": round(ratio, 3),
    }
    for name in ("concurrent", "sequential"):
        r = results[name]
        print(
            f"{name:11} {r['workers']} in flight: {r['records']} records, "
            f"{r['calls']} calls in {r['seconds']}s ({r['calls_per_second']}/s), "
            f"at most {r['max_in_flight']} at once, {r['429']} x 429"
        )
    print(f"ratio concurrent / sequential: {ratio:.3f} (target <= 0.5)")
    Path(opts.json).write_text(json.dumps(results, indent=1) + "\n")
    print(f"figures written to {opts.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
