"""Server shapes met on real APIs, as sandbox options: a page size cap below
the one asked (``max_per_page``), 404 "Invalid page" past the last page
(``past_end_404``), an envelope announcing more than it holds
(``total_extra``), and routes that end with a slash (``trailing_slash``)."""

from __future__ import annotations

import requests

API_KEY = {"X-API-Key": "demo-api-key"}


def get(server, path, **kwargs):
    return requests.get(
        server.url + path, headers=API_KEY, allow_redirects=False, **kwargs
    )


def test_max_per_page_caps_the_page_size(make_sandbox):
    server = make_sandbox(max_per_page=7)
    body = get(server, "/api/v1/products", params={"per_page": 50}).json()["data"]
    assert (len(body["items"]), body["per_page"], body["total"]) == (7, 7, 30)


def test_past_end_404_answers_invalid_page(make_sandbox):
    server = make_sandbox(past_end_404=True)
    last = get(server, "/api/v1/products", params={"per_page": 10, "page": 3})
    assert len(last.json()["data"]["items"]) == 10
    past = get(server, "/api/v1/products", params={"per_page": 10, "page": 4})
    assert past.status_code == 404
    assert past.json()["message"] == "Invalid page"


def test_total_extra_announces_more_than_there_is(make_sandbox):
    server = make_sandbox(total_extra=5)
    body = get(server, "/api/v1/products", params={"per_page": 50}).json()["data"]
    assert (len(body["items"]), body["total"]) == (30, 35)


def test_trailing_slash_routes(make_sandbox):
    server = make_sandbox(trailing_slash=True)
    assert get(server, "/api/v1/products/1/").status_code == 200
    assert get(server, "/api/v1/products/", params={"per_page": 2}).status_code == 200
    moved = get(server, "/api/v1/products/1", params={"x": 1})
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/api/v1/products/1/?x=1")
    patched = requests.patch(
        server.url + "/api/v1/products/1",
        json={"title": "x"},
        headers=API_KEY,
        allow_redirects=False,
    )
    assert patched.status_code == 301
