"""The large catalogue bench: N products through a 4-worker Odoo, end to end.

A script, not collected by pytest. Run ``make bench-large`` (N = 100,000 by
default, ``BENCH_LARGE=10000 make bench-large`` for less) or::

    python tests/bench/bench_large.py [--products 100000] [--small 10000]
        [--bulk] [--json FILE]

Each size (``--small``, N/10 by default, then N) runs in the same way, in
a fresh database and a fresh sandbox:

* the sandbox seeded with the size's products (about 1.6 variants each),
  its rate limit raised far above what Odoo can ask, in its own process;
* a production-like Odoo: 4 HTTP workers and the queue_job runner
  (``tests/reliability/harness.py``), the backend with no rate budget;
* *Import products* pressed over JSON-RPC, then every job waited for (the
  driver, its chunk jobs, the finaliser). The import takes whatever the
  backend declares: a bulk export when it supports one and ``--bulk``
  ticks *Use bulk export for full loads*, paging otherwise (``import_mode``
  says which one ran, from the sandbox's request counts);
* sampled every half second: the RSS of every Odoo process (the workers
  and the job runner; workers recycled on the way count under their pid).

Reported per size: seconds end to end, products/s, peak RSS per process,
``queue_job`` rows created and their states, database growth
(``pg_database_size`` before and after), products and variants bound in Odoo
against the platform's, the chunk jobs' mean duration in the first and last
tenth of the run (a super-linear step inside a run shows as growth), and two
costs the machine's load does not change: the Odoo processes' CPU seconds
and the rows PostgreSQL read, per product, with the tables read most by
sequential scans. Across sizes: the cost per product at N over the cost at
the small size, in time, CPU and rows read (target <= 1.2).

A server with autovacuum off (this workbench's) never refreshes the
planner's statistics: the bench then analyzes the tables as autovacuum
would (:class:`Analyzer`). Ports ``BENCH_PORT`` (8600) + 40 and up.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "reliability")]

from harness import API_KEY, OdooServer, odoo_environment, pg_connect  # noqa: E402

BASE = int(os.environ.get("BENCH_PORT", "8600")) + 40
BUSY = ("pending", "enqueued", "started", "wait_dependencies")


class RssSampler(threading.Thread):
    """The peak RSS (MB) of every descendant of ``pid``, sampled until
    stopped; ``peaks`` maps each process id to its peak, ``cpu`` to the CPU
    seconds (user and system) it had used at its last sample."""

    def __init__(self, pid, every=0.5):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.every = every
        self.peaks = {}
        self.cpu = {}
        self._done = threading.Event()

    def run(self):
        while not self._done.wait(self.every):
            self.sample()

    def sample(self):
        try:
            processes = self.root.children(recursive=True)
        except psutil.NoSuchProcess:
            return
        for process in processes:
            try:
                rss = process.memory_info().rss / 2**20
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            self.peaks[process.pid] = max(self.peaks.get(process.pid, 0), rss)
            self.cpu[process.pid] = times.user + times.system

    def stop(self):
        self._done.set()
        self.join(timeout=10)
        self.sample()


class Analyzer(threading.Thread):
    """Autovacuum's ANALYZE, done by hand when the server has autovacuum
    off (as this workbench's does): every ``every`` seconds, each table
    changed past autovacuum's default threshold (50 rows + 10%) is analyzed.
    Without it the planner keeps the statistics of the empty tables it
    was installed with and reads growing tables whole at each lookup, a
    cost no production server (autovacuum on) pays."""

    THRESHOLD = (
        "SELECT relname FROM pg_stat_user_tables "
        "WHERE n_mod_since_analyze > 50 + 0.1 * n_live_tup"
    )

    def __init__(self, odoo, every=15.0):
        super().__init__(daemon=True)
        self.conn = pg_connect(odoo.env, odoo.db)
        self.every = every
        self.runs = 0
        self._done = threading.Event()

    def run(self):
        while not self._done.wait(self.every):
            with self.conn.cursor() as cr:
                cr.execute(self.THRESHOLD)
                for (table,) in cr.fetchall():
                    cr.execute(f'ANALYZE "{table}"')
                    self.runs += 1

    def stop(self):
        self._done.set()
        self.join(timeout=120)
        self.conn.close()


def autovacuum_on(odoo):
    return odoo.sql("SHOW autovacuum")[0][0] == "on"


def start_sandbox(port, products):
    """The sandbox in its own process (seeding N products takes a while);
    its rate limit far above what Odoo asks."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port)]
        + ["--seed-records", str(products)]
        + ["--rate-limit", "100000000", "--rate-window", "1"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 1200
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/admin/health", timeout=5).ok:
                return process, url
        except requests.RequestException:
            pass
        if process.poll() is not None:
            break
        time.sleep(1)
    process.terminate()
    raise RuntimeError(f"the sandbox did not start on {url}")


def platform_counts(url):
    """``(products, variants)`` the platform lists, walked page by page."""
    session = requests.Session()
    session.trust_env = False
    products = variants = 0
    page = 1
    while True:
        answer = session.get(
            url + "/api/v1/products",
            params={"page": page, "per_page": 250},
            headers={"X-API-Key": API_KEY},
            timeout=60,
        )
        answer.raise_for_status()
        items = answer.json()["data"]["items"]
        if not items:
            return products, variants
        products += len(items)
        variants += sum(len(item.get("variants") or []) or 1 for item in items)
        page += 1


def db_rows(odoo):
    """``(rows read, rows written)`` by the database's backends so far
    (``pg_stat_database``: a count the machine's load does not change)."""
    return odoo.sql(
        "SELECT tup_returned + tup_fetched, tup_inserted + tup_updated + "
        "tup_deleted FROM pg_stat_database WHERE datname = current_database()"
    )[0]


def table_reads(odoo):
    """``{table: (sequential scans, rows they read)}`` so far."""
    return {
        name: (scans, rows)
        for name, scans, rows in odoo.sql(
            "SELECT relname, seq_scan, seq_tup_read FROM pg_stat_user_tables"
        )
    }


def seq_read_tables(before, after, products, top=6):
    """The tables whose sequential scans read the most rows in the run:
    scans and rows read per product (a growing table read whole at each
    product is a cost growing as the square of the catalogue)."""
    deltas = {
        name: (scans - before.get(name, (0, 0))[0], rows - before.get(name, (0, 0))[1])
        for name, (scans, rows) in after.items()
    }
    ranked = sorted(deltas.items(), key=lambda item: -item[1][1])[:top]
    return {
        name: {
            "seq_scans_per_product": round(scans / products, 2),
            "seq_rows_per_product": round(rows / products, 1),
        }
        for name, (scans, rows) in ranked
    }


def wait_for_jobs(odoo, timeout, poll=2.0):
    deadline = time.monotonic() + timeout
    while True:
        states = odoo.job_states()
        if not sum(states.get(s, 0) for s in BUSY):
            return states
        if time.monotonic() > deadline:
            raise TimeoutError(f"jobs still running after {timeout}s: {states}")
        time.sleep(poll)


def chunk_trend(odoo, first_job):
    """Mean seconds of the chunk jobs (``import_chunk``) in the first and the
    last tenth of the run, in the order they started."""
    rows = odoo.sql(
        "SELECT extract(epoch FROM date_done - date_started) FROM queue_job "
        "WHERE id > %s AND state = 'done' AND method_name = 'import_chunk' "
        "AND date_started IS NOT NULL ORDER BY date_started, id",
        (first_job,),
    )
    seconds = [float(r[0]) for r in rows]
    if len(seconds) < 10:
        return {"chunk_jobs": len(seconds)}
    tenth = len(seconds) // 10
    first = sum(seconds[:tenth]) / tenth
    last = sum(seconds[-tenth:]) / tenth
    return {
        "chunk_jobs": len(seconds),
        "chunk_seconds_first_tenth": round(first, 3),
        "chunk_seconds_last_tenth": round(last, 3),
        "chunk_growth": round(last / first, 2) if first else None,
    }


def run_size(env, products, port, bulk=False):
    sandbox, url = start_sandbox(port + 10, products)
    try:
        with OdooServer(
            env, port=port, workers=4, channels=4, limit_time_real=7200
        ) as odoo:
            backend = odoo.wire_backend(
                url, rate_limit_requests=0, use_bulk_export=bulk
            )
            size_before = odoo.sql("SELECT pg_database_size(current_database())")[0][0]
            first_job = odoo.sql("SELECT coalesce(max(id), 0) FROM queue_job")[0][0]
            rows_before = db_rows(odoo)
            clears_before = odoo.cache_clears()
            tables_before = table_reads(odoo)
            sampler = RssSampler(odoo.process.pid)
            sampler.sample()
            cpu_before = sum(sampler.cpu.values())
            sampler.start()
            analyzer = None if autovacuum_on(odoo) else Analyzer(odoo)
            if analyzer:
                analyzer.start()
            started = time.perf_counter()
            odoo.rpc("myconnector.backend", "action_import_products", [backend.id])
            states = wait_for_jobs(odoo, timeout=7200)
            seconds = time.perf_counter() - started
            sampler.stop()
            if analyzer:
                analyzer.stop()
            clears = odoo.cache_clears() - clears_before
            rows = [a - b for a, b in zip(db_rows(odoo), rows_before, strict=True)]
            seq_reads = seq_read_tables(tables_before, table_reads(odoo), products)
            size_after = odoo.sql("SELECT pg_database_size(current_database())")[0][0]
            jobs = odoo.sql(
                "SELECT count(*) FROM queue_job WHERE id > %s", (first_job,)
            )
            bound = odoo.sql(
                "SELECT (SELECT count(*) FROM myconnector_product_template "
                "WHERE backend_id = %s), (SELECT count(*) FROM "
                "myconnector_product_product WHERE backend_id = %s)",
                (backend.id, backend.id),
            )[0]
            trend = chunk_trend(odoo, first_job)
        stats = requests.get(url + "/admin/stats", timeout=30).json()
        remote_products, remote_variants = platform_counts(url)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=60)
    bulk_calls = sum(v for k, v in stats["requests"].items() if "bulk" in k.lower())
    peaks = sorted(sampler.peaks.values(), reverse=True)
    return dict(
        trend,
        products=products,
        import_mode="bulk" if bulk_calls else "paging",
        seconds=round(seconds, 1),
        products_per_second=round(products / seconds, 1),
        seconds_per_1000_products=round(seconds / products * 1000, 2),
        peak_rss_mb_per_process=[round(p) for p in peaks],
        peak_rss_mb=round(peaks[0]) if peaks else None,
        odoo_cpu_seconds=round(sum(sampler.cpu.values()) - cpu_before, 1),
        odoo_cpu_ms_per_product=round(
            (sum(sampler.cpu.values()) - cpu_before) / products * 1000, 1
        ),
        cache_clears=clears,
        db_rows_read_per_product=round(rows[0] / products, 1),
        db_rows_written_per_product=round(rows[1] / products, 1),
        seq_reads_by_table=seq_reads,
        analyze="autovacuum"
        if analyzer is None
        else f"by the bench (autovacuum off): {analyzer.runs} tables analyzed",
        queue_job_rows=jobs[0][0],
        job_states=states,
        db_bytes_before=size_before,
        db_bytes_after=size_after,
        db_growth_mb=round((size_after - size_before) / 2**20, 1),
        db_growth_kb_per_product=round((size_after - size_before) / 1024 / products, 2),
        odoo_products=bound[0],
        odoo_variants=bound[1],
        platform_products=remote_products,
        platform_variants=remote_variants,
        complete=(bound[0], bound[1]) == (remote_products, remote_variants),
        api_calls=sum(stats["requests"].values()),
        load_average=os.getloadavg(),
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--products", type=int, default=int(os.environ.get("BENCH_LARGE", 100000))
    )
    parser.add_argument("--small", type=int, default=0, help="N/10 when 0")
    parser.add_argument(
        "--bulk",
        action="store_true",
        help="tick the backend's *Use bulk export for full loads*",
    )
    parser.add_argument("--json", default=str(ROOT / "bench-large.json"))
    opts = parser.parse_args(argv)
    small = opts.small or max(opts.products // 10, 1)
    env = odoo_environment()
    results = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
    }
    for label, size in (("small", small), ("large", opts.products)):
        results[label] = run_size(env, size, BASE, bulk=opts.bulk)
        print(f"{label}: {json.dumps(results[label])}", flush=True)  # noqa: T201
    cost_small = results["small"]["seconds"] / small
    cost_large = results["large"]["seconds"] / opts.products
    results["cost_per_product_ratio"] = round(cost_large / cost_small, 3)
    for key in ("odoo_cpu_ms_per_product", "db_rows_read_per_product"):
        small_cost = results["small"][key]
        results[f"{key}_ratio"] = (
            round(results["large"][key] / small_cost, 3) if small_cost else None
        )
    Path(opts.json).write_text(json.dumps(results, indent=1) + "\n")
    large = results["large"]
    print(  # noqa: T201
        f"{large['products']} products ({large['odoo_variants']} variants, "
        f"{large['import_mode']}) in {large['seconds'] / 60:.1f} min; peak RSS "
        f"{large['peak_rss_mb']} MB; {large['queue_job_rows']} jobs; database "
        f"+{large['db_growth_mb']} MB; complete {large['complete']}; cost per "
        f"product at {opts.products} / at {small}: "
        f"{results['cost_per_product_ratio']} (<= 1.2) in time, "
        f"{results['odoo_cpu_ms_per_product_ratio']} in Odoo CPU, "
        f"{results['db_rows_read_per_product_ratio']} in rows read\n"
        f"figures written to {opts.json}"
    )


if __name__ == "__main__":
    main()
