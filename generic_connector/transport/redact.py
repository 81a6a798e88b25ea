"""Redaction of secrets before anything reaches a log, an exception or the UI.

Every string the transport exposes about a request (error messages, header
dumps, body excerpts, URLs) goes through this module first. The rules are
deliberately broad: a false positive costs a ``***`` in a log line, a false
negative leaks a credential into ``ir.logging`` or a queue job's result, which
any user allowed to read jobs can see.

Three layers, applied in order:

1. *explicit secrets* — the exact values the auth object knows it sent (the API
   key, the bearer token, the client secret). They are replaced wherever they
   appear, also URL-encoded, whatever the surrounding syntax.
2. *sensitive names* — header names, query parameters and JSON keys whose name
   contains ``token``, ``secret``, ``password``, ``key``, ``signature``... get
   their value replaced.
3. *schemes* — ``Bearer xxx`` / ``Basic xxx`` credentials inside free text.
"""

import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

REDACTED = "***"

# Header names that carry credentials without a telling word in their name.
_SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-signature",
        "webhook-signature",
        "x-hub-signature",
        "x-hub-signature-256",
    }
)
# Any name containing one of these words is treated as secret.
_SENSITIVE_WORDS = ("token", "secret", "password", "passwd", "key", "signature")
_NAME_WORDS = "token|secret|password|passwd|pwd|api[_-]?key|apikey|signature"
_NAME = rf"[\w.-]*(?:{_NAME_WORDS})[\w.-]*"

# access_token=abc&... in query strings, form bodies and free text.
_QUERY_RE = re.compile(rf"(?i)\b({_NAME})=([^&\s\"'<>,;]+)")
# "password": "..." in JSON bodies (value may contain escaped quotes).
_JSON_RE = re.compile(rf'(?i)("{_NAME}"\s*:\s*)"(?:[^"\\]|\\.)*"')
# Authorization schemes embedded in text (error bodies echo them sometimes).
_SCHEME_RE = re.compile(r"(?i)\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}")

# Shorter "secrets" are not replaced: they would shred every message (a one-
# letter password matches everywhere) and protect nothing anyway.
_MIN_SECRET_LEN = 4


def is_sensitive_name(name: str) -> bool:
    """True if a header / parameter / key name suggests a credential."""
    lowered = name.lower()
    return lowered in _SENSITIVE_HEADERS or any(w in lowered for w in _SENSITIVE_WORDS)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with known secrets and credential-looking values masked."""
    if not text:
        return text
    text = _replace_secrets(text, secrets)
    text = _JSON_RE.sub(rf'\1"{REDACTED}"', text)
    text = _QUERY_RE.sub(rf"\1={REDACTED}", text)
    return _SCHEME_RE.sub(rf"\1 {REDACTED}", text)


def redact_headers(
    headers: Mapping[str, str] | None, secrets: Iterable[str] = ()
) -> dict:
    """Copy ``headers`` into a plain dict, masking sensitive names and values."""
    secrets = tuple(secrets)
    return {
        name: REDACTED if is_sensitive_name(name) else redact_text(str(value), secrets)
        for name, value in (headers or {}).items()
    }


def redact_url(url: str, secrets: Iterable[str] = ()) -> str:
    """Mask the password of the userinfo part and sensitive query parameters."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:  # unparsable URL: fall back to plain text rules
        return redact_text(url, secrets)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{REDACTED}@{host}" if ":" in userinfo else netloc
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        masked = [(k, REDACTED if is_sensitive_name(k) else v) for k, v in pairs]
        query = urlencode(masked, safe="*")
    url = urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    return _replace_secrets(url, secrets)


def _replace_secrets(text: str, secrets: Iterable[str]) -> str:
    values = {str(s) for s in secrets if s and len(str(s)) >= _MIN_SECRET_LEN}
    # Longest first, so a secret containing another one is masked whole.
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, REDACTED)
        encoded = quote(value, safe="")
        if encoded != value:
            text = text.replace(encoded, REDACTED)
    return text
