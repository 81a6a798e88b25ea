"""Benchmark: 4 worker processes against a rate-limited account, with and
without the rate budget shared through PostgreSQL.

A script, not collected by pytest. Run ``make bench`` or:

    python tests/bench/bench_ratelimit.py [--workers 4] [--limit 120]
        [--window 6] [--burst 4] [--seconds 30]

The sandbox (in this process, on 127.0.0.1) allows ``limit`` requests per
``window`` seconds to the API key; each worker (``budget_worker.py``, its own
process, as an Odoo worker) reads products one by one for ``seconds``. Both
runs report the achieved rate of successful calls over the allowed rate R,
and the 429s the sandbox answered (its own count). The shared run keeps its
bucket in a throwaway database, dropped at the end. Without the shared
budget each worker only learns the limit by hitting it, then sleeps the
``Retry-After`` like any well-behaved client.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import budget_worker  # noqa: E402

from sandbox import SandboxServer  # noqa: E402


def run(opts, db, shared):
    server = SandboxServer(
        seed_records=100, rate_limit=opts.limit, rate_window=opts.window
    ).start()
    try:
        reports = budget_worker.run_workers(
            opts.workers,
            server.url,
            db,
            key=f"bench:{shared}",
            limit=opts.limit,
            window=opts.window,
            burst=opts.burst,
            seconds=opts.seconds,
            records=100,
            no_limiter=not shared,
        )
        statuses = dict(server.app.statuses)
    finally:
        server.stop()
    elapsed = max(r["ended_at"] for r in reports) - min(
        r["started_at"] for r in reports
    )
    ok = sum(r["ok"] for r in reports)
    allowed_rate = opts.limit / opts.window
    return {
        "ok": ok,
        "rate": ok / elapsed,
        "ratio": ok / elapsed / allowed_rate,
        "429": statuses.get(429, 0),
        "sent": sum(statuses.values()),
        "elapsed": elapsed,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--limit", type=int, default=120, help="R per window")
    parser.add_argument("--window", type=float, default=6.0)
    parser.add_argument(
        "--burst",
        type=int,
        default=4,
        help="bucket size: absorbs workers waking late from their wait on a "
        "loaded machine; the ceiling is (R - burst - 1) / R",
    )
    parser.add_argument("--seconds", type=float, default=30.0)
    opts = parser.parse_args(argv)
    allowed = opts.limit / opts.window
    print(
        f"{opts.workers} processes, sandbox limit R = {opts.limit} per "
        f"{opts.window:g}s ({allowed:g}/s), burst {opts.burst}, "
        f"{opts.seconds:g}s each run"
    )
    with budget_worker.throwaway_db("gc_budget_bench") as db:
        results = {
            "shared budget": run(opts, db, True),
            "no shared budget": run(opts, db, False),
        }
    print(f"{'':18}{'calls ok':>9}{'rate/s':>9}{'rate/R':>8}{'429s':>7}{'sent':>7}")
    for name, r in results.items():
        print(
            f"{name:18}{r['ok']:>9}{r['rate']:>9.2f}{r['ratio']:>8.3f}"
            f"{r['429']:>7}{r['sent']:>7}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
