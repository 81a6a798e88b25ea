"""Fixtures for the transport tests: real loopback servers, no mocking.

The servers themselves live in ``servers.py`` (importable by the tests as
``from .servers import reply``); this package has an ``__init__`` so its test
module names cannot clash with other test folders of the repository.
"""

import socket

import pytest

from generic_connector.transport import close_sessions

from .servers import RawServer, ScriptedServer, SleepRecorder


@pytest.fixture
def server():
    srv = ScriptedServer()
    yield srv
    srv.close()
    close_sessions()


@pytest.fixture
def other_server():
    """A second origin (different port) for cross-origin tests."""
    srv = ScriptedServer()
    yield srv
    srv.close()


@pytest.fixture
def raw_server():
    servers = []

    def start(behaviour):
        srv = RawServer(behaviour)
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.close()


@pytest.fixture
def refused_url():
    """A loopback URL nobody listens on."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def sandbox():
    """The MyConnector sandbox on loopback (rate-limit and OAuth2 tests)."""
    from sandbox import SandboxServer  # noqa: PLC0415 - repo root on the path

    srv = SandboxServer(seed_records=30).start()
    yield srv
    srv.stop()


@pytest.fixture
def sleeps():
    return SleepRecorder()
