"""Freshness under a burst: platform change -> visible in Odoo, B7.

A script, not collected by pytest. Run by ``make bench``, or::

    python tests/bench/bench_freshness.py [--rates 20,50,100] [--seconds 30]
        [--products 200] [--channels 4] [--json FILE]

A 4-worker Odoo with its job runner and the webhook endpoint, subscribed to
a sandbox (its own process, its API rate limit far above the load) holding
``--products`` imported products. For each rate, the sandbox changes product
prices (``POST /admin/simulate/price``, one product after the other, each
price unique) at that many changes per second for ``--seconds``; each change
sends its ``product.updated`` webhook. A poller reads the products' prices
in PostgreSQL every 20 ms: a change is visible when its price, or the price
of a later change of the same product (the newest state is what counts), is
in the database. Reported per rate: p50, p95 and max of change -> visible,
and the changes never visible once every webhook is delivered and every
job has run (lost).

The change time is taken when the sandbox has answered (the change is made,
its webhook queued); the poll adds up to 20 ms. The load average of the
machine is kept with the figures (it is shared).
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "reliability")]

from harness import API_KEY, OdooServer, odoo_environment  # noqa: E402

BASE = int(os.environ.get("BENCH_PORT", "8600")) + 40
POLL = 0.02
DRAIN = 900.0
PRICES_QUERY = (
    "SELECT b.external_id, t.list_price FROM myconnector_product_template b "
    "JOIN product_template t ON t.id = b.odoo_id"
)


@contextlib.contextmanager
def sandbox_process(port, products):
    """The sandbox in its own process (the bench's threads must not slow
    its answers), its rate limit far above the load."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port)]
        + ["--seed-records", str(products), "--rate-limit", "10000000"]
        + ["--webhook-workers", "16"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + "/admin/health", timeout=5).ok:
                    break
            time.sleep(0.5)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


class Watcher:
    """Polls the products' prices; records when each change became visible."""

    def __init__(self, odoo):
        self.odoo = odoo
        self.lock = threading.Lock()
        self.waiting = {}  # external id -> [(seq, price, sent)], in order
        self.seen = {}  # seq -> seconds from change to visible
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def expect(self, product, seq, price, sent):
        with self.lock:
            self.waiting.setdefault(str(product), []).append((seq, price, sent))

    def outstanding(self):
        with self.lock:
            return sum(len(v) for v in self.waiting.values())

    def _run(self):
        while not self.stop.is_set():
            rows = self.odoo.sql(PRICES_QUERY)
            now = time.perf_counter()
            with self.lock:
                for external_id, price in rows:
                    changes = self.waiting.get(external_id)
                    if not changes:
                        continue
                    cents = round(float(price) * 100)
                    hit = next(
                        (i for i, c in enumerate(changes) if c[1] == cents), None
                    )
                    if hit is None:
                        continue
                    for seq, _price, sent in changes[: hit + 1]:
                        self.seen[seq] = now - sent
                    del changes[: hit + 1]
            time.sleep(POLL)


class Backlog(threading.Thread):
    """The most webhooks the sandbox held undelivered (queued or in flight),
    sampled every half second: a backlog there is the intake falling
    behind, not the jobs."""

    def __init__(self, sandbox_url):
        super().__init__(daemon=True)
        self.url = sandbox_url + "/admin/stats"
        self.most = 0
        self.done = threading.Event()

    def run(self):
        session = requests.Session()
        session.trust_env = False
        while not self.done.wait(0.5):
            with contextlib.suppress(requests.RequestException):
                pending = session.get(self.url, timeout=5).json()["pending_deliveries"]
                self.most = max(self.most, pending)


def burst(sandbox_url, watcher, products, rate, seconds, first_seq):
    """``rate`` price changes per second for ``seconds``; the driver's lag
    behind its schedule, in seconds (the client must keep up)."""
    total = int(rate * seconds)
    local = threading.local()

    def change(seq):
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.trust_env = False
        product = 1 + seq % products
        cents = 100_000 + seq  # unique, and above every seeded price
        session.post(
            sandbox_url + "/admin/simulate/price",
            json={"product_id": product, "price": f"{cents / 100:.2f}"},
            timeout=30,
        ).raise_for_status()
        watcher.expect(product, seq, cents, time.perf_counter())

    started = time.perf_counter()
    late = 0.0
    with ThreadPoolExecutor(16) as pool:
        futures = []
        for i in range(total):
            due = started + i / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            else:
                late = max(late, -pause)
            futures.append(pool.submit(change, first_seq + i))
        for future in futures:
            future.result()
    return total, late


