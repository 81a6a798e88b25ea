"""Webhook signatures, checked against the reference standardwebhooks library."""

import base64
import hashlib
import hmac
import time
from datetime import datetime, timezone

import pytest
from standardwebhooks import Webhook

from generic_connector.transport import (
    WebhookVerificationError,
    sign_hmac_hex,
    sign_standard_webhook,
    verify_hmac_hex,
    verify_standard_webhook,
)

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
BODY = '{"type":"product.updated","data":{"id":42,"name":"Café"}}'.encode()


def reference_headers(msg_id="msg_1", when=None, secret=SECRET, body=BODY):
    when = int(time.time()) if when is None else when
    signature = Webhook(secret).sign(
        msg_id, datetime.fromtimestamp(when, tz=timezone.utc), body.decode()
    )
    return {
        "Webhook-Id": msg_id,
        "Webhook-Timestamp": str(when),
        "Webhook-Signature": signature,
    }


def reason(call):
    with pytest.raises(WebhookVerificationError) as info:
        call()
    return info.value.reason


def test_reference_signature_verifies():
    verify_standard_webhook(SECRET, reference_headers(), BODY)


def test_our_signature_verifies_with_the_reference_library():
    headers = sign_standard_webhook(SECRET, "msg_2", BODY)
    assert Webhook(SECRET).verify(BODY, headers) == {
        "type": "product.updated",
        "data": {"id": 42, "name": "Café"},
    }


def test_raw_bytes_and_unprefixed_secrets():
    raw = b"0123456789abcdef0123456789abcdef"
    verify_standard_webhook(raw, reference_headers(), BODY)
    verify_standard_webhook(SECRET.removeprefix("whsec_"), reference_headers(), BODY)


def test_one_of_several_signatures_matches_during_rotation():
    headers = reference_headers()
    other = reference_headers(secret="whsec_" + base64.b64encode(b"x" * 32).decode())
    headers["Webhook-Signature"] = (
        f"v1a,abcd {other['Webhook-Signature']} v1,!!notb64 "
        f"{headers['Webhook-Signature']}"
    )
    verify_standard_webhook(SECRET, headers, BODY)


def test_tampered_body_and_wrong_secret_are_rejected():
    headers = reference_headers()
    assert reason(lambda: verify_standard_webhook(SECRET, headers, BODY + b" ")) == (
        "bad_signature"
    )
    wrong = "whsec_" + base64.b64encode(b"y" * 32).decode()
    assert reason(lambda: verify_standard_webhook(wrong, headers, BODY)) == (
        "bad_signature"
    )
    headers["Webhook-Id"] = "msg_other"  # the id is signed too
    assert reason(lambda: verify_standard_webhook(SECRET, headers, BODY)) == (
        "bad_signature"
    )


def test_stale_future_and_invalid_timestamps():
    now = 1_700_000_000
    old = reference_headers(when=now - 301)
    future = reference_headers(when=now + 301)
    fine = reference_headers(when=now - 299)
    verify_standard_webhook(SECRET, fine, BODY, now=now)
    assert reason(lambda: verify_standard_webhook(SECRET, old, BODY, now=now)) == (
        "stale_timestamp"
    )
    assert reason(lambda: verify_standard_webhook(SECRET, future, BODY, now=now)) == (
        "future_timestamp"
    )
    fine["Webhook-Timestamp"] = "yesterday"
    assert reason(lambda: verify_standard_webhook(SECRET, fine, BODY, now=now)) == (
        "invalid_timestamp"
    )


def test_missing_headers_and_bad_secret():
    headers = reference_headers()
    del headers["Webhook-Signature"]
    assert reason(lambda: verify_standard_webhook(SECRET, headers, BODY)) == (
        "missing_headers"
    )
    assert reason(
        lambda: verify_standard_webhook("whsec_%%%", reference_headers(), BODY)
    ) == ("invalid_secret")


def test_hmac_hex_positive_and_prefixed():
    signature = hmac.new(b"shh-secret", BODY, hashlib.sha256).hexdigest()
    assert sign_hmac_hex("shh-secret", BODY) == signature
    verify_hmac_hex("shh-secret", BODY, signature)
    verify_hmac_hex("shh-secret", BODY, "sha256=" + signature.upper())


def test_hmac_hex_negative_and_timestamp():
    signature = sign_hmac_hex("shh-secret", BODY)
    assert reason(lambda: verify_hmac_hex("other", BODY, signature)) == "bad_signature"
    assert reason(lambda: verify_hmac_hex("shh-secret", BODY, "")) == "missing_headers"
    assert reason(
        lambda: verify_hmac_hex(
            "shh-secret", BODY, signature, timestamp="100", now=1000
        )
    ) == ("stale_timestamp")
    verify_hmac_hex("shh-secret", BODY, signature, timestamp="900", now=1000)
