"""Webhook intake against a real 4-worker Odoo: nothing refused, nothing lost.

The test plays the platform (``harness.Platform``): it signs and posts
deliveries concurrently, then counts what Odoo holds, in SQL, against what it
sent. The figures of each case are printed (``-s``) and kept in docs/RELIABILITY.md.
"""

import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from harness import SANDBOX_PRODUCTS, SOAK

ACCEPTED = {200, 202}


def inbox(stack, delivery_ids):
    """``{delivery id: (row id, job id, receipts)}`` of these deliveries."""
    rows = stack.odoo.sql(
        """
        SELECT w.delivery_id, w.id, w.job_id,
               (SELECT count(*) FROM generic_webhook_receipt r
                 WHERE r.webhook_id = w.id)
          FROM generic_webhook w
         WHERE w.backend_id = %s AND w.delivery_id = ANY(%s)
        """,
        (stack.backend.id, list(delivery_ids)),
    )
    found = {}
    for delivery_id, row_id, job_id, receipts in rows:
        assert delivery_id not in found, f"two rows for {delivery_id}"
        found[delivery_id] = (row_id, job_id, receipts)
    return found


def jobs_per_row(stack, row_ids):
    """``{inbox row id: number of queue jobs processing it}``: the job its
    ``job_id`` names (its own, or the job of a burst's event it joined, see
    ``generic.webhook._receive``), plus any other ``_process`` job made for
    it later that no row links to (a duplicate: two jobs for one row). A
    row of a shared job that met a transient error is given a job of its
    own (``_process_one``), linked from then on: its first job, made before
    (and no longer linked when every row of it was given one), is not a
    duplicate."""
    linked = dict(
        stack.odoo.sql(
            """
            SELECT w.id, count(j.id)
              FROM generic_webhook w
              LEFT JOIN queue_job j ON j.id = w.job_id
               AND j.model_name = 'generic.webhook' AND j.method_name = '_process'
             WHERE w.id = ANY(%s)
             GROUP BY w.id
            """,
            (list(row_ids),),
        )
    )
    others = stack.odoo.sql(
        """
        SELECT (j.records::jsonb->'ids'->>0)::int, count(*)
          FROM queue_job j
          JOIN generic_webhook w ON w.id = (j.records::jsonb->'ids'->>0)::int
         WHERE j.model_name = 'generic.webhook' AND j.method_name = '_process'
           AND (j.records::jsonb->'ids'->>0)::int = ANY(%s)
           AND j.id IS DISTINCT FROM w.job_id
           AND NOT EXISTS (SELECT 1 FROM generic_webhook o WHERE o.job_id = j.id)
           AND j.date_created >= (SELECT l.date_created FROM queue_job l
                                   WHERE l.id = w.job_id)
         GROUP BY 1
        """,
        (list(row_ids),),
    )
    for row, count in others:
        linked[row] = linked.get(row, 0) + count
    return linked


def one_job_or_covered(stack, found):
    """Assert that each row of ``found`` (see :func:`inbox`) has one job, or
    none when it is ``covered``: then by an earlier row of its subject that
    has one and that its text names. Return the number of covered rows."""
    rows = [row for row, _j, _n in found.values()]
    per_row = jobs_per_row(stack, rows)
    covered = {
        row
        for (row,) in stack.odoo.sql(
            "SELECT id FROM generic_webhook WHERE id = ANY(%s) AND state = 'covered'",
            (rows,),
        )
    }
    assert {row: per_row.get(row, 0) for row in rows} == {
        row: 0 if row in covered else 1 for row in rows
    }
    uncovered = stack.odoo.sql(
        """
        SELECT w.id FROM generic_webhook w
         WHERE w.id = ANY(%s) AND NOT EXISTS (
               SELECT 1 FROM generic_webhook c
                WHERE c.backend_id = w.backend_id AND c.subject = w.subject
                  AND c.id < w.id AND c.job_id IS NOT NULL
                  AND strpos(w.result, c.delivery_id) > 0)
        """,
        (list(covered),),
    )
    assert not uncovered, uncovered
    return len(covered)


