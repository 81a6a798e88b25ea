"""Webhook subscriptions, delivery, signatures, retries, duplicate and reorder."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import requests
from standardwebhooks import Webhook

HEADERS = {"X-API-Key": "demo-api-key"}


def subscribe(server, **body):
    response = requests.post(
        server.url + "/api/v1/webhooks", json=body, headers=HEADERS
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_subscription_crud_and_generated_secrets(sandbox, receiver):
    standard = subscribe(sandbox, url=receiver.url, events=["product.updated"])
    assert standard["scheme"] == "standard"
    assert standard["secret"].startswith("whsec_")
    assert len(base64.b64decode(standard["secret"][6:])) >= 24
    signature = subscribe(sandbox, url=receiver.url, events=["*"], scheme="signature")
    assert len(bytes.fromhex(signature["secret"])) >= 24
    given = subscribe(sandbox, url=receiver.url, scheme="signature", secret="s3cret")
    assert given["secret"] == "s3cret"
    listed = requests.get(sandbox.url + "/api/v1/webhooks", headers=HEADERS).json()
    assert [w["id"] for w in listed["data"]["items"]] == [
        standard["id"],
        signature["id"],
        given["id"],
    ]
    one = requests.get(f"{sandbox.url}/api/v1/webhooks/{given['id']}", headers=HEADERS)
    assert one.json()["data"]["url"] == receiver.url
    gone = requests.delete(
        f"{sandbox.url}/api/v1/webhooks/{given['id']}", headers=HEADERS
    )
    assert gone.status_code == 204
    missing = requests.get(
        f"{sandbox.url}/api/v1/webhooks/{given['id']}", headers=HEADERS
    )
    assert missing.status_code == 404


def test_patch_changes_the_fields_it_names_and_signs_with_the_new_secret(
    sandbox, receiver
):
    sub = subscribe(sandbox, url=receiver.url, events=["product.updated"])
    url = f"{sandbox.url}/api/v1/webhooks/{sub['id']}"
    new_secret = "whsec_" + base64.b64encode(b"a new secret of 24 bytes").decode()
    patched = requests.patch(
        url, headers=HEADERS, json={"secret": new_secret, "events": ["*"]}
    )
    assert patched.status_code == 200, patched.text
    changed = patched.json()["data"]
    assert changed == dict(sub, secret=new_secret, events=["*"])
    assert requests.get(url, headers=HEADERS).json()["data"] == changed
    listed = requests.get(sandbox.url + "/api/v1/webhooks", headers=HEADERS).json()
    assert [w["id"] for w in listed["data"]["items"]] == [sub["id"]]
    # Deliveries from now on are signed with the new secret.
    sandbox.store.update_product(3, {"title": "Re-signed"}, partial=True)
    assert sandbox.wait_for_deliveries(5)
    (delivery,) = receiver.requests
    assert Webhook(new_secret).verify(delivery["body"], delivery["headers"])
    # Another scheme without a secret gets one of its own format.
    hexed = requests.patch(url, headers=HEADERS, json={"scheme": "signature"})
    assert len(bytes.fromhex(hexed.json()["data"]["secret"])) >= 24


def test_patch_validation(sandbox, receiver):
    sub = subscribe(sandbox, url=receiver.url)
    url = f"{sandbox.url}/api/v1/webhooks/{sub['id']}"
    bad = requests.patch(
        url,
        headers=HEADERS,
        json={"url": "ftp://x", "events": [], "secret": "not base64!", "x": 1},
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"url", "events", "secret", "x"}
    assert requests.get(url, headers=HEADERS).json()["data"] == sub
    missing = requests.patch(
        f"{sandbox.url}/api/v1/webhooks/999", headers=HEADERS, json={}
    )
    assert missing.status_code == 404


def test_subscription_validation(sandbox):
    url = sandbox.url + "/api/v1/webhooks"
    bad = requests.post(
        url,
        headers=HEADERS,
        json={"url": "ftp://x", "events": ["nope"], "scheme": "other"},
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"url", "events", "scheme"}
    remote = requests.post(
        url, headers=HEADERS, json={"url": "http://example.com/hook"}
    )
    assert remote.status_code == 422 and "loopback" in remote.json()["errors"]["url"][0]


def test_standard_webhooks_signature_verifies(sandbox, receiver):
    sub = subscribe(sandbox, url=receiver.url, events=["product.updated"])
    product = sandbox.store.update_product(3, {"title": "Signed"}, partial=True)
    assert sandbox.wait_for_deliveries(5)
    (delivery,) = receiver.requests
    headers, body = delivery["headers"], delivery["body"]
    assert headers["Content-Type"] == "application/json"
    payload = Webhook(sub["secret"]).verify(body, headers)
    assert payload["type"] == "product.updated"
    assert payload["id"].startswith("evt_") and headers["Webhook-Id"] == payload["id"]
    assert payload["data"] == product
    # The same body, as the REST API returns the record.
    rest = requests.get(sandbox.url + "/api/v1/products/3", headers=HEADERS).json()[
        "data"
    ]
    assert payload["data"] == rest


def test_signature_scheme_headers(sandbox, receiver):
    sub = subscribe(
        sandbox, url=receiver.url, events=["order.created"], scheme="signature"
    )
    order = requests.post(sandbox.url + "/admin/simulate/order", json={}).json()
    assert sandbox.wait_for_deliveries(5)
    (delivery,) = receiver.requests
    headers, body = delivery["headers"], delivery["body"]
    expected = hmac.new(sub["secret"].encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Signature"] == expected
    assert headers["X-Event-Type"] == "order.created"
    assert headers["X-Api-Key"] == "demo-api-key"
    payload = json.loads(body)
    assert headers["X-Webhook-Id"] == payload["id"]
    assert int(headers["X-Webhook-Timestamp"]) > 0
    assert payload["data"] == order


def test_events_for_every_kind_of_change(sandbox, receiver):
    subscribe(sandbox, url=receiver.url, events=["*"])
    base = sandbox.url + "/api/v1"
    pid = requests.post(
        base + "/products", json={"title": "E", "price": "1"}, headers=HEADERS
    ).json()["data"]["id"]
    requests.patch(f"{base}/products/{pid}", json={"title": "F"}, headers=HEADERS)
    requests.delete(f"{base}/products/{pid}", headers=HEADERS)
    cid = requests.post(
        base + "/customers", json={"email": "e@x.io"}, headers=HEADERS
    ).json()["data"]["id"]
    requests.patch(f"{base}/customers/{cid}", json={"first_name": "E"}, headers=HEADERS)
    oid = requests.post(
        base + "/orders",
        json={"customer_id": cid, "lines": [{"product_id": 1}]},
        headers=HEADERS,
    ).json()["data"]["id"]
    requests.patch(f"{base}/orders/{oid}", json={"status": "paid"}, headers=HEADERS)
    requests.post(
        sandbox.url + "/admin/simulate/stock", json={"variant_id": 101, "delta": 1}
    )
    assert sandbox.wait_for_deliveries(5)
    types = {json.loads(r["body"])["type"] for r in receiver.requests}
    assert types == {
        "product.created",
        "product.updated",
        "product.deleted",
        "customer.created",
        "customer.updated",
        "order.created",
        "order.updated",
        "inventory.updated",
    }


def test_retry_with_backoff_keeps_event_id_and_body(make_sandbox, receiver):
    server = make_sandbox(webhook_retry_base=0.05, webhook_max_attempts=4)
    sub = subscribe(server, url=receiver.url, events=["product.updated"])
    receiver.statuses = [500, 503]
    server.store.update_product(2, {"title": "Retry"}, partial=True)
    assert server.wait_for_deliveries(5)
    assert len(receiver.requests) == 3
    bodies = {r["body"] for r in receiver.requests}
    ids = {r["headers"]["Webhook-Id"] for r in receiver.requests}
    assert len(bodies) == 1 and len(ids) == 1
    for request in receiver.requests:
        Webhook(sub["secret"]).verify(request["body"], request["headers"])
    log = requests.get(
        f"{server.url}/api/v1/webhooks/{sub['id']}/deliveries", headers=HEADERS
    ).json()["data"]["items"]
    assert [(d["attempt"], d["status_code"], d["success"]) for d in log] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]
    assert log[0]["error"] == "HTTP 500" and log[0]["next_retry_at"]
    assert log[2]["error"] is None and log[2]["event_id"] == ids.pop()


def test_retries_stop_after_max_attempts_and_network_errors_count(make_sandbox):
    server = make_sandbox(webhook_retry_base=0.02, webhook_max_attempts=3)
    sub = subscribe(server, url="http://127.0.0.1:9/unreachable", events=["*"])
    server.store.update_product(2, {"title": "Lost"}, partial=True)
    assert server.wait_for_deliveries(5)
    log = server.webhooks.deliveries(sub["id"])
    assert [d["attempt"] for d in log] == [1, 2, 3]
    assert all(
        d["status_code"] is None and "ConnectionError" in d["error"] for d in log
    )
    assert log[-1]["next_retry_at"] is None


def test_delivery_does_not_block_the_api(make_sandbox):
    server = make_sandbox(webhook_timeout=3)
    # A listener that never answers: a socket that accepts but never replies.
    import socket

    sink = socket.socket()
    sink.bind(("127.0.0.1", 0))
    sink.listen(5)
    try:
        subscribe(
            server, url=f"http://127.0.0.1:{sink.getsockname()[1]}/", events=["*"]
        )
        import time

        started = time.monotonic()
        response = requests.patch(
            server.url + "/api/v1/products/1", json={"title": "Q"}, headers=HEADERS
        )
        assert response.status_code == 200
        assert time.monotonic() - started < 1
    finally:
        sink.close()


def test_duplicate_rate(make_sandbox, receiver):
    server = make_sandbox(faults=["webhooks:duplicate_rate=1"])
    sub = subscribe(server, url=receiver.url, events=["product.updated"])
    server.store.update_product(5, {"title": "Twice"}, partial=True)
    assert server.wait_for_deliveries(5)
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    ids = {r["headers"]["Webhook-Id"] for r in receiver.requests}
    assert len(ids) == 1
    log = server.webhooks.deliveries(sub["id"])
    assert sorted(d["duplicate"] for d in log) == [False, True]


def test_reorder(make_sandbox, receiver):
    server = make_sandbox(faults=["webhooks:product.*:reorder=4"], fault_seed=1)
    subscribe(server, url=receiver.url, events=["product.updated"])
    emitted = []
    for pid in (1, 2, 3, 4):
        emitted.append(
            server.store.update_product(pid, {"title": f"R{pid}"}, True)["id"]
        )
    assert server.wait_for_deliveries(5)
    received = [json.loads(r["body"])["data"]["id"] for r in receiver.requests]
    assert sorted(received) == emitted
    assert received != emitted


def test_reorder_flushes_an_incomplete_batch(make_sandbox, receiver):
    server = make_sandbox(faults=["webhooks:reorder=10"])
    subscribe(server, url=receiver.url, events=["product.updated"])
    server.store.update_product(1, {"title": "alone"}, True)
    assert server.wait_for_deliveries(5)
    assert len(receiver.requests) == 1
