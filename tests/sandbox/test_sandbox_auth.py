"""Each auth mode, its failures, and the per-credential rate limit."""

from __future__ import annotations

import time

import requests

PRODUCTS = "/api/v1/products"


def test_api_key(sandbox):
    ok = requests.get(sandbox.url + PRODUCTS, headers={"X-API-Key": "demo-api-key"})
    assert ok.status_code == 200
    bad = requests.get(sandbox.url + PRODUCTS, headers={"X-API-Key": "wrong"})
    assert bad.status_code == 401
    assert "ApiKey" in bad.headers["WWW-Authenticate"]
    assert bad.json() == {"status": "error", "message": "Invalid API key"}


def test_missing_credentials(sandbox):
    response = requests.get(sandbox.url + PRODUCTS)
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert "Bearer" in challenge and "Basic" in challenge
    assert response.json()["status"] == "error"


def test_readonly_key_can_read_but_not_write(sandbox):
    headers = {"X-API-Key": "readonly-api-key"}
    assert (
        requests.get(sandbox.url + PRODUCTS + "/1", headers=headers).status_code == 200
    )
    for method in ("post", "put", "patch", "delete"):
        url = sandbox.url + PRODUCTS + ("" if method == "post" else "/1")
        response = getattr(requests, method)(url, json={"title": "x"}, headers=headers)
        assert response.status_code == 403, method
        assert response.json()["message"] == "This credential is read-only"
    assert sandbox.store.get_product(1)["title"] != "x"


def test_static_bearer_token(sandbox):
    ok = requests.get(
        sandbox.url + PRODUCTS, headers={"Authorization": "Bearer demo-token"}
    )
    assert ok.status_code == 200
    bad = requests.get(sandbox.url + PRODUCTS, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert 'error="invalid_token"' in bad.headers["WWW-Authenticate"]


def test_basic_auth(sandbox):
    assert requests.get(sandbox.url + PRODUCTS, auth=("demo", "demo-password")).ok
    bad = requests.get(sandbox.url + PRODUCTS, auth=("demo", "wrong"))
    assert bad.status_code == 401 and "Basic" in bad.headers["WWW-Authenticate"]


def test_oauth_client_credentials_form_and_basic(sandbox):
    url = sandbox.url + "/oauth/token"
    form = {
        "grant_type": "client_credentials",
        "client_id": "demo-client",
        "client_secret": "demo-secret",
    }
    token = requests.post(url, data=form).json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    via_basic = requests.post(
        url,
        data={"grant_type": "client_credentials"},
        auth=("demo-client", "demo-secret"),
    )
    assert via_basic.status_code == 200
    for access in (token["access_token"], via_basic.json()["access_token"]):
        headers = {"Authorization": f"Bearer {access}"}
        assert (
            requests.post(
                sandbox.url + PRODUCTS,
                json={"title": "T", "price": "1"},
                headers=headers,
            ).status_code
            == 201
        )
    bad_secret = requests.post(url, data={**form, "client_secret": "x"})
    assert (
        bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"
    )
    bad_grant = requests.post(url, data={**form, "grant_type": "password"})
    assert bad_grant.status_code == 400
    assert bad_grant.json()["error"] == "unsupported_grant_type"


def test_oauth_read_scope_is_read_only(sandbox):
    token = requests.post(
        sandbox.url + "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "demo-client",
            "client_secret": "demo-secret",
            "scope": "read",
        },
    ).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert requests.get(sandbox.url + PRODUCTS, headers=headers).status_code == 200
    assert (
        requests.delete(sandbox.url + PRODUCTS + "/1", headers=headers).status_code
        == 403
    )


def test_expired_oauth_token(make_sandbox):
    server = make_sandbox(token_ttl=0.3)
    token = requests.post(
        server.url + "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "demo-client",
            "client_secret": "demo-secret",
        },
    ).json()
    assert token["expires_in"] == 0.3
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert requests.get(server.url + PRODUCTS, headers=headers).status_code == 200
    time.sleep(0.4)
    expired = requests.get(server.url + PRODUCTS, headers=headers)
    assert expired.status_code == 401
    assert expired.json()["message"] == "Access token expired"
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]


def test_rate_limit_headers_and_429(make_sandbox):
    server = make_sandbox(rate_limit=3, rate_window=30)
    session = requests.Session()
    session.headers["X-API-Key"] = "demo-api-key"
    remaining = []
    for _ in range(3):
        response = session.get(server.url + PRODUCTS)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        assert 0 < int(response.headers["X-RateLimit-Reset"]) <= 30
        remaining.append(int(response.headers["X-RateLimit-Remaining"]))
    assert remaining == [2, 1, 0]
    limited = session.get(server.url + PRODUCTS)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 30
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.json() == {"status": "error", "message": "Rate limit exceeded"}
    # Budgets are per credential: another key is unaffected.
    other = requests.get(server.url + PRODUCTS, auth=("demo", "demo-password"))
    assert other.status_code == 200 and other.headers["X-RateLimit-Remaining"] == "2"


def test_rate_limit_window_resets(make_sandbox):
    server = make_sandbox(rate_limit=1, rate_window=0.5)
    headers = {"X-API-Key": "demo-api-key"}
    assert requests.get(server.url + PRODUCTS, headers=headers).status_code == 200
    assert requests.get(server.url + PRODUCTS, headers=headers).status_code == 429
    time.sleep(0.6)
    assert requests.get(server.url + PRODUCTS, headers=headers).status_code == 200


def test_rate_limit_settable_at_runtime(sandbox):
    assert requests.put(sandbox.url + "/admin/settings", json={"rate_limit": 1}).ok
    headers = {"X-API-Key": "demo-api-key"}
    assert requests.get(sandbox.url + PRODUCTS, headers=headers).status_code == 200
    assert requests.get(sandbox.url + PRODUCTS, headers=headers).status_code == 429
    bad = requests.put(sandbox.url + "/admin/settings", json={"rate_limit": -1})
    assert bad.status_code == 422
