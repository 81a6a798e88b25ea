"""Orders' taxes and payments: seeded mix, totals to the cent, admin payments
and the ``order.paid`` webhook."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

CENT = Decimal("0.01")


def data(response):
    assert response.status_code < 300, response.text
    return response.json()["data"]


def all_orders(api):
    url = api.base_url + "/api/v1/orders"
    return data(api.get(url, params={"per_page": 250}))["items"]


def test_seeded_mix_of_taxes_and_payments_with_totals_to_the_cent(make_sandbox, api):
    server = make_sandbox(seed_records=200, seed_payments=True)
    api.base_url = server.url
    orders = all_orders(api)
    assert len(orders) == 200
    statuses = Counter(o["financial_status"] for o in orders)
    assert set(statuses) == {"pending", "authorized", "paid", "partially_paid"}
    included = Counter(
        t["price_included"] for o in orders for x in o["lines"] for t in x["taxes"]
    )
    assert included[True] and included[False]
    assert any(not x["taxes"] for o in orders for x in o["lines"])
    for order in orders:
        total = Decimal(0)
        for line in order["lines"]:
            base = Decimal(line["price"]) * line["quantity"]
            base *= (100 - Decimal(line["discount"])) / 100
            base = base.quantize(CENT, "ROUND_HALF_UP")
            for tax in line["taxes"]:
                rate = Decimal(tax["rate"])
                if tax["price_included"]:
                    # The net amount is rounded, the tax is the rest.
                    net = (base * 100 / (100 + rate)).quantize(CENT, "ROUND_HALF_UP")
                    amount = base - net
                else:
                    amount = base * rate / 100
                    base += amount.quantize(CENT, "ROUND_HALF_UP")
                assert Decimal(tax["amount"]) == amount.quantize(CENT, "ROUND_HALF_UP")
            total += base
        assert Decimal(order["total"]) == total, order["id"]
        paid = sum(
            Decimal(p["amount"]) for p in order["payments"] if p["kind"] == "capture"
        )
        assert Decimal(order["amount_paid"]) == paid
        if order["financial_status"] == "paid":
            assert paid == Decimal(order["total"])
        if order["financial_status"] == "partially_paid":
            assert 0 < paid < Decimal(order["total"])


def test_default_seed_orders_keep_their_shape(api):
    order = all_orders(api)[0]
    assert "payments" not in order and "taxes" not in order["lines"][0]


def test_admin_payment_makes_the_order_paid_and_sends_order_paid(
    sandbox, api, receiver
):
    url = api.base_url + "/api/v1/webhooks"
    data(api.post(url, json={"url": receiver.url, "events": ["order.paid"]}))
    order = data(
        api.post(
            api.base_url + "/api/v1/orders",
            json={
                "customer_id": 1,
                "lines": [
                    {
                        "product_id": 1,
                        "quantity": 2,
                        "price": "10.00",
                        "taxes": [{"title": "VAT 21%", "rate": 21, "country": "BE"}],
                    }
                ],
                "payments": [],
            },
        )
    )
    assert (order["total"], order["tax_total"]) == ("24.20", "4.20")
    assert order["financial_status"] == "pending"
    admin = api.base_url + "/admin/simulate/payment"
    half = api.post(admin, json={"order_id": order["id"], "status": "partially_paid"})
    assert half.json()["financial_status"] == "partially_paid"
    assert half.json()["amount_paid"] == "12.10"
    assert not receiver.requests
    paid = api.post(admin, json={"order_id": order["id"], "gateway": "stripe"}).json()
    assert (paid["financial_status"], paid["amount_paid"]) == ("paid", "24.20")
    assert [p["gateway"] for p in paid["payments"]] == ["manual", "stripe"]
    assert sandbox.wait_for_deliveries(5)
    (delivery,) = receiver.requests
    assert json.loads(delivery["body"])["type"] == "order.paid"


def test_admin_total_skew(api):
    order = all_orders(api)[0]
    skewed = api.post(
        api.base_url + "/admin/simulate/total",
        json={"order_id": order["id"], "delta": "0.03"},
    ).json()
    assert Decimal(skewed["total"]) == Decimal(order["total"]) + Decimal("0.03")
