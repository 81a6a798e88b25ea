"""HttpClient against real loopback servers: retries, timeouts, errors."""

import logging
import random
import time
from email.utils import formatdate

import pytest

from generic_connector.transport import (
    ApiKeyAuth,
    AuthError,
    ConfigError,
    ConflictError,
    FatalError,
    HttpClient,
    NotFoundError,
    RateLimitedError,
    RetryPolicy,
    TransientError,
)

from .servers import reply

FAST = RetryPolicy(max_attempts=4, backoff_base=0.001, backoff_max=0.01)


def make_client(url, sleeps=None, **kwargs):
    kwargs.setdefault("retry", FAST)
    if sleeps is not None:
        kwargs["sleep"] = sleeps
    kwargs.setdefault("rng", random.Random(42))
    return HttpClient(url + "/api/v1", **kwargs)


def test_relative_paths_keep_the_base_path(server):
    server.route("/api/v1/products", reply(json={"ok": True}))
    client = make_client(server.url)
    assert client.get_json("/products") == {"ok": True}
    assert client.get_json("products") == {"ok": True}
    assert server.count("/api/v1/products") == 2


def test_get_retries_503_then_succeeds(server, sleeps):
    server.route("/api/v1/x", reply(503), reply(503), reply(json=[1]))
    client = make_client(server.url, sleeps)
    assert client.get_json("/x") == [1]
    assert server.count("/api/v1/x") == 3
    assert len(sleeps.waits) == 2
    assert all(0 <= w <= FAST.backoff_max for w in sleeps.waits)


def test_gives_up_after_max_attempts(server, sleeps):
    server.route("/api/v1/x", reply(502, body="bad gateway"))
    with pytest.raises(TransientError) as info:
        make_client(server.url, sleeps).request("GET", "/x")
    assert server.count("/api/v1/x") == FAST.max_attempts
    assert info.value.status == 502
    assert "bad gateway" in str(info.value)


def test_post_is_not_retried(server, sleeps):
    server.route("/api/v1/orders", reply(503, headers={"Retry-After": "2"}))
    with pytest.raises(TransientError) as info:
        make_client(server.url, sleeps).request("POST", "/orders", json={"a": 1})
    assert server.count("/api/v1/orders") == 1
    assert sleeps.waits == []
    assert info.value.retry_after == 2.0  # the job layer can still reschedule


def test_post_with_explicit_idempotency_is_retried(server, sleeps):
    server.route("/api/v1/orders", reply(500), reply(201, json={"id": 7}))
    client = make_client(server.url, sleeps)
    payload = client.request_json(
        "POST",
        "/orders",
        json={"a": 1},
        headers={"Idempotency-Key": "k1"},
        idempotent=True,
    )
    assert payload == {"id": 7}
    hits = server.hits_for("/api/v1/orders")
    assert len(hits) == 2
    assert {h.headers["Idempotency-Key"] for h in hits} == {"k1"}


def test_get_with_idempotent_false_is_not_retried(server, sleeps):
    server.route("/api/v1/x", reply(503))
    with pytest.raises(TransientError):
        make_client(server.url, sleeps).request("GET", "/x", idempotent=False)
    assert server.count() == 1


def test_retry_after_delta_seconds_is_honoured(server, sleeps):
    server.route(
        "/api/v1/x", reply(429, headers={"Retry-After": "3"}), reply(json={"ok": 1})
    )
    make_client(server.url, sleeps).get_json("/x")
    assert sleeps.waits == [3.0]
    assert server.count() == 2


def test_retry_after_http_date_is_honoured(server, sleeps):
    when = formatdate(time.time() + 10, usegmt=True)
    server.route(
        "/api/v1/x", reply(503, headers={"Retry-After": when}), reply(json={"ok": 1})
    )
    make_client(server.url, sleeps).get_json("/x")
    assert len(sleeps.waits) == 1
    assert 8.0 <= sleeps.waits[0] <= 10.0


def test_retry_after_over_cap_raises_without_sleeping(server, sleeps):
    server.route("/api/v1/x", reply(429, headers={"Retry-After": "120"}))
    with pytest.raises(RateLimitedError) as info:
        make_client(server.url, sleeps).get_json("/x")
    assert sleeps.waits == []
    assert server.count() == 1
    assert info.value.retry_after == 120.0
    assert info.value.retryable


