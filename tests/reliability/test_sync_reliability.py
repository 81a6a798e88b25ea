"""Product sync against a real 4-worker Odoo under remote faults and races.

R2: a full import under 10% 5xx, 5% 429 and added latency ends with exactly
the remote record set. R4: two import runs over the same records at once
give one binding each and no failed job. R3: a worker killed with SIGKILL in
the middle of an import chunk and of a webhook job; the job runs again and
the final state equals a clean run's. R6: chunks on 4 workers at channel
capacity 4 creating the same new option values at once: no deadlock, no
record failed.
"""

import hashlib
import os
import signal
import time
import uuid
from decimal import Decimal

import requests
from harness import API_KEY, SANDBOX_PRODUCTS


def remote_products(sandbox):
    """``{external id: record}`` of every product the sandbox has."""
    session = requests.Session()
    session.trust_env = False
    products, page = {}, 1
    while len(products) < SANDBOX_PRODUCTS:
        answer = session.get(
            f"{sandbox.url}/api/v1/products",
            params={"page": page, "per_page": 100},
            headers={"X-API-Key": API_KEY},
            timeout=10,
        )
        answer.raise_for_status()
        items = answer.json()["data"]["items"]
        if not items:
            break
        products.update({str(p["id"]): p for p in items})
        page += 1
    return products


def remote_state(products):
    """The synced fields of each remote product, as Odoo should hold them."""
    return {
        external_id: (
            p["title"].strip(),
            f"{Decimal(str(p['price'])):.2f}",
            tuple(
                sorted(
                    (v["sku"], f"{Decimal(str(v['price'])):.2f}")
                    for v in p.get("variants") or ()
                )
            ),
            p["updated_at"],
        )
        for external_id, p in products.items()
    }


def odoo_state(odoo, backend_id):
    """``(state by external id, number of bindings)`` in Odoo: each product
    with the SKU and price of each of its variants."""
    bindings = odoo.rpc(
        "myconnector.product.template",
        "search_read",
        [("backend_id", "=", backend_id)],
        fields=[
            "external_id",
            "name",
            "list_price",
            "odoo_id",
            "remote_updated_at",
        ],
    )
    variants = {}
    for variant in odoo.rpc(
        "myconnector.product.product",
        "search_read",
        [("backend_id", "=", backend_id)],
        fields=["default_code", "lst_price", "product_tmpl_id"],
    ):
        variants.setdefault(variant["product_tmpl_id"][0], []).append(
            (variant["default_code"], f"{variant['lst_price']:.2f}")
        )
    state = {
        b["external_id"]: (
            b["name"],
            f"{b['list_price']:.2f}",
            tuple(sorted(variants.get(b["odoo_id"][0], ()))),
            b["remote_updated_at"],
        )
        for b in bindings
    }
    return state, len(bindings)


def checksum(state):
    return hashlib.sha256(repr(sorted(state.items())).encode()).hexdigest()[:16]


def import_and_wait(odoo, backend_id, timeout=600):
    odoo.rpc("myconnector.backend", "action_import_products", [backend_id])
    return odoo.wait_for_jobs(timeout=timeout)


def failed_jobs(odoo, since_id):
    return odoo.sql(
        "SELECT id, name, exc_name, left(exc_message, 300) FROM queue_job "
        "WHERE state = 'failed' AND id > %s",
        (since_id,),
    )


def last_job_id(odoo):
    return odoo.sql("SELECT coalesce(max(id), 0) FROM queue_job")[0][0]


def test_r2_full_sync_under_remote_faults(stack):
    expected = remote_state(remote_products(stack.sandbox))
    # Small pages: enough requests for the fault rates to bite.
    backend = stack.odoo.wire_backend(stack.sandbox.url, page_size=4)
    before = last_job_id(stack.odoo)
    stack.sandbox.faults.set_rules(
        {
            "GET /api/v1/products*": {
                "error_rate": 0.10,
                "rate_limit_rate": 0.05,
                "latency_ms": 30,
            }
        },
        seed=2,
    )
    started = time.monotonic()
    try:
        states = import_and_wait(stack.odoo, backend.id)
    finally:
        injected = dict(stack.sandbox.faults.injected)
        stack.sandbox.faults.clear()
    elapsed = time.monotonic() - started
    state, count = odoo_state(stack.odoo, backend.id)
    print(
        f"\nR2: {count} bindings for {len(expected)} remote products in "
        f"{elapsed:.1f}s; faults injected {injected}; jobs {states}; checksum "
        f"remote {checksum(expected)} odoo {checksum(state)}"
    )
    assert injected.get("error_rate") and injected.get("rate_limit_rate"), injected
    assert not failed_jobs(stack.odoo, before)
    assert count == len(expected)
    assert state == expected
    assert checksum(state) == checksum(expected)


