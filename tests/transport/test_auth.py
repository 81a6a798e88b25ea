"""Auth objects, including OAuth2 against a loopback token endpoint."""

import base64
import itertools

import pytest
from werkzeug.wrappers import Response

from generic_connector.transport import (
    ApiKeyAuth,
    AuthError,
    BasicAuth,
    BearerAuth,
    ConfigError,
    HttpClient,
    NoAuth,
    OAuth2ClientCredentials,
    RetryPolicy,
)

from .servers import reply


def test_static_auths_set_headers_and_list_secrets(server):
    server.route("/x", reply(json={}))
    cases = [
        (ApiKeyAuth("k-1234", header="X-Key"), "X-Key", "k-1234"),
        (BearerAuth("t-1234"), "Authorization", "Bearer t-1234"),
        (
            BasicAuth("bob", "pw-1234"),
            "Authorization",
            "Basic " + base64.b64encode(b"bob:pw-1234").decode(),
        ),
    ]
    for auth, header, value in cases:
        HttpClient(server.url, auth=auth).get_json("/x")
        assert server.hits[-1].headers[header] == value
        assert value.split()[-1] in auth.secrets()
    HttpClient(server.url, auth=NoAuth()).get_json("/x")
    assert "Authorization" not in server.hits[-1].headers
    assert NoAuth().secrets() == ()


def test_empty_credentials_are_config_errors():
    with pytest.raises(ConfigError):
        ApiKeyAuth("")
    with pytest.raises(ConfigError):
        BearerAuth("")
    with pytest.raises(ConfigError):
        OAuth2ClientCredentials("https://h/token", "id", "")


class TokenServer:
    """Issues tok-1, tok-2, ...; the API accepts only currently valid tokens."""

    def __init__(self, server, expires_in=3600):
        self.server = server
        self.counter = itertools.count(1)
        self.valid = set()
        self.expires_in = expires_in
        server.route("/oauth/token", self.issue)
        server.route("/api/v1/x", self.api)

    def issue(self, request):
        token = f"tok-{next(self.counter)}"
        self.valid.add(token)
        body = {"access_token": token, "token_type": "Bearer"}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return reply(json=body)(request)

    def api(self, request):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in self.valid:
            return reply(json={"token": token})(request)
        return Response('{"error": "invalid_token"}', 401)

    @property
    def fetches(self):
        return self.server.count("/oauth/token")


def oauth_client(server, **kwargs):
    auth = OAuth2ClientCredentials(
        server.url + "/oauth/token", "client-a", "secret-abcdef", scope="read", **kwargs
    )
    client = HttpClient(server.url + "/api/v1", auth=auth, retry=RetryPolicy(1))
    return auth, client


def test_token_is_fetched_once_and_cached(server):
    tokens = TokenServer(server)
    _auth, client = oauth_client(server)
    assert client.get_json("/x") == {"token": "tok-1"}
    assert client.get_json("/x") == {"token": "tok-1"}
    assert tokens.fetches == 1
    hit = server.hits_for("/oauth/token")[0]
    assert hit.method == "POST"
    assert b"grant_type=client_credentials" in hit.body
    assert b"scope=read" in hit.body
    expected = base64.b64encode(b"client-a:secret-abcdef").decode()
    assert hit.headers["Authorization"] == f"Basic {expected}"


def test_token_is_refreshed_shortly_before_expiry(server):
    tokens = TokenServer(server, expires_in=600)
    now = [1000.0]
    _auth, client = oauth_client(server, clock=lambda: now[0], leeway=60)
    client.get_json("/x")
    now[0] += 530  # still 70 s left: cached
    client.get_json("/x")
    assert tokens.fetches == 1
    now[0] += 20  # 50 s left, inside the leeway: refresh
    assert client.get_json("/x") == {"token": "tok-2"}
    assert tokens.fetches == 2


def test_revoked_token_is_refreshed_once_on_401(server):
    tokens = TokenServer(server)
    _auth, client = oauth_client(server)
    client.get_json("/x")
    tokens.valid.clear()  # the provider revoked tok-1 early
    assert client.get_json("/x") == {"token": "tok-2"}
    assert tokens.fetches == 2
    assert server.count("/api/v1/x") == 3


def test_persistent_401_raises_auth_error_after_one_refresh(server):
    tokens = TokenServer(server)
    server.route("/api/v1/x", reply(401, body="nope"))
    auth, client = oauth_client(server)
    with pytest.raises(AuthError) as info:
        client.get_json("/x")
    assert tokens.fetches == 2
    assert server.count("/api/v1/x") == 2
    assert "tok-2" not in str(info.value)
    assert "tok-2" in auth.secrets()


def test_token_endpoint_refusal_is_auth_error_and_redacted(server):
    server.route(
        "/oauth/token",
        reply(401, body='{"error":"invalid_client","client_secret":"x"}'),
    )
    auth = OAuth2ClientCredentials(
        server.url + "/oauth/token", "client-a", "secret-abcdef", client_auth="body"
    )
    with pytest.raises(AuthError) as info:
        auth.token()
    assert "secret-abcdef" not in str(info.value)
    assert b"client_secret=secret-abcdef" in server.hits[0].body  # body auth mode
    assert "Authorization" not in server.hits[0].headers


def test_token_without_access_token_is_config_error(server):
    server.route("/oauth/token", reply(json={"oops": 1}))
    auth = OAuth2ClientCredentials(server.url + "/oauth/token", "c", "secret-abcdef")
    with pytest.raises(ConfigError, match="access_token"):
        auth.token()


class DictStore:
    def __init__(self, initial=None):
        self.data = dict(initial or {})
        self.sets = []

    def get(self, key):
        return self.data.get(key)

    def set(self, key, token, expires_at):
        self.sets.append((key, token, expires_at))
        self.data[key] = (token, expires_at)


def test_external_token_store_is_used(server):
    tokens = TokenServer(server, expires_in=None)  # no expires_in: assume 1 h
    store = DictStore()
    now = [0.0]
    auth, client = oauth_client(server, token_store=store, clock=lambda: now[0])
    client.get_json("/x")
    [(key, token, expires_at)] = store.sets
    assert (key, token) == (auth.store_key, "tok-1")
    assert expires_at == 3600 - 60
    # A second auth object (another worker) sharing the store does not fetch.
    _auth2, client2 = oauth_client(server, token_store=store, clock=lambda: now[0])
    assert client2.get_json("/x") == {"token": "tok-1"}
    assert tokens.fetches == 1
