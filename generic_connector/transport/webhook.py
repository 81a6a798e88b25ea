"""Signature verification for incoming webhooks — pure functions.

Two schemes:

* **Standard Webhooks** (https://www.standardwebhooks.com): the signed content
  is ``{webhook-id}.{webhook-timestamp}.{raw body}``, HMAC-SHA256 with the
  secret (``whsec_<base64>`` or raw bytes), base64-encoded, sent as
  ``webhook-signature: v1,<sig> [v1,<sig2> ...]`` — several entries during a
  secret rotation. The timestamp is signed, so the freshness check also
  defeats replays.
* **Hex HMAC** (the integration guide's ``X-Signature``): hex HMAC-SHA256 of
  the raw body, optional ``X-Webhook-Timestamp`` checked for freshness. That
  timestamp is *not* covered by the signature in this scheme, so it only
  rejects naive replays; prefer Standard Webhooks when the remote offers it.

All comparisons use ``hmac.compare_digest`` (constant time), and always on
the raw body bytes: re-serialised JSON would not match byte for byte.

Every failure raises ``WebhookVerificationError`` with a short machine reason.
The controller answers the same 401 whatever the reason (telling an attacker
*why* helps them) but logs it, which is what an admin needs.
"""

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping

_WHSEC_PREFIX = "whsec_"


class WebhookVerificationError(Exception):
    """reason: missing_headers, bad_signature, stale_timestamp,
    future_timestamp, invalid_timestamp, invalid_secret."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def verify_standard_webhook(
    secret, headers: Mapping, body: bytes, tolerance: int = 300, now=None
) -> None:
    """Raise ``WebhookVerificationError`` unless the request is authentic."""
    lowered = {str(k).lower(): v for k, v in headers.items()}
    msg_id = lowered.get("webhook-id")
    timestamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not (msg_id and timestamp and signatures):
        raise WebhookVerificationError("missing_headers")
    _check_timestamp(timestamp, tolerance, now)
    expected = _standard_digest(_secret_bytes(secret), msg_id, timestamp, body)
    for entry in signatures.split():
        version, _, encoded = entry.partition(",")
        if version != "v1":
            continue  # e.g. v1a (asymmetric): not ours to check
        try:
            candidate = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if hmac.compare_digest(expected, candidate):
            return
    raise WebhookVerificationError("bad_signature")


def sign_standard_webhook(secret, msg_id: str, body: bytes, timestamp=None) -> dict:
    """Headers a Standard Webhooks sender would attach to ``body``."""
    timestamp = str(int(time.time() if timestamp is None else timestamp))
    digest = _standard_digest(_secret_bytes(secret), msg_id, timestamp, body)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


def verify_hmac_hex(
    secret, body: bytes, signature_hex, timestamp=None, tolerance=300, now=None
) -> None:
    """Check an ``X-Signature`` hex HMAC-SHA256 of ``body``."""
    if not signature_hex:
        raise WebhookVerificationError("missing_headers")
    if timestamp is not None:
        _check_timestamp(timestamp, tolerance, now)
    # Tolerate the common "sha256=<hex>" spelling (GitHub and others).
    candidate = signature_hex.strip().removeprefix("sha256=").lower()
    expected = sign_hmac_hex(secret, body)
    if not hmac.compare_digest(expected.encode(), candidate.encode()):
        raise WebhookVerificationError("bad_signature")


def sign_hmac_hex(secret, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``body`` (what the sender puts in ``X-Signature``)."""
    key = secret.encode() if isinstance(secret, str) else secret
    if not key:
        raise WebhookVerificationError("invalid_secret")
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _standard_digest(key: bytes, msg_id: str, timestamp: str, body: bytes) -> bytes:
    return hmac.new(
        key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256
    ).digest()


def _secret_bytes(secret) -> bytes:
    if isinstance(secret, bytes) and secret:
        return secret
    if not secret:
        raise WebhookVerificationError("invalid_secret")
    # Same rule as the reference library: a string secret is base64, with or
    # without the whsec_ prefix, padding optional.
    encoded = secret.removeprefix(_WHSEC_PREFIX)
    try:
        return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise WebhookVerificationError("invalid_secret") from exc


def _check_timestamp(value, tolerance, now) -> None:
    try:
        sent = int(str(value).strip())
    except ValueError as exc:
        raise WebhookVerificationError("invalid_timestamp") from exc
    now = time.time() if now is None else now
    if sent < now - tolerance:
        raise WebhookVerificationError("stale_timestamp")
    if sent > now + tolerance:
        raise WebhookVerificationError("future_timestamp")
