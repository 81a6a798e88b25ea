"""The Django-REST-framework dialect under /drf/api/ (sandbox/drf.py)."""

from __future__ import annotations

import requests

TOKEN = {"Authorization": "Token demo-drf-token"}


def get(sandbox, path, **kwargs):
    kwargs.setdefault("headers", TOKEN)
    url = path if path.startswith("http") else sandbox.url + path
    return requests.get(url, timeout=5, **kwargs)


def test_token_auth_is_the_only_credential(sandbox):
    for headers in (
        {},
        {"X-API-Key": "demo-api-key"},
        {"Authorization": "Bearer demo-token"},
    ):
        response = get(sandbox, "/drf/api/products/", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Token"
        assert response.json() == {
            "detail": "Authentication credentials were not provided."
        }
    bad = get(sandbox, "/drf/api/products/", headers={"Authorization": "Token nope"})
    assert (bad.status_code, bad.json()) == (401, {"detail": "Invalid token."})


def test_pages_carry_count_and_full_next_urls_with_a_capped_size(make_sandbox):
    sandbox = make_sandbox(seed_records=230)
    first = get(sandbox, "/drf/api/products/?page_size=500").json()
    assert first["count"] == 230
    assert len(first["results"]) == 100  # capped silently
    assert first["previous"] is None
    assert first["next"] == f"{sandbox.url}/drf/api/products/?page_size=500&page=2"
    seen, url = [], f"{sandbox.url}/drf/api/products/?page_size=500"
    while url:
        page = get(sandbox, url).json()
        seen += [stub["id"] for stub in page["results"]]
        url = page["next"]
    assert seen == list(range(1, 231))
    last = get(sandbox, "/drf/api/products/?page_size=100&page=3").json()
    assert last["previous"] == f"{sandbox.url}/drf/api/products/?page_size=100&page=2"
    past = get(sandbox, "/drf/api/products/?page=4&page_size=100")
    assert (past.status_code, past.json()) == (404, {"detail": "Invalid page."})


def test_lists_hold_stubs_and_ignore_a_changed_since_filter(sandbox):
    everything = get(sandbox, "/drf/api/products/?page_size=100").json()
    since = get(
        sandbox, "/drf/api/products/?page_size=100&updated_since=2030-01-01T00:00:00Z"
    ).json()
    assert since == everything
    stub = everything["results"][0]
    assert stub == {
        "id": 1,
        "url": f"{sandbox.url}/drf/api/products/1/",
        "title": sandbox.store.get_product(1)["title"],
    }


def test_parent_products_carry_children_with_option_values(sandbox):
    parent = next(
        p for p in sandbox.store.products.records.values() if len(p["variants"]) > 1
    )
    detail = get(sandbox, f"/drf/api/products/{parent['id']}/").json()
    assert detail["structure"] == "parent"
    assert detail["upc"] is None
    assert [c["upc"] for c in detail["children"]] == [
        v["sku"] for v in parent["variants"]
    ]
    child = detail["children"][1]
    assert child["parent"] == parent["id"]
    assert child["attributes"] == [
        {"code": "option", "name": "Option", "value": parent["variants"][1]["title"]}
    ]
    assert detail["price"] == f"{sandbox.url}/drf/api/products/{parent['id']}/price/"
    prices = get(sandbox, detail["price"]).json()
    assert prices == [
        {"upc": v["sku"], "currency": parent["currency"], "excl_tax": v["price"]}
        for v in parent["variants"]
    ]
    stock = get(sandbox, detail["stockrecords"]).json()
    assert {(row["upc"], row["location"]) for row in stock} == {
        (v["sku"], loc) for v in parent["variants"] for loc in (1, 2)
    }
    first = parent["variants"][0]
    assert (
        sum(r["num_in_stock"] for r in stock if r["upc"] == first["sku"])
        == first["stock"]
    )


def test_standalone_products_are_their_own_sellable_row(sandbox):
    single = next(
        p for p in sandbox.store.products.records.values() if len(p["variants"]) == 1
    )
    detail = get(sandbox, f"/drf/api/products/{single['id']}/").json()
    assert (detail["structure"], detail["upc"], detail["children"]) == (
        "standalone",
        single["sku"],
        [],
    )
    sandbox.store.set_inventory(sku=single["sku"], location_id=2, available=7)
    stock = get(sandbox, detail["stockrecords"]).json()
    assert {
        "upc": single["sku"],
        "partner": "Retail Store",
        "location": 2,
        "num_in_stock": 7,
    } in stock


def test_a_path_without_its_slash_is_moved_there(sandbox):
    response = get(sandbox, "/drf/api/products/3?x=1", allow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"] == f"{sandbox.url}/drf/api/products/3/?x=1"


def test_deleted_products_vanish_and_writes_are_refused(sandbox):
    sandbox.store.delete_product(2)
    ids = [
        s["id"]
        for s in get(sandbox, "/drf/api/products/?page_size=100").json()["results"]
    ]
    assert 2 not in ids and len(ids) == 29
    for view in ("", "price/", "stockrecords/"):
        gone = get(sandbox, f"/drf/api/products/2/{view}")
        assert (gone.status_code, gone.json()) == (404, {"detail": "Not found."})
    refused = requests.post(
        f"{sandbox.url}/drf/api/products/", headers=TOKEN, timeout=5
    )
    assert refused.status_code == 405


def test_the_shared_rate_limit_and_faults_apply(make_sandbox):
    sandbox = make_sandbox(rate_limit=3, faults=["GET /drf/api/*:latency_ms=50"])
    statuses = [get(sandbox, "/drf/api/products/1/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = get(sandbox, "/drf/api/products/1/")
    assert throttled.headers["Retry-After"]
    assert throttled.json()["detail"].startswith("Request was throttled.")
    assert get(sandbox, "/drf/api/products/1/").elapsed.total_seconds() >= 0.05