def intake_ms(sandbox_url):
    """p50 and p95 of the webhook deliveries' round trips (the intake's
    answer, as the platform waited for it), over the last 1,000 the sandbox
    logged."""
    session = requests.Session()
    session.trust_env = False
    session.headers["X-API-Key"] = API_KEY
    subscriptions = session.get(sandbox_url + "/api/v1/webhooks", timeout=10).json()
    durations = []
    for subscription in subscriptions["data"]["items"]:
        answer = session.get(
            f"{sandbox_url}/api/v1/webhooks/{subscription['id']}/deliveries",
            timeout=30,
        ).json()
        durations += [d["duration_ms"] for d in answer["data"]["items"]]
    durations.sort()
    if not durations:
        return None
    return {
        "p50": durations[len(durations) // 2],
        "p95": durations[min(len(durations) - 1, int(len(durations) * 0.95))],
    }


def cpu_seconds(odoo, sandbox_pid):
    """CPU seconds (user and system) used so far by Odoo's processes, the
    sandbox, the PostgreSQL backends serving Odoo's database and this
    driver: where a rate's work goes (the box's two cores are its limit)."""

    def tree(pid):
        try:
            root = psutil.Process(pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        return sum(_cpu(p) for p in processes)

    backends = [
        row[0]
        for row in odoo.sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (odoo.db,)
        )
    ]
    return {
        "odoo": tree(odoo.process.pid),
        "sandbox": tree(sandbox_pid),
        "driver": _cpu(psutil.Process()),
    }, {pid: _cpu_of(pid) for pid in backends}


def cpu_used(before, after):
    """CPU seconds between two :func:`cpu_seconds`, by process kind (a
    backend that ended meanwhile is not counted)."""
    used = {name: after[0][name] - before[0][name] for name in after[0]}
    used["postgres"] = sum(
        cpu - before[1].get(pid, 0.0) for pid, cpu in after[1].items()
    )
    return used


def _cpu(process):
    try:
        times = process.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system


def _cpu_of(pid):
    try:
        return _cpu(psutil.Process(pid))
    except psutil.NoSuchProcess:
        return 0.0


def settle(odoo, sandbox_url, watcher):
    """Wait until every change is visible, or nothing is left to make one
    visible (no webhook to deliver, no job to run: what is still not
    visible then is lost), or ``DRAIN`` seconds."""
    deadline = time.monotonic() + DRAIN
    while watcher.outstanding() and time.monotonic() < deadline:
        time.sleep(0.5)
        stats = requests.get(sandbox_url + "/admin/stats", timeout=10).json()
        states = odoo.job_states()
        busy = sum(states.get(s, 0) for s in ("pending", "enqueued", "started"))
        if not stats["pending_deliveries"] and not busy:
            time.sleep(1)  # the poller's last look
            return


def run(env, rates, seconds, products, channels):
    results = {"products": products, "seconds": seconds, "channels": channels}
    with (
        sandbox_process(BASE + 5, products) as (sandbox_url, sandbox_pid),
        OdooServer(env, port=BASE, workers=4, channels=channels) as odoo,
    ):
        backend = odoo.wire_backend(sandbox_url)
        odoo.rpc("myconnector.backend", "action_import_products", [backend.id])
        odoo.wait_for_jobs(timeout=1800, poll=0.5)
        odoo.rpc("myconnector.backend", "action_register_webhook", [backend.id])
        watcher = Watcher(odoo)
        watcher.thread.start()
        seq = 0
        for rate in rates:
            load_before = os.getloadavg()[0]
            cpu_before = cpu_seconds(odoo, sandbox_pid)
            clears_before = odoo.cache_clears()
            backlog = Backlog(sandbox_url)
            backlog.start()
            total, late = burst(sandbox_url, watcher, products, rate, seconds, seq)
            settle(odoo, sandbox_url, watcher)
            backlog.done.set()
            cpu = cpu_used(cpu_before, cpu_seconds(odoo, sandbox_pid))
            with watcher.lock:
                lags = sorted(
                    watcher.seen[s]
                    for s in range(seq, seq + total)
                    if s in watcher.seen
                )
            lost = total - len(lags)
            results[f"{rate:g}"] = {
                "changes": total,
                "visible": len(lags),
                "lost": lost,
                "p50_s": statistics.median(lags) if lags else None,
                "p95_s": lags[min(len(lags) - 1, int(len(lags) * 0.95))]
                if lags
                else None,
                "max_s": lags[-1] if lags else None,
                "driver_late_s": late,
                "undelivered_max": backlog.most,
                "intake_ms": intake_ms(sandbox_url),
                # Odoo's caches emptied in every worker (a worker that
                # clears its own makes the others clear theirs too).
                "cache_clears": odoo.cache_clears() - clears_before,
                "load_before": load_before,
                "load_after": os.getloadavg()[0],
                # CPU milliseconds per change, by process: the rate two
                # cores can carry is about 2,000 / their sum.
                "cpu_ms_per_change": {
                    name: round(1000 * seconds_ / total, 2)
                    for name, seconds_ in cpu.items()
                },
            }
            print(f"{rate:g}/s:", json.dumps(results[f"{rate:g}"]), flush=True)  # noqa: T201
            seq += total
            odoo.wait_for_jobs(timeout=600, poll=0.5)
        watcher.stop.set()
        watcher.thread.join()
        results["inbox"] = dict(
            odoo.sql("SELECT state, count(*) FROM generic_webhook GROUP BY state")
        )
        results["jobs"] = odoo.job_states()
        # Events that had a job (not covered) per webhook job: the batching.
        events, jobs = odoo.sql(
            "SELECT count(*), count(DISTINCT job_id) FROM generic_webhook "
            "WHERE job_id IS NOT NULL"
        )[0]
        results["events_per_job"] = events / jobs if jobs else None
        # Where the time goes: a webhook job's wait (created to started)
        # and its run (started to done), in seconds.
        timings = odoo.sql(
            "SELECT extract(epoch FROM date_started - date_created), "
            "extract(epoch FROM date_done - date_started) FROM queue_job "
            "WHERE channel LIKE '%%webhook%%' AND state = 'done' "
            "AND date_enqueued IS NOT NULL"
        )
        for name, column in (("job_wait_s", 0), ("job_run_s", 1)):
            values = sorted(
                float(row[column]) for row in timings if row[column] is not None
            )
            if values:
                results[name] = {
                    "p50": statistics.median(values),
                    "p95": values[min(len(values) - 1, int(len(values) * 0.95))],
                    "max": values[-1],
                }
        results["failed_jobs"] = [
            row[0][:300]
            for row in odoo.sql(
                "SELECT coalesce(exc_message, exc_name, result, '') FROM queue_job "
                "WHERE state = 'failed'"
            )
        ]
        stats = requests.get(sandbox_url + "/admin/stats", timeout=10).json()
        results["sandbox_statuses"] = stats["statuses"]
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="20,50,100")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--json", default=str(ROOT / "bench-freshness.json"))
    opts = parser.parse_args(argv)
    rates = [float(r) for r in opts.rates.split(",")]
    results = run(odoo_environment(), rates, opts.seconds, opts.products, opts.channels)
    results["when"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for rate in rates:
        r = results[f"{rate:g}"]
        print(  # noqa: T201
            f"B7 freshness {rate:g}/s x {opts.seconds:g} s: p50 {r['p50_s']:.2f} s, "
            f"p95 {r['p95_s']:.2f} s, max {r['max_s']:.2f} s, lost {r['lost']} "
            f"of {r['changes']} (load {r['load_before']:.1f})"
        )
    Path(opts.json).write_text(json.dumps(results, indent=1) + "\n")
    print(f"figures written to {opts.json}")  # noqa: T201


if __name__ == "__main__":
    main()
