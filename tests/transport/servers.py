"""Real loopback HTTP servers for the transport tests (no mocking).

``ScriptedServer`` is a threaded Werkzeug server speaking HTTP/1.1 (keep-alive, so
connection reuse is observable) whose answers are scripted per path: each
call to ``route(path, *replies)`` queues replies, the last one repeating.
Every request is recorded with the client port it came from, so tests can
count attempts and TCP connections.

``RawServer`` is a bare socket server for failures Werkzeug will not produce
on purpose: a connection closed without answer, a body cut short.
"""

import json as jsonlib
import socket
import threading
import time
from dataclasses import dataclass

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


@dataclass
class Hit:
    method: str
    path: str
    args: dict
    headers: dict
    body: bytes
    client_port: int
    at: float


def reply(status=200, json=None, body="", headers=None, delay=0.0):
    """A scripted answer; ``json`` wins over ``body``."""

    def handler(_request):
        if delay:
            time.sleep(delay)
        if json is not None:
            return Response(
                jsonlib.dumps(json), status, headers, content_type="application/json"
            )
        return Response(body, status, headers)

    return handler


class _Http11Handler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; Werkzeug 2.0 defaults to 1.0

    def log_request(self, *args, **kwargs):  # keep test output quiet
        pass


class ScriptedServer:
    def __init__(self):
        self.routes = {}
        self.hits = []
        self._lock = threading.Lock()
        self.httpd = make_server(
            "127.0.0.1", 0, self.app, threaded=True, request_handler=_Http11Handler
        )
        self.port = self.httpd.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        # A short poll interval keeps shutdown() (hence each test) fast.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.01,), daemon=True
        )
        self.thread.start()

    def route(self, path, *replies):
        self.routes[path] = list(replies)

    def hits_for(self, path):
        return [hit for hit in self.hits if hit.path == path]

    def count(self, path=None):
        return len(self.hits if path is None else self.hits_for(path))

    def connections(self):
        return {hit.client_port for hit in self.hits}

    def app(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            self.hits.append(
                Hit(
                    request.method,
                    request.path,
                    request.args.to_dict(),
                    dict(request.headers),
                    request.get_data(),
                    int(environ["REMOTE_PORT"]),
                    time.monotonic(),
                )
            )
            queue = self.routes.get(request.path)
            if not queue:
                handler = reply(404, json={"error": "no route"})
            else:
                handler = queue.pop(0) if len(queue) > 1 else queue[0]
        return handler(request)(environ, start_response)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class RawServer:
    """Accepts connections and runs ``behaviour(conn)`` on each."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.accepted = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.02)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            with conn:
                conn.settimeout(2)
                _read_request(conn)
                self.behaviour(conn)

    def close(self):
        self._stop.set()
        self.thread.join(2)
        self.sock.close()


def _read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


class SleepRecorder:
    """Injected instead of time.sleep: records waits, never sleeps."""

    def __init__(self):
        self.waits = []

    def __call__(self, seconds):
        self.waits.append(seconds)
