"""Secrets never leave through headers, bodies or URLs."""

from generic_connector.transport import (
    REDACTED,
    redact_headers,
    redact_text,
    redact_url,
)


def test_sensitive_headers_are_masked():
    headers = {
        "Authorization": "Bearer abc.def.ghi",
        "X-API-Key": "k-123",
        "Cookie": "sid=1",
        "Set-Cookie": "sid=2",
        "Proxy-Authorization": "Basic xyz",
        "X-Signature": "deadbeef",
        "webhook-signature": "v1,abc",
        "X-Refresh-Token": "r",
        "X-Client-Secret": "s",
        "X-Password": "p",
        "Content-Type": "application/json",
        "X-Request-Id": "req-1",
    }
    masked = redact_headers(headers)
    kept = {"Content-Type", "X-Request-Id"}
    for name, value in masked.items():
        assert (value == REDACTED) == (name not in kept), name
    assert masked["Content-Type"] == "application/json"


def test_header_values_with_explicit_secret_are_masked():
    masked = redact_headers({"X-Debug": "key was hunter2hunter2"}, ["hunter2hunter2"])
    assert masked == {"X-Debug": f"key was {REDACTED}"}


def test_json_body_values_are_masked():
    body = (
        '{"password": "p@ss \\"quoted\\"", "client_secret": "cs-1", '
        '"refresh_token":"rt", "name": "Widget", "api_key": "k"}'
    )
    out = redact_text(body)
    for secret in ("p@ss", "cs-1", '"rt"', '"k"'):
        assert secret not in out
    assert '"name": "Widget"' in out


def test_query_and_form_values_are_masked():
    out = redact_text("GET /x?access_token=abc&page=2 and password=pw1&user=bob")
    assert "abc" not in out and "pw1" not in out
    assert "page=2" in out and "user=bob" in out


def test_bearer_and_basic_schemes_are_masked():
    out = redact_text("sent Authorization: Bearer eyJhbGciOi.payload.sig ok")
    assert "eyJhbGciOi" not in out
    assert redact_text("Basic dXNlcjpwYXNz") == f"Basic {REDACTED}"


def test_explicit_secrets_are_replaced_anywhere_even_url_encoded():
    secret = "s3cr/t+v@lue"
    out = redact_text(f"raw {secret} enc s3cr%2Ft%2Bv%40lue", [secret])
    assert "s3cr" not in out
    assert out.count(REDACTED) == 2


def test_tiny_secrets_do_not_shred_text():
    assert redact_text("a normal sentence", ["a"]) == "a normal sentence"


def test_redact_url_masks_query_and_userinfo():
    url = "https://bob:pw@host:8443/api?token=abc&page=3&client_secret=z"
    out = redact_url(url)
    assert "pw@" not in out and "abc" not in out and "=z" not in out
    assert out.startswith("https://bob:***@host:8443/api?")
    assert "page=3" in out


def test_redact_url_keeps_plain_urls_and_handles_empty():
    assert redact_url("https://host/api/v1/products") == "https://host/api/v1/products"
    assert redact_url("") == ""
    assert redact_text("") == ""
