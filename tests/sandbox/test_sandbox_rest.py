"""REST API: CRUD, pagination styles, envelopes, filters, preconditions."""

from __future__ import annotations

import re

import pytest

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def data(response):
    body = response.json()
    return body["data"] if "data" in body else body["response"]["result"]


def test_product_crud(api):
    url = api.base_url + "/api/v1/products"
    created = api.post(url, json={"title": "Mug", "price": 9.9, "sku": "MUG-1"})
    assert created.status_code == 201
    product = data(created)
    assert created.headers["Location"] == f"{url}/{product['id']}"
    assert product["price"] == "9.90" and product["sku"] == "MUG-1"
    assert product["variants"] == [
        {
            "id": product["id"] * 100 + 1,
            "title": "Default",
            "sku": "MUG-1",
            "price": "9.90",
            "stock": 0,
        }
    ]
    assert (
        TS.match(product["created_at"])
        and product["created_at"] == product["updated_at"]
    )

    fetched = api.get(f"{url}/{product['id']}")
    assert fetched.status_code == 200 and data(fetched) == product
    assert fetched.headers["ETag"] == f'"{product["updated_at"]}"'

    patched = data(api.patch(f"{url}/{product['id']}", json={"price": "12.5"}))
    assert patched["price"] == "12.50" == patched["variants"][0]["price"]
    assert patched["updated_at"] > product["updated_at"]
    assert patched["title"] == "Mug"

    put = api.put(f"{url}/{product['id']}", json={"title": "Big mug", "price": "3"})
    assert put.status_code == 200
    assert data(put)["title"] == "Big mug" and data(put)["description"] == ""

    assert api.delete(f"{url}/{product['id']}").status_code == 204
    gone = api.get(f"{url}/{product['id']}")
    assert gone.status_code == 404
    assert gone.json() == {
        "status": "error",
        "message": f"Product {product['id']} not found",
    }


def test_variants_and_top_level_fields_stay_in_sync(api):
    url = api.base_url + "/api/v1/products/1"
    body = data(
        api.patch(
            url,
            json={
                "variants": [
                    {"sku": "A-1", "price": "5", "stock": 7},
                    {"sku": "A-2", "price": "6"},
                ]
            },
        )
    )
    assert body["sku"] == "A-1" and body["price"] == "5.00"
    assert [v["sku"] for v in body["variants"]] == ["A-1", "A-2"]
    assert body["variants"][0]["stock"] == 7
    body = data(api.patch(url, json={"sku": "A-0"}))
    assert body["variants"][0]["sku"] == "A-0" == body["sku"]
    levels = data(api.get(api.base_url + "/api/v1/inventory_levels?sku=A-0"))["items"]
    assert sum(level["available"] for level in levels) == 7


def test_validation_and_conflicts(api):
    url = api.base_url + "/api/v1/products"
    invalid = api.post(
        url, json={"title": "", "price": "-1", "status": "x", "bogus": 1}
    )
    assert invalid.status_code == 422
    errors = invalid.json()["errors"]
    assert set(errors) == {"title", "price", "status", "bogus"}
    assert invalid.json()["status"] == "error"

    malformed = api.post(
        url, data="{not json", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.json()["message"].startswith("Malformed JSON")

    duplicate = api.post(url, json={"title": "Dup", "price": "1", "sku": "SKU-00002"})
    assert duplicate.status_code == 409
    assert "sku" in duplicate.json()["errors"]

    customers = api.base_url + "/api/v1/customers"
    assert (
        api.post(customers, json={"email": "customer1@example.com"}).status_code == 409
    )
    assert api.post(customers, json={"email": "nope"}).status_code == 422


def test_customer_and_order_crud(api):
    base = api.base_url + "/api/v1"
    customer = api.post(
        base + "/customers",
        json={
            "email": "new@example.com",
            "first_name": "New",
            "last_name": "Person",
            "addresses": [{"address1": "1 Rue", "city": "Paris", "country_code": "FR"}],
        },
    )
    assert customer.status_code == 201
    customer = data(customer)
    assert customer["addresses"][0]["default"] is True
    order = api.post(
        base + "/orders",
        json={
            "customer_id": customer["id"],
            "lines": [{"sku": "SKU-00001", "quantity": 2}, {"product_id": 2}],
        },
    )
    assert order.status_code == 201
    order = data(order)
    assert order["status"] == "pending" and order["number"] == f"#{1000 + order['id']}"
    expected = sum(float(line["price"]) * line["quantity"] for line in order["lines"])
    assert float(order["total"]) == pytest.approx(expected)
    paid = data(api.patch(f"{base}/orders/{order['id']}", json={"status": "paid"}))
    assert paid["status"] == "paid"
    bad = api.post(base + "/orders", json={"customer_id": 99999, "lines": []})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"customer_id", "lines"}
    renamed = api.patch(
        f"{base}/customers/{customer['id']}", json={"first_name": "Ann"}
    )
    assert data(renamed)["first_name"] == "Ann"
    assert api.delete(f"{base}/orders/{order['id']}").status_code == 204
    assert api.delete(f"{base}/customers/{customer['id']}").status_code == 204


