"""Benchmarks of the Odoo paths, B1-B5: ratios measured in one run.

A script, not collected by pytest. Run ``make bench`` or::

    python tests/bench/bench_odoo.py [--products 2000] [--requests 800]
        [--memory-records 100000] [--reconcile-products 10000]
        [--only B1,B3] [--json FILE]

* B1 import: N products (with their variants) through the real import jobs,
  in process (``odoo-bin shell``, jobs run by ``run_jobs``), against one
  ORM ``create()`` of the same values: products/s and SQL queries/product.
* B2 incremental: the next run after 1% of the products changed remotely:
  time and queries against the first run.
* B3 webhook intake: a 4-worker Odoo with the job runner, distinct signed
  events (about 200 products, four each) at concurrency 16, interleaved with
  ``GET /web/health`` in the same run, in 16 short rounds in ABBA order (the
  jobs' load grows during the run): rate, p50, p99, errors; then inbox rows
  against 2xx answers. The rates of each round are kept in the JSON.
* B4 memory: peak RSS growth of iterating 100,000 remote products through
  the adapter (a sandbox with 100,000 products, in its own process).
* B5 end to end: a ``make run``-like Odoo (2 workers, its job runner): N
  products from *Import products* to the last job, against B1's time.
* B6 reconcile: a reconcile of 10,000 imported, unchanged products (in
  process): calls, seconds, queries. The list carries whole records with
  ``updated_at``: one call per page, no read of a product by its id.

``--only profile`` runs the webhook intake in process (Odoo's WSGI
application) under pyinstrument and prints the profile and the SQL queries
per request against ``GET /web/health``.

Everything runs on 127.0.0.1, in throwaway databases copied from the suite's
template (``tests/reliability/harness.py``), at ports ``BENCH_PORT`` (8600)
and up. Prints a table and writes the figures as JSON (``--json``).
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "reliability")]

from harness import (  # noqa: E402 - the folders are put on the path just above
    OdooServer,
    Platform,
    odoo_environment,
)

from sandbox import SandboxServer  # noqa: E402

BASE = int(os.environ.get("BENCH_PORT", "8600"))
CONCURRENCY = 16


@contextlib.contextmanager
def installed_db(env, name):
    """A throwaway database with the suite installed, dropped at the end."""
    server = OdooServer(env, port=BASE)
    server.db = name
    try:
        server.install(timeout=900)
        yield server
    finally:
        server.stop()


def odoo_shell(server, part, **variables):
    """Run ``odoo_import.py``'s ``part`` in ``odoo-bin shell``; its figures."""
    done = subprocess.run(
        server._command(
            "shell",
            "-d",
            server.db,
            "--no-http",
            "--log-level=warn",
            f"--db-filter=^{server.db}$",
            *server._db_args(proxied=False),
        ),
        input=(HERE / "odoo_import.py").read_text(),
        env=dict(
            server._process_env(),
            BENCH_PART=part,
            **{k: str(v) for k, v in variables.items()},
        ),
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.split(" ", 1)[1])
    raise RuntimeError(f"odoo shell ({part}) failed:\n{done.stderr[-3000:]}")


# -- B1, B2 -----------------------------------------------------------------


def bench_import(env, products):
    with (
        SandboxServer(port=BASE + 10, seed_records=products) as sandbox,
        installed_db(env, f"myconnector_bench_{os.getpid()}") as server,
    ):
        r = odoo_shell(
            server, "import", SANDBOX_URL=sandbox.url, BENCH_PRODUCTS=products
        )
    rate = r["imported"] / r["seconds"]
    bare_rate = r["bare_products"] / r["bare_seconds"]
    qpp = r["queries"] / r["imported"]
    bare_qpp = r["bare_queries"] / r["bare_products"]
    b1 = dict(
        r,
        rate=rate,
        bare_rate=bare_rate,
        queries_per_product=qpp,
        bare_queries_per_product=bare_qpp,
        rate_ratio=rate / bare_rate,
        queries_ratio=qpp / bare_qpp,
    )
    b2 = {
        "changed": r["changed"],
        "jobs": r["incremental_jobs"],
        "seconds": r["incremental_seconds"],
        "queries": r["incremental_queries"],
        "time_ratio": r["incremental_seconds"] / r["seconds"],
        "queries_ratio": r["incremental_queries"] / r["queries"],
    }
    return b1, b2


# -- B3 ---------------------------------------------------------------------


def _fire(requests_list, concurrency=CONCURRENCY):
    """POST/GET every ``(method, url, body, headers)``; ``(statuses,
    latencies, seconds)``."""
    local = threading.local()

    def one(item):
        method, url, body, headers = item
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.trust_env = False
        started = time.perf_counter()
        try:
            status = session.request(
                method, url, data=body, headers=headers, timeout=60
            ).status_code
        except requests.RequestException:
            status = None
        return status, time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, requests_list))
    return (
        [s for s, _ in results],
        [t for _, t in results],
        time.perf_counter() - started,
    )


