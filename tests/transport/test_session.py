"""Pooled sessions: one per key, connections really reused."""

import threading

from generic_connector.transport import (
    HttpClient,
    close_session,
    close_sessions,
    get_session,
)

from .servers import reply


def test_same_key_same_session_other_key_other_session():
    try:
        key = ("db1", 7, "fingerprint")
        assert get_session(key) is get_session(key)
        assert get_session(("db1", 8, "fingerprint")) is not get_session(key)
    finally:
        close_sessions()


def test_adapter_has_no_retries_and_pool_size():
    try:
        session = get_session("k", pool_maxsize=3)
        for prefix in ("http://", "https://"):
            adapter = session.get_adapter(prefix + "host")
            assert adapter.max_retries.total == 0
            assert adapter._pool_maxsize == 3
    finally:
        close_sessions()


def test_registry_is_thread_safe():
    found = []

    def worker():
        found.append(get_session("shared"))

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(s) for s in found}) == 1
    close_sessions()


def test_close_session_forgets_it():
    first = get_session("k")
    close_session("k")
    assert get_session("k") is not first
    close_sessions()


def test_connections_are_reused_across_clients(server):
    server.route("/x", reply(json={"ok": 1}))
    for _ in range(3):  # a client per job, the session per backend
        client = HttpClient(server.url, session_key=("db", 1))
        for _ in range(4):
            client.get_json("/x")
    assert server.count() == 12
    assert len(server.connections()) == 1


def test_without_shared_session_each_client_opens_its_own(server):
    server.route("/x", reply(json={"ok": 1}))
    for _ in range(3):
        HttpClient(server.url).get_json("/x")
    assert len(server.connections()) == 3