def test_offset_pagination_walks_all_records_in_id_order(api):
    url = api.base_url + "/api/v1/products"
    seen = []
    page = 1
    while True:
        body = data(api.get(url, params={"page": page, "per_page": 7}))
        assert body["total"] == 30 and body["page"] == page and body["per_page"] == 7
        assert body["next_cursor"] is None
        if not body["items"]:
            break
        seen += [item["id"] for item in body["items"]]
        page += 1
    assert seen == list(range(1, 31))
    assert data(api.get(url, params={"per_page": 999}))["per_page"] == 250
    assert api.get(url, params={"page": 0}).status_code == 400
    assert api.get(url, params={"per_page": "x"}).status_code == 400


def test_cursor_pagination(api):
    url = api.base_url + "/api/v1/customers"
    seen, cursor = [], None
    while True:
        params = {"pagination": "cursor", "limit": 4}
        if cursor:
            params["cursor"] = cursor
        body = data(api.get(url, params=params))
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == list(range(1, 16))
    bad = api.get(url, params={"pagination": "cursor", "cursor": "!!garbage"})
    assert bad.status_code == 400


def test_link_pagination(api):
    url = api.base_url + "/api/v1/orders"
    response = api.get(url, params={"pagination": "link", "per_page": 10})
    assert response.links["next"]["url"].startswith(api.base_url)
    assert "prev" not in response.links
    seen = [o["id"] for o in data(response)["items"]]
    while "next" in response.links:
        response = api.get(response.links["next"]["url"])
        assert response.links["prev"]["url"].startswith(
            api.base_url + "/api/v1/orders?"
        )
        seen += [o["id"] for o in data(response)["items"]]
    assert seen == list(range(1, 31))
    assert "next" not in response.links
    single = api.get(url, params={"pagination": "link", "per_page": 250})
    assert "Link" not in single.headers
    # Absolute URLs follow the request's Host header.
    hosted = api.get(
        url,
        params={"pagination": "link", "per_page": 10},
        headers={"Host": "shop.test:81"},
    )
    assert hosted.links["next"]["url"].startswith("http://shop.test:81/api/v1/orders?")


def test_server_default_pagination_and_envelope(make_sandbox):
    import requests

    server = make_sandbox(
        pagination="cursor",
        envelope="nested",
        endpoint_envelopes={"GET /api/v1/orders": "wrapped"},
    )
    headers = {"X-API-Key": "demo-api-key"}
    body = requests.get(server.url + "/api/v1/products?limit=5", headers=headers).json()
    assert body["response"]["result"]["next_cursor"]
    assert body["response"]["result"]["page"] is None
    assert (
        "status" in requests.get(server.url + "/api/v1/orders", headers=headers).json()
    )


def test_envelopes(api):
    url = api.base_url + "/api/v1/products"
    wrapped = api.get(url, params={"per_page": 2}).json()
    assert wrapped["status"] == "success"
    assert set(wrapped["data"]) == {"items", "total", "page", "per_page", "next_cursor"}
    nested = api.get(url, params={"per_page": 2, "envelope": "nested"}).json()
    assert set(nested) == {"response"}
    assert nested["response"]["result"]["items"] == wrapped["data"]["items"]
    one = api.get(url + "/3", params={"envelope": "nested"}).json()
    assert one["response"]["result"]["id"] == 3
    error = api.get(url + "/999", params={"envelope": "nested"}).json()
    assert error["status"] == "error"
    assert api.get(url, params={"envelope": "weird"}).status_code == 400


def test_envelope_per_endpoint_via_admin(api):
    admin = api.base_url + "/admin/settings"
    settings = api.put(
        admin, json={"endpoint_envelopes": {"GET /api/v1/customers*": "nested"}}
    )
    assert settings.status_code == 200
    assert "response" in api.get(api.base_url + "/api/v1/customers").json()
    assert "response" in api.get(api.base_url + "/api/v1/customers/1").json()
    assert "status" in api.get(api.base_url + "/api/v1/products").json()
    assert api.delete(admin).json()["endpoint_envelopes"] == {}
    assert "status" in api.get(api.base_url + "/api/v1/customers").json()


def test_updated_since_is_strictly_greater(api, sandbox):
    url = api.base_url + "/api/v1/products"
    first = data(api.patch(url + "/5", json={"description": "one"}))
    second = data(api.patch(url + "/9", json={"description": "two"}))
    body = data(api.get(url, params={"updated_since": first["updated_at"]}))
    assert [item["id"] for item in body["items"]] == [9]
    body = data(api.get(url, params={"updated_since": "2000-01-01T00:00:00Z"}))
    assert body["total"] == 30
    assert (
        data(api.get(url, params={"updated_since": second["updated_at"]}))["total"] == 0
    )
    assert api.get(url, params={"updated_since": "yesterday"}).status_code == 400


