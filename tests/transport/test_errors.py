"""Error classification and admin-readable messages."""

import time
from email.utils import formatdate

import pytest
import requests

from generic_connector.transport import (
    AuthError,
    ConfigError,
    ConflictError,
    FatalError,
    NotFoundError,
    PartialDataError,
    RateLimitedError,
    TransientError,
    TransportError,
    error_from_exception,
    error_from_response,
    parse_retry_after,
)
from generic_connector.transport.errors import BODY_EXCERPT_LEN, error_class_for_status

from .servers import reply


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, FatalError),
        (401, AuthError),
        (403, AuthError),
        (404, NotFoundError),
        (405, FatalError),
        (408, TransientError),
        (409, ConflictError),
        (410, NotFoundError),
        (412, ConflictError),
        (422, FatalError),
        (429, RateLimitedError),
        (500, TransientError),
        (501, FatalError),
        (502, TransientError),
        (503, TransientError),
        (504, TransientError),
    ],
)
def test_status_classification(status, cls):
    assert error_class_for_status(status) is cls


def test_retryable_flags():
    assert TransientError.retryable and RateLimitedError.retryable
    assert issubclass(RateLimitedError, TransientError)
    for cls in (AuthError, ConfigError, NotFoundError, ConflictError, FatalError):
        assert not cls.retryable
        assert issubclass(cls, TransportError)


def test_error_from_real_response(server):
    server.route(
        "/items",
        reply(429, json={"detail": "slow down"}, headers={"Retry-After": "5"}),
    )
    response = requests.get(server.url + "/items?page=2", timeout=5)
    error = error_from_response(response)
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == 5.0
    assert error.method == "GET"
    assert error.url.endswith("/items?page=2")
    assert "slow down" in error.body_excerpt
    assert str(error).startswith(f"429 Too Many Requests from GET {server.url}/items")


def test_body_excerpt_is_bounded_and_redacted_before_truncation():
    secret = "x" * 10 + "SECRET-VALUE"
    body = "a" * (BODY_EXCERPT_LEN - 5) + secret + "b" * 1000
    error = FatalError(status=400, body=body, secrets=[secret])
    assert len(error.body_excerpt) <= BODY_EXCERPT_LEN
    assert "xxxxx" not in error.body_excerpt  # no half-secret left behind


def test_message_names_the_action():
    error = AuthError(status=401, method="get", url="https://host/api/v1/products")
    assert str(error) == (
        "401 Unauthorized from GET https://host/api/v1/products: "
        "check the backend's credentials and the permissions they grant"
    )


def test_exception_classification(refused_url):
    with pytest.raises(requests.ConnectionError) as info:
        requests.get(refused_url, timeout=1)
    assert isinstance(error_from_exception(info.value), TransientError)
    assert isinstance(error_from_exception(requests.exceptions.SSLError()), ConfigError)
    assert isinstance(error_from_exception(requests.ReadTimeout()), TransientError)
    assert isinstance(error_from_exception(requests.ConnectTimeout()), TransientError)
    assert isinstance(
        error_from_exception(requests.exceptions.MissingSchema()), ConfigError
    )
    assert isinstance(
        error_from_exception(requests.exceptions.ChunkedEncodingError()), TransientError
    )


def test_parse_retry_after_forms():
    now = time.time()
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 0 ") == 0.0
    assert 59 <= parse_retry_after(formatdate(now + 60, usegmt=True), now) <= 60
    assert parse_retry_after(formatdate(now - 60, usegmt=True), now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_partial_data_error_carries_data_and_errors():
    error = PartialDataError("some fields failed", data={"a": 1}, errors=[{"m": "x"}])
    assert error.data == {"a": 1} and error.errors == [{"m": "x"}]
    assert not error.retryable


def test_parse_retry_after_accepts_fractional_seconds():
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after("-3") is None


def test_summary_of_a_refused_connection_is_one_readable_sentence(refused_url):
    from generic_connector.transport import ConnectionFailedError, HttpClient

    client = HttpClient(refused_url, retry=None)
    client.retry.max_attempts = 1
    with pytest.raises(ConnectionFailedError) as info:
        client.request("GET", "/api/v1/products?per_page=1")
    summary = info.value.summary
    assert summary.startswith("Could not connect to the remote (connection refused)")
    assert "base URL" in summary
    assert "temporary" not in summary
    assert "0x" not in summary and "HTTPConnectionPool" not in summary
    assert "?" not in summary  # the query string is not part of the sentence
    assert summary.endswith("the remote service is running.")


def test_summary_of_an_auth_error_says_what_to_check():
    from generic_connector.transport import AuthError

    err = AuthError(status=401, method="GET", url="https://h/api?x=1", body="{}")
    assert err.summary == (
        "The remote refused our credentials (401 Unauthorized) at h/api: check "
        "the backend's credentials and the permissions they grant."
    )


def test_summary_of_refused_data_quotes_the_remote():
    from generic_connector.transport import FatalError

    err = FatalError(status=422, url="https://h/p", body='{"error": "sku taken"}')
    assert 'The remote said: {"error": "sku taken"}' in err.summary


def test_summary_of_a_config_error_says_what_is_wrong():
    # An empty API key is a setting, not the base URL nor TLS: the admin must
    # read which one.
    err = ConfigError("API key is empty: set it on the backend")
    assert "API key is empty: set it on the backend" in err.summary
    assert "base URL, TLS" not in err.summary
    redirect = ConfigError("PATCH redirected to https://h/p/: fix the base URL")
    assert "PATCH redirected to https://h/p/" in redirect.summary