def test_503_over_cap_becomes_rate_limited(server, sleeps):
    server.route("/api/v1/x", reply(503, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimitedError) as info:
        make_client(server.url, sleeps).get_json("/x")
    assert info.value.status == 503
    assert info.value.retry_after == 3600.0
    assert sleeps.waits == []


def test_real_sleep_is_bounded(server):
    """Default sleep (time.sleep) with tiny bases: waits really happen, briefly."""
    server.route("/api/v1/x", reply(500), reply(500), reply(json={}))
    client = HttpClient(
        server.url, retry=RetryPolicy(backoff_base=0.05, backoff_max=0.05)
    )
    start = time.monotonic()
    client.get_json("/api/v1/x")
    assert time.monotonic() - start < 1.0
    assert server.count() == 3


def test_read_timeout_fires_and_is_transient(server, sleeps):
    server.route("/api/v1/slow", reply(json={}, delay=1.0))
    client = make_client(server.url, sleeps, timeout=(1.0, 0.2))
    start = time.monotonic()
    with pytest.raises(TransientError) as info:
        client.request("GET", "/slow", idempotent=False)
    assert time.monotonic() - start < 0.9
    assert "timed out" in str(info.value)


def test_per_call_timeout_overrides_default(server):
    server.route("/api/v1/slow", reply(json={}, delay=0.3))
    client = make_client(server.url, timeout=(1.0, 0.1))
    assert client.get_json("/slow", timeout=(1.0, 2.0)) == {}


def test_connection_refused_is_transient(refused_url, sleeps):
    with pytest.raises(TransientError) as info:
        make_client(refused_url, sleeps).request("GET", "/x")
    assert len(sleeps.waits) == FAST.max_attempts - 1
    assert info.value.status is None
    assert "connection" in str(info.value).lower()


def test_dropped_connection_is_transient(raw_server, sleeps):
    srv = raw_server(lambda conn: None)  # read the request, close, no answer
    with pytest.raises(TransientError):
        make_client(srv.url, sleeps).request("GET", "/x")
    assert srv.accepted == FAST.max_attempts


def test_truncated_body_is_transient(raw_server, sleeps):
    def truncated(conn):
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"items": [1, 2'
        )

    srv = raw_server(truncated)
    with pytest.raises(TransientError):
        make_client(srv.url, sleeps).get_json("/x")
    assert srv.accepted == FAST.max_attempts


def test_malformed_json_is_transient_and_retried(server, sleeps):
    server.route(
        "/api/v1/x",
        reply(body='{"items": [1,', headers={"Content-Type": "application/json"}),
        reply(json={"items": [1]}),
    )
    assert make_client(server.url, sleeps).get_json("/x") == {"items": [1]}
    assert server.count() == 2


def test_html_instead_of_json_is_config_error(server, sleeps):
    server.route(
        "/api/v1/x",
        reply(body="<html>login</html>", headers={"Content-Type": "text/html"}),
    )
    with pytest.raises(ConfigError) as info:
        make_client(server.url, sleeps).get_json("/x")
    assert "<html>login</html>" in info.value.body_excerpt
    assert server.count() == 1


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, FatalError),
        (401, AuthError),
        (403, AuthError),
        (404, NotFoundError),
        (409, ConflictError),
        (412, ConflictError),
        (422, FatalError),
        (501, FatalError),
    ],
)
def test_non_retryable_statuses_raise_once(server, sleeps, status, cls):
    server.route("/api/v1/x", reply(status, json={"error": "nope"}))
    with pytest.raises(cls) as info:
        make_client(server.url, sleeps).request("GET", "/x")
    assert type(info.value) is cls
    assert server.count() == 1
    assert info.value.status == status


def test_api_key_is_redacted_everywhere(server):
    key = "sk_live_0123456789abcdef"
    server.route(
        "/api/v1/x",
        reply(
            401,
            body=f"invalid key {key} for token=abc123456",
            headers={"X-Echo-Key": key, "Set-Cookie": "session=s3cr3t"},
        ),
    )
    client = make_client(server.url, auth=ApiKeyAuth(key))
    with pytest.raises(AuthError) as info:
        client.request("GET", f"/x?api_key={key}")
    error = info.value
    assert server.hits[0].headers["X-Api-Key"] == key  # it was sent...
    text = str(error) + repr(error.headers) + error.body_excerpt + error.url
    assert key not in text  # ...but never shown
    assert "s3cr3t" not in text
    assert "abc123456" not in text
    assert "401 Unauthorized from GET" in str(error)
    assert "credentials" in str(error)


