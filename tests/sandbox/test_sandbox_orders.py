"""Orders: discounts and totals, fulfil / cancel, their simulators and events."""

from __future__ import annotations

from decimal import Decimal

import requests

KEY = {"X-API-Key": "demo-api-key"}


def _post(sandbox, path, **kwargs):
    return requests.post(sandbox.url + path, headers=KEY, timeout=10, **kwargs)


def _order(sandbox, **fields):
    body = {"customer_id": 1, "lines": [{"sku": "SKU-00001", "quantity": 3}]}
    body.update(fields)
    response = _post(sandbox, "/api/v1/orders", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_discount_is_a_percentage_rounded_per_line(sandbox):
    order = _order(
        sandbox,
        lines=[
            {"sku": "SKU-00001", "quantity": 3, "price": "19.99", "discount": "10"},
            {"sku": "SKU-00002", "quantity": 1, "price": "0.05", "discount": "50"},
        ],
    )
    assert [line["discount"] for line in order["lines"]] == ["10.00", "50.00"]
    # 53.973 -> 53.97, and 0.025 -> 0.03 (half up, per line).
    assert order["total"] == "54.00"
    response = _post(
        sandbox,
        "/api/v1/orders",
        json={"customer_id": 1, "lines": [{"sku": "SKU-00001", "discount": "101"}]},
    )
    assert response.status_code == 422
    assert "lines[0].discount" in response.json()["errors"]


def test_seeded_totals_include_discounts(sandbox):
    orders = requests.get(
        sandbox.url + "/api/v1/orders", headers=KEY, params={"per_page": 250}
    ).json()["data"]["items"]
    discounted = [o for o in orders if any(x["discount"] != "0.00" for x in o["lines"])]
    assert discounted
    for order in orders:
        total = sum(
            (
                (
                    Decimal(x["price"])
                    * x["quantity"]
                    * (100 - Decimal(x["discount"]))
                    / 100
                ).quantize(Decimal("0.01"), "ROUND_HALF_UP")
                for x in order["lines"]
            ),
            Decimal(0),
        )
        assert Decimal(order["total"]) == total, order["id"]


def test_fulfil_and_cancel_are_idempotent_and_guarded(sandbox):
    order = _order(sandbox, status="paid")
    path = f"/api/v1/orders/{order['id']}"
    first = _post(sandbox, path + "/fulfil")
    assert first.status_code == 200
    assert first.json()["data"]["status"] == "fulfilled"
    again = _post(sandbox, path + "/fulfil")
    assert again.status_code == 200
    assert again.json()["data"]["updated_at"] == first.json()["data"]["updated_at"]
    refused = _post(sandbox, path + "/cancel")
    assert refused.status_code == 409
    assert "fulfilled" in refused.json()["message"]

    other = _order(sandbox)
    cancelled = _post(sandbox, f"/api/v1/orders/{other['id']}/cancel")
    assert cancelled.json()["data"]["status"] == "cancelled"
    assert _post(sandbox, f"/api/v1/orders/{other['id']}/fulfil").status_code == 409
    assert _post(sandbox, "/api/v1/orders/999999/cancel").status_code == 404


def test_order_simulators_emit_updated_and_cancelled(sandbox):
    events = []

    def listener(kind, record):
        events.append(kind)

    sandbox.store.subscribe(listener)
    try:
        order = _order(sandbox)
        response = requests.post(
            sandbox.url + "/admin/simulate/order_update",
            json={"order_id": order["id"]},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        updated = response.json()
        assert updated["lines"][0]["quantity"] == 4
        assert updated["total"] != order["total"]
        response = requests.post(
            sandbox.url + "/admin/simulate/order_cancel",
            json={"order_id": order["id"]},
            timeout=10,
        )
        assert response.json()["status"] == "cancelled"
        assert (
            requests.post(
                sandbox.url + "/admin/simulate/order_cancel", json={}, timeout=10
            ).status_code
            == 422
        )
    finally:
        sandbox.store.unsubscribe(listener)
    assert events == ["order.created", "order.updated", "order.cancelled"]
