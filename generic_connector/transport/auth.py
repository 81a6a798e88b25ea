"""Authentication as ``requests.auth.AuthBase`` objects.

An auth object is attached to the ``HttpClient``, never to the shared pooled
session: sessions are shared per backend, credentials belong to the client
that was built from the backend's current settings.

Every auth exposes ``secrets()``: the strings it puts on the wire. The client
hands them to the redaction layer, so an API key echoed back by a remote error
page never reaches a log.

``OAuth2ClientCredentials`` caches its token until shortly before expiry. The
cache lives in a ``token_store`` (``get(key)`` / ``set(key, token,
expires_at)``): by default an in-process dict, but the Odoo layer passes
``pgstore.PgTokenStore`` so that all workers and hosts share one token instead
of each fetching its own. A store may also offer ``locked(key)`` (a context
manager that makes the refresh single-flight across processes) and
``discard(key, token)`` (an atomic "forget it unless replaced").
"""

import contextlib
import hashlib
import threading
import time

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from .errors import AuthError, ConfigError, error_from_exception, error_from_response


class NoAuth(AuthBase):
    """Public endpoints, or auth handled by headers the caller sets."""

    def __call__(self, request):
        return request

    def secrets(self) -> tuple:
        return ()


class ApiKeyAuth(AuthBase):
    """A static key sent in a header (``X-API-Key`` by default).

    ``prefix`` is the scheme word some APIs want before the key in the same
    header: Django REST framework's ``Authorization: Token <key>``, or a
    ``Bearer`` under another header name. A header without a prefix carries
    the key alone.
    """

    def __init__(self, key: str, header: str = "X-API-Key", prefix: str = ""):
        if not key:
            raise ConfigError("API key is empty: set it on the backend")
        self.key = key
        self.header = header or "X-API-Key"
        self.value = f"{prefix.strip()} {key}" if prefix and prefix.strip() else key

    def __call__(self, request):
        request.headers[self.header] = self.value
        return request

    def secrets(self) -> tuple:
        return (self.key,)


class BearerAuth(AuthBase):
    """A static bearer token (``Authorization: Bearer <token>``)."""

    def __init__(self, token: str):
        if not token:
            raise ConfigError("bearer token is empty: set it on the backend")
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request

    def secrets(self) -> tuple:
        return (self.token,)


class BasicAuth(HTTPBasicAuth):
    """HTTP Basic; the base64 form is also listed as a secret to redact."""

    def secrets(self) -> tuple:
        encoded = requests.auth._basic_auth_str(self.username, self.password)
        return (self.password, encoded.split(" ", 1)[1])


class MemoryTokenStore:
    """Default token store: a per-process dict guarded by a lock."""

    def __init__(self):
        self._tokens = {}
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            return self._tokens.get(key)

    def set(self, key, token, expires_at):
        with self._lock:
            self._tokens[key] = (token, expires_at)


class OAuth2ClientCredentials(AuthBase):
    """OAuth 2.0 client-credentials grant (RFC 6749 §4.4) with token caching.

    On a 401 the cached token is dropped, a new one fetched and the request
    re-sent once: tokens can be revoked before their announced expiry.

    The token request is one form POST sent with ``requests`` rather than
    ``requests_oauthlib.OAuth2Session.fetch_token``: that method logs, at
    DEBUG, the request headers and body (the client secret) and the token
    obtained, and this token must never reach a log line.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        timeout=(5, 15),
        token_store=None,
        *,
        client_auth: str = "basic",
        leeway: float = 60.0,
        clock=time.time,
    ):
        if not (token_url and client_id and client_secret):
            raise ConfigError("OAuth2 needs a token URL, a client id and a secret")
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.scope = scope
        self.timeout = timeout
        self.token_store = (
            token_store if token_store is not None else MemoryTokenStore()
        )
        self.client_auth = client_auth  # "basic" (RFC default) or "body"
        self.leeway = leeway
        self.clock = clock
        self.fetch_count = 0  # observability (and tests)
        # Single flight inside the process: one thread fetches, others wait.
        self._lock = threading.Lock()
        self._last_token = None
        raw = f"{token_url}|{client_id}|{scope or ''}".encode()
        self.store_key = "oauth2:" + hashlib.sha256(raw).hexdigest()[:32]

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token()}"
        request.register_hook("response", self._handle_401)
        return request

    def secrets(self) -> tuple:
        return tuple(s for s in (self.client_secret, self._last_token) if s)

    def token(self) -> str:
        """A valid access token, from the store or freshly fetched."""
        cached = self._fresh(self.token_store.get(self.store_key))
        if cached:
            return cached
        locked = getattr(self.token_store, "locked", None)
        with self._lock, (locked or _no_lock)(self.store_key):
            # Another thread or worker may have refreshed while we waited.
            cached = self._fresh(self.token_store.get(self.store_key))
            return cached or self._fetch()

    def invalidate(self, token: str) -> None:
        """Forget ``token`` unless someone already replaced it."""
        discard = getattr(self.token_store, "discard", None)
        if discard is not None:
            discard(self.store_key, token)
            return
        with self._lock:
            current = self.token_store.get(self.store_key)
            if current and current[0] == token:
                self.token_store.set(self.store_key, None, 0.0)

    def _fresh(self, entry):
        if not entry or not entry[0]:
            return None
        token, expires_at = entry
        self._last_token = token
        return token if self.clock() < expires_at else None

    def _fetch(self) -> str:
        data = {"grant_type": "client_credentials"}
        if self.scope:
            data["scope"] = self.scope
        auth = None
        if self.client_auth == "body":
            data.update(client_id=self.client_id, client_secret=self.client_secret)
        else:
            auth = HTTPBasicAuth(self.client_id, self.client_secret)
        secrets = (self.client_secret,)
        try:
            response = requests.post(
                self.token_url, data=data, auth=auth, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise error_from_exception(exc, "POST", self.token_url, secrets) from exc
        self.fetch_count += 1
        if response.status_code in (400, 401, 403):
            # invalid_client / invalid_grant / unauthorized_client: credentials.
            raise AuthError(
                "token endpoint refused the client credentials",
                status=response.status_code,
                body=response.text,
                method="POST",
                url=self.token_url,
                secrets=secrets,
            )
        if not response.ok:
            raise error_from_response(response, secrets)
        return self._store(response)

    def _store(self, response) -> str:
        try:
            payload = response.json()
            token = payload["access_token"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(
                "token endpoint answered without an access_token: check the token URL",
                status=response.status_code,
                method="POST",
                url=self.token_url,
            ) from exc
        lifetime = float(payload.get("expires_in") or 3600)
        # Refresh a little early so a token never expires in flight; for very
        # short lifetimes the margin shrinks to half the lifetime.
        margin = min(self.leeway, lifetime / 2)
        self.token_store.set(self.store_key, token, self.clock() + lifetime - margin)
        self._last_token = token
        return token

    def _handle_401(self, response, **kwargs):
        request = response.request
        if response.status_code != 401 or getattr(request, "_oauth_retried", False):
            return response
        used = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.invalidate(used)
        # Drain the body so the connection goes back to the pool, then close.
        _ = response.content
        response.close()
        retry = request.copy()
        retry._oauth_retried = True
        retry.headers["Authorization"] = f"Bearer {self.token()}"
        new_response = response.connection.send(retry, **kwargs)
        new_response.history.append(response)
        new_response.request = retry
        return new_response


@contextlib.contextmanager
def _no_lock(_key):
    yield