def _summary(statuses, latencies, seconds):
    ordered = sorted(latencies)
    ok = sum(1 for s in statuses if s and 200 <= s < 300)
    return {
        "requests": len(statuses),
        "ok": ok,
        "errors": len(statuses) - ok,
        "rate": len(statuses) / seconds,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


def bench_webhooks(env, total, rounds=16):
    with (
        SandboxServer(port=BASE + 11, seed_records=200) as sandbox,
        OdooServer(env, port=BASE, workers=4) as odoo,
    ):
        backend = odoo.wire_backend(sandbox.url)
        platform = Platform(odoo, backend)
        health = ("GET", odoo.url + "/web/health", None, {})
        _fire([health] * 64)  # warm every worker up
        warm = [
            ("POST", platform.url, body, platform.headers(f"warm_{i}", body))
            for i in range(32)
            for body in [Platform.event(1 + i % 200)]
        ]
        _fire(warm)
        results = {"webhook": ([], [], 0.0), "health": ([], [], 0.0)}
        per_round = max(total // rounds, 1)
        by_round = []
        for index in range(rounds):
            deliveries = []
            for i in range(index * per_round, (index + 1) * per_round):
                body = Platform.event(1 + i % 200)
                delivery = f"msg_{uuid.uuid4().hex}"
                headers = platform.headers(delivery, body)
                deliveries.append(("POST", platform.url, body, headers))
            batches = [("health", [health] * per_round), ("webhook", deliveries)]
            # Short rounds in ABBA order: the load of the jobs the deliveries
            # enqueue grows during the run, and both kinds must meet the same
            # share of it (four long rounds, health first in each, measured
            # health before the jobs started and the deliveries after).
            if index % 2:
                batches.reverse()
            figures = {}
            for kind, batch in batches:
                statuses, latencies, seconds = _fire(batch)
                done = results[kind]
                results[kind] = (
                    done[0] + statuses,
                    done[1] + latencies,
                    done[2] + seconds,
                )
                figures[kind] = round(len(batch) / seconds, 1)
            by_round.append(figures)
        webhook, health_ = (_summary(*results[k]) for k in ("webhook", "health"))
        covered = odoo.sql(
            "SELECT count(*) FROM generic_webhook WHERE delivery_id LIKE 'msg_%%' "
            "AND state = 'covered'"
        )[0][0]
        rows = odoo.sql(
            "SELECT count(*) FROM generic_webhook WHERE delivery_id LIKE 'msg_%%'"
        )[0][0]
    return {
        "webhook": webhook,
        "health": health_,
        "inbox_rows": rows,
        "rate_ratio": webhook["rate"] / health_["rate"],
        "p99_ratio": webhook["p99_ms"] / health_["p99_ms"],
        "lost": webhook["ok"] - rows,
        "covered": covered,
        "rates_by_round": by_round,
    }


# -- B4 ---------------------------------------------------------------------


def bench_memory(env, records):
    port = BASE + 13
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port)]
        + ["--seed-records", str(records)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + "/admin/health", timeout=5).ok:
                    break
            time.sleep(1)
        with installed_db(env, f"myconnector_bench_mem_{os.getpid()}") as server:
            r = odoo_shell(server, "memory", SANDBOX_URL=url)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
    return dict(r, growth_mb=r["rss_peak_mb"] - r["rss_before_mb"])


# -- B5 ---------------------------------------------------------------------


def bench_end_to_end(env, products, in_process_seconds):
    with (
        SandboxServer(port=BASE + 12, seed_records=products) as sandbox,
        OdooServer(env, port=BASE + 20, workers=2, channels=2) as odoo,
    ):
        backend = odoo.wire_backend(sandbox.url)
        started = time.perf_counter()
        odoo.rpc("myconnector.backend", "action_import_products", [backend.id])
        states = odoo.wait_for_jobs(timeout=3600, poll=0.2)
        seconds = time.perf_counter() - started
        bound = odoo.sql("SELECT count(*) FROM myconnector_product_template")[0][0]
    return {
        "products": bound,
        "seconds": seconds,
        "jobs": states,
        "in_process_seconds": in_process_seconds,
        "overhead_ratio": seconds / in_process_seconds if in_process_seconds else None,
    }


# -- B6 ---------------------------------------------------------------------


def bench_reconcile(env, products):
    with (
        SandboxServer(port=BASE + 13, seed_records=products) as sandbox,
        installed_db(env, f"myconnector_bench_rec_{os.getpid()}") as server,
    ):
        r = odoo_shell(server, "reconcile", SANDBOX_URL=sandbox.url)
    per_record = sum(
        count for path, count in r["calls_by_path"].items() if path.count("/") > 3
    )
    return dict(r, per_record_reads=per_record)


