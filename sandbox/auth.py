"""Credentials: API keys, bearer tokens (static or OAuth2), HTTP Basic.

The credentials are fixed demo values (see README). Each successful check
yields a :class:`Principal` whose ``rate_key`` names the budget it draws on:
all tokens issued to one OAuth client share that client's budget, so fetching
a new token does not reset the rate limit.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from dataclasses import dataclass

from .errors import ApiError

API_KEYS = {"demo-api-key": True, "readonly-api-key": False}  # key -> can write
STATIC_TOKEN = "demo-token"
BASIC_USERS = {"demo": "demo-password"}
OAUTH_CLIENTS = {"demo-client": "demo-secret"}
REALM = "MyConnector"
WWW_AUTHENTICATE = (
    f'Bearer realm="{REALM}", Basic realm="{REALM}", ApiKey realm="{REALM}", '
    'header="X-API-Key"'
)


@dataclass(frozen=True)
class Principal:
    name: str
    can_write: bool
    rate_key: str
    method: str  # "api_key", "bearer", "oauth", "basic"


def unauthorized(message: str, challenge: str = WWW_AUTHENTICATE) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": challenge})


class Authenticator:
    """Checks request credentials and issues OAuth2 client-credentials tokens."""

    def __init__(self, token_ttl: float = 3600.0) -> None:
        self.token_ttl = token_ttl
        self.issued = 0  # tokens issued since start (admin stats)
        self._tokens: dict[
            str, tuple[str, float, bool]
        ] = {}  # token -> client, expiry, write
        self._lock = threading.Lock()

    def issue_token(
        self, client_id: str, scope: str | None = None
    ) -> dict[str, object]:
        token = secrets.token_urlsafe(24)
        can_write = scope is None or "write" in scope.split()
        with self._lock:
            now = time.monotonic()
            # Forget expired tokens now and then so the table stays small.
            self._tokens = {k: v for k, v in self._tokens.items() if v[1] > now}
            self._tokens[token] = (client_id, now + self.token_ttl, can_write)
            self.issued += 1
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(self.token_ttl)
            if float(self.token_ttl).is_integer()
            else self.token_ttl,
            "scope": "read write" if can_write else "read",
        }

    def token_endpoint(
        self, form: dict[str, str], authorization: str | None
    ) -> dict[str, object]:
        """RFC 6749 section 4.4; raises ApiError carrying OAuth error codes."""
        client_id = form.get("client_id")
        client_secret = form.get("client_secret")
        if authorization and authorization.lower().startswith("basic "):
            decoded = _decode_basic(authorization)
            if decoded is None:
                raise _oauth_error(401, "invalid_client", "Malformed Basic credentials")
            client_id, client_secret = decoded
        if form.get("grant_type") != "client_credentials":
            raise _oauth_error(
                400, "unsupported_grant_type", "Only client_credentials is supported"
            )
        if not client_id or OAUTH_CLIENTS.get(client_id) != client_secret:
            raise _oauth_error(401, "invalid_client", "Unknown client or bad secret")
        return self.issue_token(client_id, form.get("scope"))

    def authenticate(
        self, headers: dict[str, str] | object, basic_only: bool = False
    ) -> Principal:
        get = headers.get  # type: ignore[attr-defined]
        authorization = get("Authorization") or ""
        scheme, _, value = authorization.partition(" ")
        scheme = scheme.lower()
        if basic_only:
            if scheme != "basic":
                raise unauthorized(
                    "Basic authentication required", f'Basic realm="{REALM}"'
                )
            return self._basic(authorization, f'Basic realm="{REALM}"')
        api_key = get("X-API-Key")
        if api_key is not None:
            if api_key not in API_KEYS:
                raise unauthorized("Invalid API key")
            return Principal(
                f"key:{api_key}", API_KEYS[api_key], f"key:{api_key}", "api_key"
            )
        if scheme == "bearer":
            return self._bearer(value.strip())
        if scheme == "basic":
            return self._basic(authorization, WWW_AUTHENTICATE)
        raise unauthorized("Authentication required")

    def _bearer(self, token: str) -> Principal:
        if token == STATIC_TOKEN:
            return Principal("token:static", True, "token:static", "bearer")
        with self._lock:
            found = self._tokens.get(token)
        challenge = f'Bearer realm="{REALM}", error="invalid_token"'
        if found is None:
            raise unauthorized("Invalid access token", challenge)
        client_id, expiry, can_write = found
        if time.monotonic() >= expiry:
            raise unauthorized(
                "Access token expired",
                challenge + ', error_description="The access token expired"',
            )
        return Principal(
            f"client:{client_id}", can_write, f"client:{client_id}", "oauth"
        )

    @staticmethod
    def _basic(authorization: str, challenge: str) -> Principal:
        decoded = _decode_basic(authorization)
        if decoded is None or BASIC_USERS.get(decoded[0]) != decoded[1]:
            raise unauthorized("Invalid username or password", challenge)
        return Principal(f"user:{decoded[0]}", True, f"user:{decoded[0]}", "basic")


def _decode_basic(authorization: str) -> tuple[str, str] | None:
    _, _, value = authorization.partition(" ")
    try:
        text = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = text.partition(":")
    return (user, password) if sep else None


def _oauth_error(status: int, code: str, description: str) -> ApiError:
    # RFC 6749 clients read "error"/"error_description"; the sandbox's own
    # error members are kept beside them.
    error = ApiError(
        status, description, extra={"error": code, "error_description": description}
    )
    if status == 401:
        error.headers["WWW-Authenticate"] = f'Basic realm="{REALM}"'
    return error