def test_concurrent_redeliveries_of_fresh_ids(stack):
    """20 simultaneous deliveries of one new id, 10 times: only 202/200, one
    row and one job per id, as many receipts as deliveries."""
    rounds, width = 10, 20
    statuses, delivery_ids = Counter(), []
    with ThreadPoolExecutor(width) as pool:
        for _round in range(rounds):
            delivery_id = f"conc_{uuid.uuid4().hex}"
            delivery_ids.append(delivery_id)
            body = stack.platform.event(random.randint(1, SANDBOX_PRODUCTS))
            barrier = threading.Barrier(width)

            def deliver(body=body, delivery_id=delivery_id, barrier=barrier):
                barrier.wait()
                return stack.platform.post(delivery_id, body)[-1]

            answers = list(pool.map(lambda _i, d=deliver: d(), range(width)))
            statuses.update(answers)
            assert answers.count(202) == 1, answers
    print(f"\nconcurrent redeliveries: {dict(statuses)}")
    assert set(statuses) <= ACCEPTED, statuses
    found = inbox(stack, delivery_ids)
    assert set(found) == set(delivery_ids)
    assert {receipts for _r, _j, receipts in found.values()} == {width}
    one_job_or_covered(stack, found)


def test_one_event_under_many_delivery_ids_at_once(stack):
    """20 simultaneous deliveries of one event, each with its own delivery id:
    one original with one job, 19 rows kept as duplicates without a job."""
    width = 20
    event_id = f"evt_{uuid.uuid4().hex}"
    body = stack.platform.event(1, event_id=event_id)
    barrier = threading.Barrier(width)

    def deliver(index):
        barrier.wait()
        return stack.platform.post(f"{event_id}_d{index}", body)[-1]

    with ThreadPoolExecutor(width) as pool:
        answers = sorted(pool.map(deliver, range(width)))
    rows = stack.odoo.sql(
        "SELECT state, count(*), count(job_id) FROM generic_webhook "
        "WHERE event_id = %s GROUP BY state ORDER BY state",
        (event_id,),
    )
    print(f"\none event, {width} delivery ids at once: {answers}; rows {rows}")
    assert answers == [200] * (width - 1) + [202]
    by_state = {state: (count, jobs) for state, count, jobs in rows}
    assert by_state.pop("duplicate") == (width - 1, 0)
    # The original, pending or done with its job, or covered by an event of
    # its product still waiting for its job (from an earlier case): no job.
    ((state, (count, jobs)),) = by_state.items()
    assert (count, jobs) == (1, 0 if state == "covered" else 1), by_state


