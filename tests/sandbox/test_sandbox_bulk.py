"""Bulk exports: the operation's life, its file, its faults, its counters."""

from __future__ import annotations

import json
import time

import requests

API_KEY = {"X-API-Key": "demo-api-key"}

OPS = "/api/v1/bulk_operations"


def start(srv, resource="products"):
    response = requests.post(
        srv.url + OPS, json={"resource": resource}, headers=API_KEY
    )
    assert response.status_code == 201, response.text
    assert response.headers["Location"].endswith(
        f"{OPS}/{response.json()['data']['id']}"
    )
    return response.json()["data"]


def poll(srv, op_id):
    response = requests.get(f"{srv.url}{OPS}/{op_id}", headers=API_KEY)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def until_completed(srv, op_id):
    for _ in range(200):
        operation = poll(srv, op_id)
        if operation["status"] == "completed":
            return operation
        time.sleep(0.02)
    raise AssertionError(f"operation {op_id} never completed")


def lines(srv, url):
    response = requests.get(url, headers=API_KEY)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/jsonl"
    return [json.loads(line) for line in response.text.splitlines()]


def test_created_then_running_then_completed(make_sandbox):
    srv = make_sandbox(bulk_delay=0.2)
    operation = start(srv)
    assert (operation["status"], operation["object_count"], operation["url"]) == (
        "created",
        0,
        None,
    )
    assert poll(srv, operation["id"])["status"] == "created"  # its first poll
    assert poll(srv, operation["id"])["status"] == "running"
    response = requests.get(f"{srv.url}{OPS}/{operation['id']}/file", headers=API_KEY)
    assert response.status_code == 409
    assert "running, not completed" in response.json()["message"]
    done = until_completed(srv, operation["id"])
    assert done["object_count"] == 30
    assert done["url"] == f"{srv.url}{OPS}/{operation['id']}/file"


def test_one_line_per_record_the_object_a_read_returns(make_sandbox):
    srv = make_sandbox(bulk_delay=0)
    for resource, count in (("products", 30), ("customers", 15), ("orders", 30)):
        done = until_completed(srv, start(srv, resource)["id"])
        records = lines(srv, done["url"])
        assert [r["id"] for r in records] == list(range(1, count + 1))
        one = requests.get(f"{srv.url}/api/v1/{resource}/2", headers=API_KEY).json()
        assert records[1] == one["data"]
        if resource == "products":
            assert all(product["variants"] for product in records)  # nested


def test_the_file_is_a_snapshot_of_the_start(make_sandbox):
    srv = make_sandbox(bulk_delay=0)
    operation = start(srv)
    requests.patch(
        srv.url + "/api/v1/products/1", json={"title": "Changed"}, headers=API_KEY
    ).raise_for_status()
    records = lines(srv, until_completed(srv, operation["id"])["url"])
    assert records[0]["title"] != "Changed"


def test_refusals(make_sandbox):
    srv = make_sandbox()
    bad = requests.post(srv.url + OPS, json={"resource": "nope"}, headers=API_KEY)
    assert bad.status_code == 422
    assert requests.get(f"{srv.url}{OPS}/99", headers=API_KEY).status_code == 404
    assert requests.get(f"{srv.url}{OPS}/99/file", headers=API_KEY).status_code == 404
    assert requests.get(srv.url + OPS, headers=API_KEY).status_code == 405
    assert (
        requests.post(srv.url + OPS, json={"resource": "products"}).status_code == 401
    )


def test_faults_cut_the_file_or_fail_the_operation(make_sandbox):
    srv = make_sandbox(bulk_delay=0)
    srv.faults.add_rule(f"GET {OPS}/*/file", bulk_truncate=5)
    done = until_completed(srv, start(srv)["id"])
    assert done["object_count"] == 30 and len(lines(srv, done["url"])) == 25
    srv.faults.add_rule(f"POST {OPS}", bulk_fail_rate=1)
    failed = start(srv)
    poll(srv, failed["id"])
    operation = poll(srv, failed["id"])
    assert (operation["status"], operation["error_code"], operation["url"]) == (
        "failed",
        "INTERNAL_SERVER_ERROR",
        None,
    )
    assert srv.faults.as_dict()["injected"] == {"bulk_truncate": 1, "bulk_fail_rate": 1}


def test_a_malformed_body_fault_cuts_the_file_too(make_sandbox):
    srv = make_sandbox(bulk_delay=0)
    done = until_completed(srv, start(srv)["id"])
    srv.faults.add_rule(f"GET {OPS}/*/file", malformed_rate=1)
    response = requests.get(done["url"], headers=API_KEY)
    assert response.status_code == 200
    assert response.text.endswith('{"trunc')


def test_calls_are_counted_and_rate_limited_like_the_others(make_sandbox):
    srv = make_sandbox(bulk_delay=0)
    done = until_completed(srv, start(srv)["id"])
    lines(srv, done["url"])
    stats = requests.get(srv.url + "/admin/stats").json()["requests"]
    assert stats[f"POST {OPS}"] == 1
    assert stats[f"GET {OPS}/1"] >= 2
    assert stats[f"GET {OPS}/1/file"] == 1
    response = requests.get(done["url"], headers=API_KEY)
    assert "X-RateLimit-Remaining" in response.headers
    requests.post(srv.url + "/admin/reset", json={}).raise_for_status()
    assert requests.get(f"{srv.url}{OPS}/1", headers=API_KEY).status_code == 404
