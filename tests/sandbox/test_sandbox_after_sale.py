"""Fulfilments and refunds: partial shipments, over-fulfilment refused,
refund amounts to the cent, the admin simulators and their webhooks."""

from __future__ import annotations

import json

import requests

KEY = {"X-API-Key": "demo-api-key"}


def subscribe(server, **body):
    response = requests.post(server.url + "/api/v1/webhooks", json=body, headers=KEY)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def _call(sandbox, method, path, **kwargs):
    return requests.request(
        method, sandbox.url + path, headers=KEY, timeout=10, **kwargs
    )


def _order(sandbox):
    body = {
        "customer_id": 1,
        "lines": [
            {"sku": "SKU-00001", "quantity": 3, "price": "19.99", "discount": "10"},
            {"sku": "SKU-00002", "quantity": 1, "price": "5.00"},
        ],
    }
    response = _call(sandbox, "POST", "/api/v1/orders", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_partial_shipments_then_over_fulfilment_is_refused(sandbox):
    order = _order(sandbox)
    first, second = (line["id"] for line in order["lines"])
    path = f"/api/v1/orders/{order['id']}/fulfillments"
    response = _call(
        sandbox,
        "POST",
        path,
        json={
            "tracking_company": "UPS",
            "tracking_number": "1Z001",
            "reference": "WH/OUT/00001",
            "lines": [{"line_id": first, "quantity": 2}],
        },
    )
    assert response.status_code == 201, response.text
    shipped = response.json()["data"]
    assert shipped["lines"] == [{"line_id": first, "sku": "SKU-00001", "quantity": 2}]
    assert shipped["tracking_number"] == "1Z001"
    # Two more of a line with one left: refused, the line named.
    response = _call(
        sandbox, "POST", path, json={"lines": [{"line_id": first, "quantity": 2}]}
    )
    assert response.status_code == 422
    message = response.json()["errors"]["lines[0].quantity"][0]
    assert message == (
        f"line {first} (SKU-00001): 3 ordered, 2 fulfilled already, 2 more is too many"
    )
    # Without lines: everything left.
    response = _call(sandbox, "POST", path, json={"tracking_number": "1Z002"})
    assert response.status_code == 201, response.text
    assert response.json()["data"]["lines"] == [
        {"line_id": first, "sku": "SKU-00001", "quantity": 1},
        {"line_id": second, "sku": "SKU-00002", "quantity": 1},
    ]
    listed = _call(sandbox, "GET", path).json()["data"]["items"]
    assert [f["tracking_number"] for f in listed] == ["1Z001", "1Z002"]
    again = _call(sandbox, "GET", f"/api/v1/orders/{order['id']}").json()["data"]
    assert again["fulfillments"] == listed
    assert again["updated_at"] > order["updated_at"]
    response = _call(sandbox, "POST", path, json={})
    assert response.status_code == 422
    assert "nothing left to fulfil" in response.json()["errors"]["lines"][0]


def test_cancelled_order_is_not_fulfilled(sandbox):
    order = _order(sandbox)
    _call(sandbox, "POST", f"/api/v1/orders/{order['id']}/cancel")
    response = _call(
        sandbox, "POST", f"/api/v1/orders/{order['id']}/fulfillments", json={}
    )
    assert response.status_code == 409


def test_refund_amounts_to_the_cent_and_limits(sandbox):
    order = _order(sandbox)
    first, second = (line["id"] for line in order["lines"])
    path = f"/api/v1/orders/{order['id']}/refunds"
    response = _call(
        sandbox,
        "POST",
        path,
        json={
            "lines": [
                {"line_id": first, "quantity": 1},
                {"line_id": second, "quantity": 1},
            ],
            "shipping": "4.9",
            "restock": True,
            "note": "damaged",
        },
    )
    assert response.status_code == 201, response.text
    refund = response.json()["data"]
    # 19.99 less 10% = 17.991 -> 17.99; and 5.00; and 4.90 of shipping.
    assert [x["amount"] for x in refund["lines"]] == ["17.99", "5.00"]
    assert (refund["shipping"], refund["total"], refund["restock"]) == (
        "4.90",
        "27.89",
        True,
    )
    response = _call(
        sandbox, "POST", path, json={"lines": [{"line_id": second, "quantity": 1}]}
    )
    assert response.status_code == 422
    assert "1 ordered, 1 refunded already" in response.text
    for body in ({}, {"shipping": "-1"}, {"restock": "yes"}, {"bogus": 1}):
        assert _call(sandbox, "POST", path, json=body).status_code == 422, body
    assert _call(sandbox, "GET", path).json()["data"]["items"] == [refund]
    assert _call(sandbox, "GET", "/api/v1/orders/999999/refunds").status_code == 404


def test_simulators_emit_their_events(make_sandbox, receiver):
    server = make_sandbox()
    subscribe(server, url=receiver.url, events=["*"])
    order = server.store.create_order(
        {"customer_id": 1, "lines": [{"sku": "SKU-00001", "quantity": 2}]}
    )
    response = requests.post(
        server.url + "/admin/simulate/fulfillment",
        json={"order_id": order["id"], "tracking_number": "TRK-9"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    response = requests.post(
        server.url + "/admin/simulate/refund",
        json={"order_id": order["id"], "shipping": "2.00", "restock": False},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    bad = requests.post(server.url + "/admin/simulate/refund", json={}, timeout=10)
    assert bad.status_code == 422
    assert server.wait_for_deliveries(5)
    events = [json.loads(r["body"]) for r in receiver.requests]
    by_type = {e["type"]: e["data"] for e in events}
    assert by_type["fulfillment.created"]["tracking_number"] == "TRK-9"
    assert by_type["fulfillment.created"]["order_id"] == order["id"]
    assert by_type["refund.created"]["total"] == "2.00"