# -- report -----------------------------------------------------------------


def table(results):
    rows = []
    b1, b2 = results.get("B1"), results.get("B2")
    if b1:
        rows.append(
            (
                "B1 import",
                f"{b1['imported']} products ({b1['variants']} variants): "
                f"{b1['rate']:.1f}/s, {b1['queries_per_product']:.1f} q/product; "
                f"create(): {b1['bare_rate']:.1f}/s, "
                f"{b1['bare_queries_per_product']:.1f} q/product",
                f"rate {b1['rate_ratio']:.2f} (>= 0.6), "
                f"queries {b1['queries_ratio']:.1f}x (<= 1.5x)",
            )
        )
    if b2:
        rows.append(
            (
                "B2 incremental",
                f"{b2['changed']} changed: {b2['seconds']:.1f} s, "
                f"{b2['queries']} queries",
                f"time {b2['time_ratio']:.3f}, queries {b2['queries_ratio']:.3f} "
                "of the first run (<= 0.02)",
            )
        )
    b3 = results.get("B3")
    if b3:
        w, h = b3["webhook"], b3["health"]
        rows.append(
            (
                "B3 webhooks",
                f"{w['rate']:.0f}/s p50 {w['p50_ms']:.0f} p99 {w['p99_ms']:.0f} ms "
                f"errors {w['errors']}; /web/health {h['rate']:.0f}/s p50 "
                f"{h['p50_ms']:.0f} p99 {h['p99_ms']:.0f} ms; inbox "
                f"{b3['inbox_rows']} = 2xx {w['ok']} ({b3['covered']} covered)",
                f"rate {b3['rate_ratio']:.2f} (>= 0.8), p99 "
                f"{b3['p99_ratio']:.2f}x (<= 1.2x)",
            )
        )
    b4 = results.get("B4")
    if b4:
        rows.append(
            (
                "B4 memory",
                f"{b4['records']} records in {b4['seconds']:.0f} s, peak RSS "
                f"{b4['rss_before_mb']:.0f} -> {b4['rss_peak_mb']:.0f} MB",
                f"growth {b4['growth_mb']:.1f} MB (<= 50)",
            )
        )
    b5 = results.get("B5")
    if b5:
        rows.append(
            (
                "B5 end to end",
                f"{b5['products']} products with the runner in "
                f"{b5['seconds']:.1f} s; in process {b5['in_process_seconds']:.1f} s",
                f"overhead {b5['overhead_ratio']:.2f}x (<= 1.3x)",
            )
        )
    b6 = results.get("B6")
    if b6:
        rows.append(
            (
                "B6 reconcile",
                f"{b6['products']} unchanged products: {b6['calls']} calls "
                f"(pages of {b6['page_size']}), {b6['seconds']:.1f} s, "
                f"{b6['queries']} queries, drift {b6['drift']}",
                f"per-record reads {b6['per_record_reads']} (= 0)",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(3)] if rows else []
    lines = []
    for row in rows:
        lines.append(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--memory-records", type=int, default=100000)
    parser.add_argument("--reconcile-products", type=int, default=10000)
    parser.add_argument("--only", default="B1,B2,B3,B4,B5,B6")
    parser.add_argument("--json", default=str(ROOT / "bench-odoo.json"))
    opts = parser.parse_args(argv)
    wanted = set(opts.only.upper().split(","))
    env = odoo_environment()
    results = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if wanted & {"B1", "B2", "B5"}:
        results["B1"], results["B2"] = bench_import(env, opts.products)
    if "B3" in wanted:
        results["B3"] = bench_webhooks(env, opts.requests)
    if "B4" in wanted:
        results["B4"] = bench_memory(env, opts.memory_records)
    if "B5" in wanted:
        results["B5"] = bench_end_to_end(env, opts.products, results["B1"]["seconds"])
    if "B6" in wanted:
        results["B6"] = bench_reconcile(env, opts.reconcile_products)
    if "PROFILE" in wanted:
        with installed_db(env, f"myconnector_bench_prof_{os.getpid()}") as server:
            results["profile"] = odoo_shell(
                server, "profile", SANDBOX_URL="http://127.0.0.1:9"
            )
        profile = results["profile"]
        print(profile.pop("profile"))  # noqa: T201
        print(json.dumps(profile))  # noqa: T201
    print(table(results))  # noqa: T201
    Path(opts.json).write_text(json.dumps(results, indent=1) + "\n")
    print(f"figures written to {opts.json}")  # noqa: T201


if __name__ == "__main__":
    main()
