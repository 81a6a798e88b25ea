"""Images and categories: PNGs served with a checksum, downloads counted per
URL, an admin change of one image, a category tree with products in it."""

import hashlib

import pytest


def get(api, path, **kwargs):
    response = api.get(api.base_url + path, timeout=5, **kwargs)
    response.raise_for_status()
    return response


def test_products_carry_an_image_and_a_category(api):
    products = get(api, "/api/v1/products", params={"per_page": 30}).json()["data"]
    categories = get(api, "/api/v1/categories").json()["data"]["items"]
    by_id = {c["id"]: c for c in categories}
    assert {c["parent_id"] for c in categories} - set(by_id) == {None}
    assert any(c["parent_id"] for c in categories)  # a tree, not a list
    variant_images = 0
    for product in products["items"]:
        assert product["category_id"] in by_id
        image = product["image"]
        body = get(api, image["url"])
        assert body.headers["Content-Type"] == "image/png"
        assert body.content.startswith(b"\x89PNG\r\n\x1a\n")
        assert hashlib.sha256(body.content).hexdigest() == image["checksum"]
        for variant in product["variants"]:
            if variant["image"]:
                variant_images += 1
                assert variant["image"]["checksum"] != image["checksum"]
    assert variant_images  # some variants have their own image


def test_downloads_are_counted_per_url_and_reset(api, sandbox):
    url = get(api, "/api/v1/products/3").json()["data"]["image"]["url"]
    get(api, url)
    get(api, url)
    counts = api.get(sandbox.url + "/admin/images", timeout=5).json()
    assert counts["downloads"] == {url: 2}
    assert counts["total"] == 2
    api.delete(sandbox.url + "/admin/images", timeout=5).raise_for_status()
    assert api.get(sandbox.url + "/admin/images", timeout=5).json()["total"] == 0


def test_changing_an_image_gives_new_content_and_checksum(api, sandbox):
    before = get(api, "/api/v1/products/4").json()["data"]
    answer = api.post(
        sandbox.url + "/admin/simulate/image", json={"product_id": 4}, timeout=5
    )
    answer.raise_for_status()
    after = get(api, "/api/v1/products/4").json()["data"]
    assert after["updated_at"] > before["updated_at"]
    assert after["image"]["checksum"] != before["image"]["checksum"]
    content = get(api, after["image"]["url"]).content
    assert hashlib.sha256(content).hexdigest() == after["image"]["checksum"]
    assert content != get(api, before["image"]["url"]).content


def test_a_variant_image_changes_alone(api, sandbox):
    products = get(api, "/api/v1/products", params={"per_page": 30}).json()["data"]
    product = next(p for p in products["items"] if len(p["variants"]) > 1)
    variant = product["variants"][1]
    api.post(
        sandbox.url + "/admin/simulate/image",
        json={"product_id": product["id"], "variant_id": variant["id"]},
        timeout=5,
    ).raise_for_status()
    after = get(api, f"/api/v1/products/{product['id']}").json()["data"]
    assert after["image"] == product["image"]
    changed = after["variants"][1]["image"]
    assert changed and changed != variant["image"]


@pytest.mark.parametrize(
    "path", ["/api/v1/images/nothing.png", "/api/v1/images/product-9999.png"]
)
def test_unknown_image_is_a_404(api, path):
    assert api.get(api.base_url + path, timeout=5).status_code == 404


def test_product_moves_to_another_category(api):
    product = get(api, "/api/v1/products/5").json()["data"]
    target = 6 if product["category_id"] != 6 else 2
    answer = api.patch(
        api.base_url + "/api/v1/products/5", json={"category_id": target}, timeout=5
    )
    answer.raise_for_status()
    assert answer.json()["data"]["category_id"] == target
    bad = api.patch(
        api.base_url + "/api/v1/products/5", json={"category_id": 999}, timeout=5
    )
    assert bad.status_code == 422
