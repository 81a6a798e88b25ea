"""The transport's counting hook: calls, retries and rate-limit waits."""

import random
import socket

import pytest

from generic_connector.transport import (
    ConnectionFailedError,
    HttpClient,
    RateLimitedError,
    RetryPolicy,
    count_calls,
    note_wait,
)

from .servers import reply

FAST = RetryPolicy(max_attempts=4, backoff_base=0.001, backoff_max=0.01)


def make_client(url, sleeps):
    return HttpClient(url, retry=FAST, sleep=sleeps, rng=random.Random(1))


def test_counts_calls_retries_and_rate_limit_waits(server, sleeps):
    server.route(
        "/x",
        reply(429, headers={"Retry-After": "1"}),
        reply(503),
        reply(json={"ok": 1}),
    )
    server.route("/y", reply(json={}))
    client = make_client(server.url, sleeps)
    with count_calls() as outer:
        client.get_json("/x")
        with count_calls() as inner:
            client.get_json("/y")
    assert server.count() == 4
    assert (outer.calls, outer.retries, outer.throttled) == (4, 2, 1)
    # Only the 429's pause is a rate-limit wait; the 503 backoff is not.
    assert outer.waited == 1.0
    assert sleeps.waits[0] == 1.0
    assert (inner.calls, inner.retries, inner.waited) == (1, 0, 0.0)


def test_a_long_retry_after_is_counted_as_throttled_not_waited(server, sleeps):
    server.route("/x", reply(429, headers={"Retry-After": "3600"}))
    with count_calls() as stats, pytest.raises(RateLimitedError):
        make_client(server.url, sleeps).get_json("/x")
    assert (stats.calls, stats.retries, stats.throttled, stats.waited) == (
        1,
        0,
        1,
        0.0,
    )
    note_wait(0.5)  # outside any collector: counted nowhere, no error
    assert stats.waited == 0.0


def test_nothing_is_counted_without_a_collector(server, sleeps):
    server.route("/x", reply(json={}))
    make_client(server.url, sleeps).get_json("/x")
    with count_calls() as stats:
        note_wait(0.25)
    assert (stats.calls, stats.waited) == (0, 0.25)


def test_a_call_hook_runs_once_per_call_however_nested(server, sleeps):
    """``count_calls(on_call=...)`` calls its hook as each call is sent (the
    sync run's shared count); nested blocks with an equal hook (the same
    run's) call it once per call, another hook is called too."""
    server.route("/x", reply(503), reply(json={}))
    client = make_client(server.url, sleeps)
    seen = []

    class Hook:
        def __init__(self, key):
            self.key = key

        def __eq__(self, other):
            return isinstance(other, Hook) and other.key == self.key

        def __hash__(self):
            return hash(self.key)

        def __call__(self):
            seen.append(self.key)

    with count_calls(on_call=Hook("run")) as outer:
        with count_calls(on_call=Hook("run")), count_calls():
            client.get_json("/x")
        with count_calls(on_call=Hook("other")):
            client.get_json("/x")
    assert outer.calls == 3  # the 503, its retry, the second GET
    assert seen == ["run", "run", "run", "other"]


def test_a_call_that_never_reached_the_remote_is_not_counted(sleeps):
    """Connection refused: nothing was sent, the remote served nothing, so
    a run's count of calls (what the remote served) does not grow."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    client = make_client(f"http://127.0.0.1:{port}", sleeps)
    with count_calls() as stats, pytest.raises(ConnectionFailedError):
        client.get_json("/x")
    assert stats.calls == 0
    assert stats.retries == FAST.max_attempts - 1
