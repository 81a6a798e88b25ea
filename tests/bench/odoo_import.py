"""B1, B2 and B4, inside Odoo: run by ``odoo-bin shell`` (see bench_odoo.py).

Reads its parameters from the environment (``BENCH_PART``, ``SANDBOX_URL``,
``BENCH_PRODUCTS``) and prints one line ``BENCH_JSON {...}`` with its figures.
``env`` is the shell's environment (superuser); nothing is committed: the
database is thrown away by the caller.

* ``import``: B1, the real import jobs (driver, chunks, finaliser, run with
  ``run_jobs`` as the runner would) of N products, against one ``create()``
  of the same values; then B2, a second, incremental run after 1% of the
  products changed remotely. Time, and SQL queries counted by Odoo's cursor.
* ``memory``: B4, the peak RSS growth of iterating every remote product
  through the backend's adapter (pages are lazy: one in memory at a time).
* ``reconcile``: B6, a reconcile of N products imported and unchanged: its
  calls (counted by the sandbox, by path), time, SQL queries and the drift
  it found (none expected).
"""

import json
import os
import resource
import time

import requests

import odoo.http
import odoo.sql_db

from odoo.addons.generic_connector.tests.common import run_jobs

PRODUCT_MODEL = "myconnector.product.template"
WEBHOOK_SECRET = "whsec_" + "YmVuY2htYXJrLXNlY3JldC1rZXktMDEyMzQ1Njc4OQ=="


def _backend():
    return env["myconnector.backend"].create(  # noqa: F821 - the shell's env
        {
            "name": "Bench",
            "base_url": os.environ["SANDBOX_URL"],
            "auth_type": "api_key",
            "api_key": "demo-api-key",
            "read_timeout": 30,
        }
    )


def _measure(action):
    env.flush_all()  # noqa: F821
    queries, started = odoo.sql_db.sql_counter, time.perf_counter()
    result = action()
    env.flush_all()  # noqa: F821
    return result, time.perf_counter() - started, odoo.sql_db.sql_counter - queries


def _import_run(backend, since):
    backend._import_products(since=since)
    return run_jobs(env, max_runs=100000)  # noqa: F821


def _bare_values(backend, records):
    """What the import's mapper gives for ``records`` (the template's own
    fields), made distinct (names and codes prefixed), for one ``create()``."""
    values, fields = [], env["product.template"]._fields  # noqa: F821
    with backend.work_on(PRODUCT_MODEL) as work:
        mapper = work.component(usage="import.mapper")
        for record in records:
            mapped = mapper.map_record(record).values(for_create=True)
            vals = {k: v for k, v in mapped.items() if k in fields}
            vals["name"] = "bare " + vals["name"]
            vals["default_code"] = "bare-" + (vals.get("default_code") or "")
            values.append(vals)
    return values


def part_import():
    count = int(os.environ["BENCH_PRODUCTS"])
    backend = _backend()
    bindings = env[PRODUCT_MODEL]  # noqa: F821
    jobs, seconds, queries = _measure(lambda: _import_run(backend, None))
    imported = bindings.search_count([("backend_id", "=", backend.id)])
    variants = env["myconnector.product.product"].search_count([])  # noqa: F821
    failed = env["queue.job"].search_count([("state", "=", "failed")])  # noqa: F821
    with backend.work_on(PRODUCT_MODEL) as work:
        records = list(work.component(usage="backend.adapter").iterate_all())
    values = _bare_values(backend, records)
    templates = env["product.template"]  # noqa: F821
    created, bare_seconds, bare_queries = _measure(lambda: templates.create(values))
    bare_variants = len(created.product_variant_ids)
    # B2: 1% of the products change remotely; the next run is incremental.
    changed = max(count // 100, 1)
    requests.post(
        os.environ["SANDBOX_URL"] + "/admin/simulate/touch",
        json={"count": changed},
        timeout=30,
    ).raise_for_status()
    since = backend.products_imported_until
    jobs2, inc_seconds, inc_queries = _measure(lambda: _import_run(backend, since))
    return {
        "products": count,
        "imported": imported,
        "variants": variants,
        "failed_jobs": failed,
        "jobs": jobs,
        "seconds": seconds,
        "queries": queries,
        "bare_products": len(created),
        "bare_variants": bare_variants,
        "bare_seconds": bare_seconds,
        "bare_queries": bare_queries,
        "changed": changed,
        "incremental_jobs": jobs2,
        "incremental_seconds": inc_seconds,
        "incremental_queries": inc_queries,
    }


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def part_memory():
    backend = _backend()
    seen, before = 0, _peak_rss_mb()
    started = time.perf_counter()
    with backend.work_on(PRODUCT_MODEL) as work:
        for _record in work.component(usage="backend.adapter").iterate_all():
            seen += 1
    return {
        "records": seen,
        "seconds": time.perf_counter() - started,
        "rss_before_mb": before,
        "rss_peak_mb": _peak_rss_mb(),
    }


def _wsgi_call(environ):
    """One request through Odoo's WSGI application, in this process."""
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])

    for _chunk in odoo.http.root(environ, start_response):
        pass
    return answer["status"]