def test_updated_at_strictly_increases_even_within_a_microsecond(sandbox):
    stamps = []
    for _ in range(200):
        product = sandbox.store.update_product(1, {"description": "x"}, partial=True)
        stamps.append(product["updated_at"])
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_preconditions(api):
    url = api.base_url + "/api/v1/products/4"
    current = api.get(url)
    etag = current.headers["ETag"]
    stale = api.patch(url, json={"title": "a"}, headers={"If-Match": '"1999-01-01"'})
    assert stale.status_code == 412
    fresh = api.patch(url, json={"title": "b"}, headers={"If-Match": etag})
    assert fresh.status_code == 200
    # The old ETag is now stale too.
    assert (
        api.patch(url, json={"title": "c"}, headers={"If-Match": etag}).status_code
        == 412
    )
    before = data(current)["updated_at"]
    unmodified = api.put(
        url, json={"title": "d", "price": "1"}, headers={"If-Unmodified-Since": before}
    )
    assert unmodified.status_code == 412
    later = data(fresh)["updated_at"]
    assert api.delete(url, headers={"If-Unmodified-Since": later}).status_code == 204


def test_inventory_and_locations(api):
    base = api.base_url + "/api/v1"
    locations = data(api.get(base + "/locations"))["items"]
    assert [loc["id"] for loc in locations] == [1, 2]
    levels = data(api.get(base + "/inventory_levels", params={"per_page": 250}))
    assert levels["items"][0].keys() == {
        "variant_id",
        "sku",
        "location_id",
        "available",
        "updated_at",
    }
    updated = api.post(
        base + "/inventory_levels/set",
        json={"sku": "SKU-00002", "location_id": 2, "available": 11},
    )
    assert updated.status_code == 200 and data(updated)["available"] == 11
    product = data(api.get(base + "/products/2"))
    stock = sum(
        lvl["available"]
        for lvl in data(
            api.get(base + "/inventory_levels", params={"variant_id": 201})
        )["items"]
    )
    assert product["variants"][0]["stock"] == stock
    unknown = api.post(
        base + "/inventory_levels/set", json={"sku": "nope", "available": 1}
    )
    assert unknown.status_code == 404


def test_method_not_allowed_and_unknown_path(api):
    response = api.delete(api.base_url + "/api/v1/products")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    assert api.get(api.base_url + "/api/v1/nothing").status_code == 404


def test_admin_simulations(api, sandbox):
    admin = api.base_url + "/admin"
    assert api.get(admin + "/health").json() == {"status": "ok"}
    order = api.post(admin + "/simulate/order", json={})
    assert order.status_code == 201 and order.json()["id"] == 31
    level = api.post(
        admin + "/simulate/stock",
        json={"sku": "SKU-00003", "location_id": 1, "delta": -2},
    ).json()
    assert level["sku"] == "SKU-00003"
    price = api.post(admin + "/simulate/price", json={"product_id": 3, "price": "42"})
    assert price.json()["price"] == "42.00"
    touched = api.post(admin + "/simulate/touch", json={"count": 5}).json()
    assert len(touched["ids"]) == 5
    for pid in touched["ids"]:
        assert sandbox.store.get_product(pid)["description"].endswith(")")
    assert api.post(admin + "/reset", json={"seed_records": 10}).status_code == 200
    assert data(api.get(api.base_url + "/api/v1/products"))["total"] == 10


def test_seed_is_deterministic(make_sandbox):
    first = make_sandbox(seed_records=20, seed=7).store
    second = make_sandbox(seed_records=20, seed=7).store
    other = make_sandbox(seed_records=20, seed=8).store
    assert [first.products.json(i) for i in first.products.ids] == [
        second.products.json(i) for i in second.products.ids
    ]
    assert first.products.json(1) != other.products.json(1)
    assert (len(first.products), len(first.customers), len(first.orders)) == (
        20,
        10,
        20,
    )


def test_admin_silent_change_keeps_updated_at_and_sends_nothing(api, sandbox):
    """A change whose ``updated_at`` does not move: a list filtered by
    ``updated_since`` does not show it, a full list does."""
    before = sandbox.store.get_product(4)
    events = []
    sandbox.store.subscribe(lambda event_type, record: events.append(event_type))
    changed = api.post(
        api.base_url + "/admin/simulate/silent",
        json={"product_id": 4, "fields": {"title": "Renamed quietly"}},
    ).json()
    assert changed["title"] == "Renamed quietly"
    assert changed["updated_at"] == before["updated_at"]
    assert events == []
    products = api.get(api.base_url + "/api/v1/products", params={"per_page": 100})
    titles = {p["id"]: p["title"] for p in data(products)["items"]}
    assert titles[4] == "Renamed quietly"
    since = api.get(
        api.base_url + "/api/v1/products",
        params={"updated_since": before["updated_at"]},
    )
    assert 4 not in {p["id"] for p in data(since)["items"]}
    refused = api.post(
        api.base_url + "/admin/simulate/silent",
        json={"product_id": 4, "fields": {"title": 7}},
    )
    assert refused.status_code == 422
