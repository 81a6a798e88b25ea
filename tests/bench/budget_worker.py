"""One "worker" of the shared-budget tests and benchmark, as a process.

Run by ``tests/transport/test_shared_budget.py`` and ``bench_ratelimit.py``,
several at once, each in its own process, as Odoo's workers would be::

    python tests/bench/budget_worker.py --url URL --db DBNAME --seconds 30

It reads products one by one (``GET /api/v1/products/<id>``) through an
``HttpClient`` on a pooled session, with the backend's shared rate budget in
PostgreSQL (``--no-limiter`` for the contrast run), and prints one JSON line:
calls that succeeded, rate-limit errors that would have rescheduled a job,
other errors and the OAuth2 tokens it fetched. A rescheduled call waits its
``retry_after`` and goes on, as the job would when retried.

It also holds the small helpers both callers need: a throwaway database
(:func:`throwaway_db`) and starting workers together (:func:`run_workers`).
"""

import argparse
import contextlib
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
import conftest  # noqa: E402,F401 - registers the bare generic_connector package

from generic_connector.transport import (  # noqa: E402
    ApiKeyAuth,
    HttpClient,
    OAuth2ClientCredentials,
    PgBucketStore,
    PgConnection,
    PgTokenStore,
    RateBudget,
    RateLimitedError,
    RateLimiter,
    RetryPolicy,
    TransportError,
    new_session,
    set_rate_limiter,
)


def pg_params():
    """Connection parameters of the suite's PostgreSQL (libpq defaults, else
    what ``setup/postgres.sh`` finds or starts)."""
    import psycopg2  # noqa: PLC0415

    with contextlib.suppress(psycopg2.OperationalError):
        psycopg2.connect(dbname="postgres").close()
        return {}
    out = subprocess.run(
        ["bash", str(REPO / "setup/postgres.sh")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    names = {"PGHOST": "host", "PGPORT": "port", "PGUSER": "user"}
    pairs = (item.partition("=") for item in out if "=" in item)
    return {names[k]: v for k, _, v in pairs if k in names and v}


@contextlib.contextmanager
def throwaway_db(prefix="gc_budget"):
    """Create a database with the stores' schema; drop it afterwards.

    Yields ``psycopg2.connect`` keyword arguments for it.
    """
    import psycopg2  # noqa: PLC0415

    params = pg_params()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cr:
        cr.execute(f'CREATE DATABASE "{name}"')
    try:
        PgConnection(dbname=name, **params).ensure_schema()
        yield dict(params, dbname=name)
    finally:
        with admin.cursor() as cr:
            cr.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run_workers(count, url, db_params, **options):
    """Run ``count`` workers at once; return their JSON reports."""
    start_at = time.time() + 1.0  # every worker imported and connected by then
    args = [sys.executable, __file__, "--url", url, "--start-at", str(start_at)]
    args += ["--db", json.dumps(db_params)]
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is True:
            args.append(flag)
        elif value is not None and value is not False:
            args += [flag, str(value)]
    procs = []
    for index in range(count):
        procs.append(
            subprocess.Popen(
                args + ["--index", str(index), "--workers", str(count)],
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    reports = []
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        if proc.returncode:
            raise RuntimeError(f"worker failed ({proc.returncode}): {out}")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


def build_client(opts):
    """The client one worker uses: pooled session, shared budget, auth."""
    db = json.loads(opts.db)
    session = new_session()
    if not opts.no_limiter:
        budget = RateBudget(opts.limit, opts.window, opts.burst)
        store = PgBucketStore(PgConnection(**db))
        limiter = RateLimiter.for_budget(
            store, opts.key, budget, max_wait=opts.max_wait
        )
        set_rate_limiter(session, limiter)
    if opts.oauth:
        auth = OAuth2ClientCredentials(
            opts.url + "/oauth/token",
            "demo-client",
            "demo-secret",
            token_store=PgTokenStore(PgConnection(**db)),
        )
    else:
        auth = ApiKeyAuth("demo-api-key")
    retry = RetryPolicy(
        max_attempts=4, backoff_base=0.05, retry_after_cap=opts.max_wait
    )
    return HttpClient(opts.url, auth=auth, session=session, retry=retry)


def work(opts):
    client = build_client(opts)
    report = {"ok": 0, "rate_limited": 0, "errors": 0, "first_ok_at": None}
    if opts.ids:
        first, last = (int(x) for x in opts.ids.split("-"))
        ids = [i for i in range(first, last + 1) if i % opts.workers == opts.index]
    else:
        ids = None
    time.sleep(max(0.0, opts.start_at - time.time()))
    deadline = time.time() + opts.seconds
    position = 0
    report["started_at"] = time.time()
    while (position < len(ids)) if ids is not None else time.time() < deadline:
        product = ids[position] if ids is not None else 1 + position % opts.records
        try:
            client.get_json(f"/api/v1/products/{product}")
        except RateLimitedError as err:
            report["rate_limited"] += 1
            time.sleep(err.retry_after or 1.0)  # the job, rescheduled
            continue
        except TransportError as err:
            report["errors"] += 1
            report["last_error"] = str(err)[:300]
        else:
            report["ok"] += 1
            report["first_ok_at"] = report["first_ok_at"] or time.time()
        position += 1
    report["ended_at"] = time.time()
    report["token_fetches"] = getattr(client.auth, "fetch_count", 0)
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True, help="psycopg2 parameters, JSON")
    parser.add_argument("--key", default="bench:backend")
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--window", type=float, default=1.0)
    parser.add_argument("--burst", type=int, default=1)
    parser.add_argument("--max-wait", type=float, default=30.0)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--ids", help="first-last: read these ids, then stop")
    parser.add_argument("--records", type=int, default=30)
    parser.add_argument("--index", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--start-at", type=float, default=0.0)
    parser.add_argument("--no-limiter", action="store_true")
    parser.add_argument("--oauth", action="store_true")
    opts = parser.parse_args(argv)
    sys.stdout.write(json.dumps(work(opts)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