def part_profile():
    """The webhook intake (the whole WSGI dispatch) under pyinstrument, and
    SQL queries per request, against ``GET /web/health``."""
    from pyinstrument import Profiler
    from werkzeug.test import EnvironBuilder

    from sandbox.webhooks import sign_standard

    count, secret = int(os.environ.get("BENCH_REQUESTS", "300")), WEBHOOK_SECRET
    backend = _backend()
    backend.write({"webhook_secret": secret, "webhook_scheme": "standard"})
    token = backend.webhook_token
    env.cr.commit()  # noqa: F821 - the requests run in their own transactions

    def webhook(i):
        body = json.dumps(
            {"id": f"evt_p{i}", "type": "product.updated", "data": {"id": i}}
        ).encode()
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "webhook-id": f"msg_p{i}",
            "webhook-timestamp": str(stamp),
            "webhook-signature": sign_standard(secret, f"msg_p{i}", stamp, body),
        }
        return EnvironBuilder(
            path=f"/myconnector/webhook/{token}",
            method="POST",
            data=body,
            headers=headers,
        ).get_environ()

    health = EnvironBuilder(path="/web/health").get_environ
    figures = {}
    for kind, make in (("health", lambda _i: health()), ("webhook", webhook)):
        _wsgi_call(make(-1))  # warm up
        environs = [make(i) for i in range(count)]
        queries, statuses = odoo.sql_db.sql_counter, []
        profiler = Profiler()
        profiler.start()
        started = time.perf_counter()
        statuses = [_wsgi_call(environ) for environ in environs]
        seconds = time.perf_counter() - started
        profiler.stop()
        figures[kind] = {
            "statuses": sorted(set(statuses)),
            "ms_per_request": seconds * 1000 / count,
            "queries_per_request": (odoo.sql_db.sql_counter - queries) / count,
        }
        if kind == "webhook":
            figures["profile"] = profiler.output_text(unicode=False, color=False)
    return figures


def _sandbox_requests():
    stats = requests.get(os.environ["SANDBOX_URL"] + "/admin/stats", timeout=30)
    return stats.json()["requests"]


def part_reconcile():
    backend = _backend()
    _import_run(backend, None)
    imported = env[PRODUCT_MODEL].search_count(  # noqa: F821
        [("backend_id", "=", backend.id)]
    )
    before = _sandbox_requests()
    jobs, seconds, queries = _measure(
        lambda: (
            backend._reconcile_resource("products"),
            run_jobs(env, max_runs=100000),  # noqa: F821
        )[1]
    )
    after = _sandbox_requests()
    calls = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k)}
    run = env["generic.sync.run"].search(  # noqa: F821
        [("kind", "=", "reconcile")], limit=1
    )
    return {
        "products": imported,
        "page_size": backend.page_size,
        "calls": sum(calls.values()),
        "calls_by_path": calls,
        "seconds": seconds,
        "queries": queries,
        "jobs": jobs,
        "drift": len(run.drift_ids),
    }


PARTS = {
    "import": part_import,
    "memory": part_memory,
    "profile": part_profile,
    "reconcile": part_reconcile,
}
print("BENCH_JSON " + json.dumps(PARTS[os.environ["BENCH_PART"]]()))  # noqa: T201