def test_absolute_url_on_other_origin_is_refused(server, other_server):
    other_server.route("/steal", reply(json={}))
    client = make_client(server.url, auth=ApiKeyAuth("secret-key-1"))
    with pytest.raises(ConfigError):
        client.request("GET", other_server.url + "/steal")
    assert other_server.count() == 0


def test_absolute_url_on_same_origin_is_allowed(server):
    server.route("/elsewhere", reply(json={"ok": 1}))
    client = make_client(server.url)
    assert client.get_json(server.url + "/elsewhere") == {"ok": 1}


def test_cross_origin_redirect_is_not_followed(server, other_server):
    other_server.route("/steal", reply(json={}))
    server.route(
        "/api/v1/x", reply(302, headers={"Location": other_server.url + "/steal"})
    )
    client = make_client(server.url, auth=ApiKeyAuth("secret-key-1"))
    with pytest.raises(ConfigError):
        client.get_json("/x")
    assert other_server.count() == 0


def test_same_origin_redirect_is_followed(server):
    server.route("/api/v1/old", reply(301, headers={"Location": "/api/v1/new"}))
    server.route("/api/v1/new", reply(json={"moved": True}))
    assert make_client(server.url).get_json("/old") == {"moved": True}


def test_invalid_base_url_is_config_error():
    with pytest.raises(ConfigError):
        HttpClient("ftp://example.com")
    with pytest.raises(ConfigError):
        HttpClient("not a url")


def test_rate_limit_headers_are_exposed(server):
    server.route(
        "/api/v1/x",
        reply(
            json={},
            headers={
                "X-RateLimit-Limit": "100",
                "X-RateLimit-Remaining": "7",
                "X-RateLimit-Reset": "30",
            },
        ),
    )
    client = make_client(server.url)
    assert client.rate_limit is None
    client.get_json("/x")
    assert (client.rate_limit.limit, client.rate_limit.remaining) == (100, 7)
    assert 25 <= client.rate_limit.reset_in() <= 30


def test_default_headers_timeout_hook_and_logging(server, caplog):
    server.route("/api/v1/x", reply(500), reply(json={}))
    seen = []
    client = make_client(
        server.url,
        sleeps=lambda s: None,
        headers={"X-Tenant": "t1"},
        on_response=lambda r: seen.append(r.status_code),
    )
    with caplog.at_level(logging.DEBUG, logger="generic_connector.transport"):
        client.get_json("/x", params={"access_token": "tok-123456"})
    assert seen == [500, 200]
    hit = server.hits[-1]
    assert hit.headers["User-Agent"] == "generic-connector/17.0"
    assert hit.headers["X-Tenant"] == "t1"
    messages = [r.getMessage() for r in caplog.records]
    assert any("retrying in" in m and "500" in m for m in messages)
    assert any(" -> 200 in " in m for m in messages)
    assert "tok-123456" not in caplog.text


def test_jitter_is_deterministic_with_seeded_rng(server):
    waits = []
    for _ in range(2):
        recorder = []
        server.route("/api/v1/x", reply(503), reply(503), reply(json={}))
        client = HttpClient(
            server.url, retry=FAST, sleep=recorder.append, rng=random.Random(7)
        )
        client.get_json("/api/v1/x")
        waits.append(recorder)
    assert waits[0] == waits[1]
    assert len(waits[0]) == 2


def test_backoff_full_jitter_bounds():
    policy = RetryPolicy(backoff_base=1.0, backoff_max=5.0)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (10, 5.0)]:
        samples = [policy.backoff(attempt, rng) for _ in range(200)]
        assert min(samples) >= 0 and max(samples) <= ceiling
        assert max(samples) > ceiling * 0.8  # really spread over the window


def test_unknown_keyword_is_rejected(server):
    client = make_client(server.url)
    with pytest.raises(TypeError):
        client.get_json("/x", parms={"a": 1})
    with pytest.raises(TypeError):
        client.request("GET", "/x", parms={"a": 1})
    assert server.count() == 0