def test_r1_deliveries_duplicated_shuffled_tampered_stale(stack):
    """R1: every valid delivery 2xx, none lost, no duplicate job; tampered and
    stale ones 401 with nothing stored."""
    total = 10000 if SOAK else 400
    rng = random.Random(7)
    plan = []  # (delivery id, body, kind)
    for _i in range(total):
        roll = rng.random()
        kind = "tampered" if roll < 0.05 else "stale" if roll < 0.07 else "valid"
        body = stack.platform.event(rng.randint(1, SANDBOX_PRODUCTS))
        plan.append((f"r1_{uuid.uuid4().hex}", body, kind))
    valid = [p for p in plan if p[2] == "valid"]
    # 20% duplicates: redeliveries of valid ones, half of them right beside
    # their original (the pool sends them at the same moment), half later.
    duplicates = rng.sample(valid, int(total * 0.2))
    beside = {d[0] for d in duplicates[: len(duplicates) // 2]}
    later = duplicates[len(duplicates) // 2 :]
    rng.shuffle(plan)
    sends = []
    for item in plan:
        sends += [item, item] if item[0] in beside else [item]
    for item in later:
        sends.insert(rng.randint(sends.index(item) + 1, len(sends)), item)
    answers = {}
    lock = threading.Lock()

    def send(item):
        delivery_id, body, kind = item
        stale = time.time() - 600 if kind == "stale" else None
        status = stack.platform.post(
            delivery_id, body, timestamp=stale, tamper=kind == "tampered", retry=True
        )[-1]
        with lock:
            answers.setdefault(delivery_id, []).append(status)

    started = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(send, sends))
    elapsed = time.monotonic() - started
    kinds = {d: k for d, _b, k in plan}
    by_kind = Counter()
    for delivery_id, statuses in answers.items():
        by_kind.update(f"{kinds[delivery_id]} {s}" for s in statuses)
    print(
        f"\nR1: {len(sends)} deliveries ({len(plan)} ids) in {elapsed:.1f}s "
        f"= {len(sends) / elapsed:.0f}/s: {dict(by_kind)}"
    )
    refused = [d for d, _b, k in plan if k != "valid"]
    accepted = [d for d, _b, k in valid]
    for delivery_id in accepted:
        assert set(answers[delivery_id]) <= ACCEPTED, answers[delivery_id]
        assert answers[delivery_id].count(202) == 1, answers[delivery_id]
    for delivery_id in refused:
        assert answers[delivery_id] == [401], answers[delivery_id]
    assert not inbox(stack, refused)
    found = inbox(stack, accepted)
    assert set(found) == set(accepted)
    assert sum(n for _r, _j, n in found.values()) == sum(
        len(answers[d]) for d in accepted
    )
    covered = one_job_or_covered(stack, found)
    states = stack.odoo.wait_for_jobs(timeout=1800 if SOAK else 300)
    print(f"R1 jobs: {states}; {covered} deliveries covered by another's job")
    assert not states.get("failed"), stack.odoo.sql(
        "SELECT exc_info FROM queue_job WHERE state = 'failed' LIMIT 1"
    )
    done = stack.odoo.sql(
        "SELECT state, count(*) FROM generic_webhook WHERE delivery_id = ANY(%s) "
        "GROUP BY state",
        (accepted,),
    )
    assert dict(done) == {
        k: v
        for k, v in {"done": len(accepted) - covered, "covered": covered}.items()
        if v
    }
    duplicated_bindings = stack.odoo.sql(
        "SELECT external_id FROM myconnector_product_template WHERE backend_id = %s "
        "GROUP BY external_id HAVING count(*) > 1",
        (stack.backend.id,),
    )
    assert not duplicated_bindings


def test_r7_database_cut_during_burst(stack):
    """R7: PostgreSQL gone for 2 s during a burst: 503 then 2xx on retry,
    every accepted delivery stored with its job."""
    total = 2000 if SOAK else 200
    deliveries = [
        (f"r7_{uuid.uuid4().hex}", stack.platform.event(i % SANDBOX_PRODUCTS + 1))
        for i in range(total)
    ]
    answers = {}

    def send(item):
        answers[item[0]] = stack.platform.post(*item, retry=True)

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(send, item) for item in deliveries]
        while sum(f.done() for f in futures) < total // 4:
            time.sleep(0.01)
        cut_at = time.monotonic() - started
        stack.proxy.cut(2.0)
        for future in futures:
            future.result()
    elapsed = time.monotonic() - started
    seen = Counter(s for statuses in answers.values() for s in statuses)
    print(
        f"\nR7: {total} deliveries in {elapsed:.1f}s, PostgreSQL cut 2 s at "
        f"{cut_at:.1f}s: answers {dict(seen)}"
    )
    assert all(statuses[-1] in ACCEPTED for statuses in answers.values()), seen
    assert set(seen) <= ACCEPTED | {503, None}, seen
    assert seen[503] + seen[None] > 0, "the cut was not seen by any sender"
    found = inbox(stack, answers)
    assert set(found) == set(answers)
    covered = one_job_or_covered(stack, found)
    states = stack.odoo.wait_for_jobs(timeout=600)
    print(f"R7 jobs: {states}; {covered} deliveries covered by another's job")
    assert not states.get("failed")