def test_r4_two_runs_import_the_same_records_at_once(stack):
    backend = stack.odoo.wire_backend(stack.sandbox.url)
    before = last_job_id(stack.odoo)
    # Latency keeps chunk jobs of both runs in flight at the same time.
    stack.sandbox.faults.set_rules({"GET /api/v1/products*": {"latency_ms": 20}})
    try:
        stack.odoo.rpc("myconnector.backend", "action_import_products", [backend.id])
        _wait_for(
            lambda: stack.odoo.sql(
                "SELECT count(*) FROM queue_job WHERE id > %s "
                "AND method_name = '_import_products' AND state = 'done'",
                (before,),
            )[0][0]
            == 1
        )
        # The first run's driver has enqueued its chunks: a second full run.
        stack.odoo.sql(
            "UPDATE myconnector_backend SET products_imported_until = NULL "
            "WHERE id = %s",
            (backend.id,),
        )
        states = import_and_wait(stack.odoo, backend.id)
    finally:
        stack.sandbox.faults.clear()
    chunks = stack.odoo.sql(
        "SELECT count(*), count(DISTINCT worker_pid) FROM queue_job WHERE id > %s "
        "AND method_name = 'import_chunk'",
        (before,),
    )
    overlap = _overlapping_chunks(stack.odoo, before)
    state, count = odoo_state(stack.odoo, backend.id)
    print(
        f"\nR4: {chunks[0][0]} chunk jobs on {chunks[0][1]} workers, "
        f"{overlap} pairs of them running at the same time; {count} bindings "
        f"for {len(state)} external ids; jobs {states}"
    )
    assert not failed_jobs(stack.odoo, before)
    assert count == len(state) == SANDBOX_PRODUCTS
    assert overlap > 0, "the two runs never overlapped: the case proved nothing"


def _overlapping_chunks(odoo, since_id):
    return odoo.sql(
        """
        SELECT count(*) FROM queue_job a JOIN queue_job b
          ON a.id < b.id AND a.date_started < b.date_done
         AND b.date_started < a.date_done
         WHERE a.id > %(since)s AND b.id > %(since)s
           AND a.method_name = 'import_chunk' AND b.method_name = 'import_chunk'
        """,
        {"since": since_id},
    )[0][0]


def _wait_for(condition, timeout=120):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.1)


def _kill_worker_running(odoo, since_id, method):
    """SIGKILL the Odoo worker running a job of ``method``; return its pid."""
    rows = []

    def started():
        rows[:] = odoo.sql(
            "SELECT worker_pid FROM queue_job WHERE id > %s AND method_name = %s "
            "AND state = 'started' AND worker_pid IS NOT NULL LIMIT 1",
            (since_id, method),
        )
        return rows

    _wait_for(started)
    pid = rows[0][0]
    assert pid in odoo.worker_pids(), "the job does not run in one of our workers"
    os.kill(pid, signal.SIGKILL)
    return pid


def test_r3_worker_killed_mid_chunk_and_mid_webhook_job(stack):
    expected = remote_state(remote_products(stack.sandbox))
    # Chunks of 100 records and slow answers of the API: the jobs are surely
    # in flight when their worker dies.
    backend = stack.odoo.wire_backend(stack.sandbox.url, import_chunk_size=100)
    before = last_job_id(stack.odoo)
    stack.sandbox.faults.set_rules({"GET /api/v1/products*": {"latency_ms": 1500}})
    try:
        stack.odoo.rpc("myconnector.backend", "action_import_products", [backend.id])
        chunk_pid = _kill_worker_running(stack.odoo, before, "import_chunk")
        platform = type(stack.platform)(stack.odoo, backend)
        product = "7"
        statuses = platform.post(
            f"r3_{time.time_ns()}", platform.event(int(product)), retry=True
        )
        webhook_pid = _kill_worker_running(stack.odoo, before, "_process")
        states = stack.odoo.wait_for_jobs(timeout=600)
    finally:
        stack.sandbox.faults.clear()
    requeued = stack.odoo.log_lines("Re-queued dead job")
    state, count = odoo_state(stack.odoo, backend.id)
    event_state = stack.odoo.sql(
        "SELECT state FROM generic_webhook WHERE backend_id = %s "
        "AND backend_model = 'myconnector.backend'",
        (backend.id,),
    )
    print(
        f"\nR3: killed worker {chunk_pid} mid chunk and {webhook_pid} mid webhook "
        f"job; {len(requeued)} dead job(s) re-queued by the runner; jobs {states}; "
        f"{count} bindings, checksum odoo {checksum(state)} remote "
        f"{checksum(expected)}; webhook {event_state}"
    )
    assert statuses[-1] == 202
    assert requeued
    assert not failed_jobs(stack.odoo, before)
    assert state == expected and count == len(expected)
    assert event_state == [("done",)]


