"""Fixtures: a real SandboxServer on loopback per test, and a webhook receiver.

Servers are cheap (a 30-record seed starts in a few milliseconds), so each
test gets its own: no state leaks between tests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from sandbox import SandboxServer

API_KEY = {"X-API-Key": "demo-api-key"}


@pytest.fixture
def make_sandbox(platform) -> Iterator:
    """Factory: ``make_sandbox(**options)`` -> started server, stopped at teardown
    (the repository's ``platform`` fixture with this folder's defaults)."""

    def factory(**options) -> SandboxServer:
        options.setdefault("seed_records", 30)
        options.setdefault("webhook_retry_base", 0.05)
        options.setdefault("webhook_timeout", 2.0)
        return platform(**options)

    yield factory


@pytest.fixture
def sandbox(make_sandbox) -> SandboxServer:
    return make_sandbox()


@pytest.fixture
def api(sandbox) -> requests.Session:
    """A session authenticated with the read-write API key."""
    session = requests.Session()
    session.trust_env = False
    session.headers.update(API_KEY)
    session.base_url = sandbox.url  # type: ignore[attr-defined]
    yield session
    session.close()


class Receiver:
    """Records webhook POSTs; answers with the queued statuses, then 200."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        self.event = threading.Event()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.port}/hook"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self._thread.start()

    def _app(self, environ, start_response):
        request = Request(environ)
        with self.lock:
            self.requests.append(
                {"headers": dict(request.headers), "body": request.get_data()}
            )
            status = self.statuses.pop(0) if self.statuses else 200
        self.event.set()
        return Response("ok", status=status)(environ, start_response)

    def stop(self) -> None:
        self._server.shutdown()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    instance = Receiver()
    yield instance
    instance.stop()
