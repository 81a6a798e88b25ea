"""Every fault knob, by constructor/CLI spec and through the admin API."""

from __future__ import annotations

import time

import pytest
import requests

from sandbox.faults import Faults, parse_spec

HEADERS = {"X-API-Key": "demo-api-key"}


def get(server, path="/api/v1/products", **kwargs):
    return requests.get(server.url + path, headers=HEADERS, **kwargs)


def test_spec_parsing():
    pattern, knobs = parse_spec(
        "GET /api/v1/products:error_rate=0.2,rate_limit_rate=0.1"
    )
    assert pattern == "GET /api/v1/products"
    assert knobs == {"error_rate": 0.2, "rate_limit_rate": 0.1}
    assert parse_spec("webhooks:product.*:reorder=true") == (
        "webhooks:product.*",
        {"reorder": 3},
    )
    for bad in ("nothing", "*:bogus=1", "*:error_rate=2"):
        with pytest.raises(ValueError):
            parse_spec(bad)


def test_pattern_matching_and_specificity():
    faults = Faults(
        ["*:error_rate=0.5", "GET /api/v1/products:error_rate=0.1,latency_ms=5"]
    )
    assert faults.for_request("GET", "/api/v1/products")["error_rate"] == 0.1
    assert faults.for_request("GET", "/api/v1/products/1")["error_rate"] == 0.5
    assert faults.for_request("POST", "/api/v1/products")["error_rate"] == 0.5
    assert faults.for_webhook("order.created")["error_rate"] == 0.5
    assert Faults(["/graphql:error_rate=1"]).for_request("POST", "/graphql")
    assert not Faults(["webhooks:error_rate=1"]).for_request("GET", "/api/v1/orders")


def test_error_rate_gives_5xx_bodies(make_sandbox):
    server = make_sandbox(faults=["GET /api/v1/products:error_rate=1"], fault_seed=3)
    statuses = set()
    for _ in range(20):
        response = get(server)
        statuses.add(response.status_code)
        if response.status_code == 502:
            assert response.headers["Content-Type"].startswith("text/html")
        else:
            assert response.json()["status"] == "error"
    assert statuses == {500, 502, 503}
    assert get(server, "/api/v1/orders").status_code == 200


def test_error_rate_is_reproducible_with_a_seed(make_sandbox):
    runs = []
    for _ in range(2):
        server = make_sandbox(faults=["*:error_rate=0.5"], fault_seed=11)
        runs.append([get(server).status_code for _ in range(20)])
    assert runs[0] == runs[1]
    assert 200 in runs[0] and any(code >= 500 for code in runs[0])


def test_rate_limit_rate(make_sandbox):
    server = make_sandbox(faults=["*:rate_limit_rate=1,retry_after=7"])
    response = get(server)
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    assert response.json()["status"] == "error"


def test_latency(make_sandbox):
    server = make_sandbox(faults=["GET /api/v1/locations:latency_ms=150"])
    started = time.monotonic()
    assert get(server, "/api/v1/locations").status_code == 200
    assert time.monotonic() - started >= 0.15


def test_drop_rate_closes_the_connection(make_sandbox):
    server = make_sandbox(faults=["*:drop_rate=1"])
    with pytest.raises(requests.ConnectionError):
        get(server)
    assert requests.get(server.url + "/admin/health").status_code == 200


def test_timeout_rate_makes_the_client_time_out(make_sandbox):
    server = make_sandbox(faults=["*:timeout_rate=1,hang_seconds=2"])
    with pytest.raises(requests.ReadTimeout):
        get(server, timeout=0.3)


def test_malformed_rate_truncates_json(make_sandbox):
    server = make_sandbox(faults=["*:malformed_rate=1"])
    response = get(server)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    assert int(response.headers["Content-Length"]) == len(response.content)


def test_admin_fault_api(sandbox):
    url = sandbox.url + "/admin/faults"
    body = requests.put(
        url,
        json={"rules": [{"pattern": "GET /api/v1/orders", "error_rate": 1}], "seed": 5},
    ).json()
    assert body["seed"] == 5
    assert body["rules"] == [{"pattern": "GET /api/v1/orders", "error_rate": 1.0}]
    assert get(sandbox, "/api/v1/orders").status_code >= 500
    requests.post(url, json={"pattern": "*", "rate_limit_rate": 1})
    assert get(sandbox, "/api/v1/customers").status_code == 429
    assert requests.get(url).json()["injected"]["rate_limit_rate"] == 1
    assert requests.delete(url, params={"pattern": "*"}).ok
    assert get(sandbox, "/api/v1/customers").status_code == 200
    # The mapping form replaces everything.
    requests.put(url, json={"/api/v1/customers": {"error_rate": 1}})
    assert get(sandbox, "/api/v1/orders").status_code == 200
    assert requests.delete(url).json()["rules"] == []
    invalid = requests.put(url, json={"rules": [{"pattern": "*", "error_rate": 3}]})
    assert invalid.status_code == 422
    assert requests.put(url, json={"*": {"nope": 1}}).status_code == 422
    # Faults never apply to the admin API itself.
    requests.put(url, json={"*": {"error_rate": 1}})
    assert requests.get(sandbox.url + "/admin/health").status_code == 200


def test_keep_alive_survives_an_early_answer_to_a_request_with_a_body(make_sandbox):
    # An injected error answers before the handler reads the body; the unread
    # body must not be taken for the next request on the same connection.
    server = make_sandbox(faults=["POST /api/v1/products:error_rate=1"])
    session = requests.Session()
    session.headers.update(HEADERS)
    for _ in range(3):
        failed = session.post(
            server.url + "/api/v1/products", json={"title": "x" * 500}
        )
        assert failed.status_code >= 500
        assert session.get(server.url + "/api/v1/orders").status_code == 200