def test_r6_chunks_sharing_new_option_values_never_deadlock(stack):
    """Products sharing option values no Odoo has yet, in chunks of 4 on 4
    workers at channel capacity 4: each value is needed by several chunks
    at once, in different orders. A race on a shared row is a retry of the
    chunk that does not use up its retries, never a deadlock, a logged SQL
    error nor a record failure."""
    session = requests.Session()
    session.trust_env = False
    nonce = uuid.uuid4().hex[:6]
    shades = [f"Shade {n} {nonce}" for n in range(8)]
    new_ids = []
    for index in range(60):
        picked = [shades[(index + step * 3) % 8] for step in range(3)]
        if index % 2:
            picked.reverse()
        answer = session.post(
            f"{stack.sandbox.url}/api/v1/products",
            json={
                "title": f"Shared options {nonce} {index}",
                "variants": [
                    {"title": title, "sku": f"SH-{nonce}-{index}-{n}", "price": "9.99"}
                    for n, title in enumerate(picked)
                ],
            },
            headers={"X-API-Key": API_KEY},
            timeout=10,
        )
        answer.raise_for_status()
        new_ids.append(answer.json()["data"]["id"])
    backend = stack.odoo.wire_backend(stack.sandbox.url, import_chunk_size=4)
    before = last_job_id(stack.odoo)
    errors = ("deadlock detected", "duplicate key value", "could not serialize")
    logged_before = {e: len(stack.odoo.log_lines(e)) for e in errors}
    try:
        states = import_and_wait(stack.odoo, backend.id)
    finally:
        # The other cases expect the seeded catalogue only.
        for product_id in new_ids:
            session.delete(
                f"{stack.sandbox.url}/api/v1/products/{product_id}",
                headers={"X-API-Key": API_KEY},
                timeout=10,
            )
    logged = {e: len(stack.odoo.log_lines(e)) - logged_before[e] for e in errors}
    failures = stack.odoo.sql(
        "SELECT f.external_id, left(f.reason, 200) FROM generic_sync_run_failure f "
        "JOIN generic_sync_run r ON r.id = f.run_id "
        "WHERE r.backend_model = 'myconnector.backend' AND r.backend_id = %s",
        (backend.id,),
    )
    # queue_job counts each run of a job in ``retry`` (a retry that ignores
    # the count takes it back): beyond one per job, retries counted.
    retried = stack.odoo.sql(
        "SELECT count(*), coalesce(sum(retry), 0) - count(*) FROM queue_job "
        "WHERE id > %s AND method_name = 'import_chunk'",
        (before,),
    )[0]
    values = stack.odoo.sql(
        "SELECT count(*) FROM product_attribute_value WHERE name->>'en_US' LIKE %s",
        (f"Shade % {nonce}",),
    )[0][0]
    _state, count = odoo_state(stack.odoo, backend.id)
    overlap = _overlapping_chunks(stack.odoo, before)
    print(
        f"\nR6: {retried[0]} chunk jobs ({retried[1]} counted retries), {overlap} "
        f"pairs running at once; logged {logged}; "
        f"{len(failures)} record(s) failed; {values} option values; jobs {states}"
    )
    assert overlap > 0, "no two chunks ran at once: the case proved nothing"
    assert logged["deadlock detected"] == 0
    assert failures == []
    # A race on a shared row is retried without using up the chunk's
    # retries, and found before any INSERT fails on it (no SQL error).
    assert retried[1] == 0
    assert logged == dict.fromkeys(errors, 0)
    assert not failed_jobs(stack.odoo, before)
    assert values == len(shades)
    assert count == SANDBOX_PRODUCTS + len(new_ids)
