"""``SandboxServer``: the app on a threaded Werkzeug server in a background thread.

Werkzeug 2.0's own handler speaks HTTP/1.0 unless told otherwise; the handler
here switches to HTTP/1.1 so clients keep connections alive (a benchmark over
fresh TCP connections would measure the kernel, not the sandbox). It also
tracks open connections so :meth:`SandboxServer.stop` can close idle
keep-alive sockets instead of leaving threads blocked on them, and routes the
access log to the ``sandbox.access`` logger.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from .app import SandboxApp
from .config import SandboxConfig

_access_logger = logging.getLogger("sandbox.access")
HOST = "127.0.0.1"


class _Handler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without TCP_NODELAY,
        # Nagle plus the client's delayed ACK stalls each keep-alive response
        # by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)  # type: ignore[attr-defined]

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        if self.server.access_log:  # type: ignore[attr-defined]
            _access_logger.info('"%s" %s %s', self.requestline, code, size)

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        _access_logger.debug(format, *args)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        _access_logger.debug(format, *args)


class _Server(ThreadedWSGIServer):
    def __init__(self, port: int, app: Any, access_log: bool) -> None:
        super().__init__(HOST, port, app, handler=_Handler)
        self.access_log = access_log
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()

    def track(self, conn: socket.socket, opened: bool) -> None:
        with self._conn_lock:
            if opened:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def close_connections(self) -> None:
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):  # already closed by the peer
                conn.shutdown(socket.SHUT_RDWR)


class SandboxServer:
    """Run the sandbox on ``127.0.0.1``; see the README for all options.

    ``SandboxServer(seed_records=250, port=0, **options)`` takes the fields of
    :class:`~sandbox.config.SandboxConfig` as keyword arguments.
    """

    def __init__(self, **options: Any) -> None:
        self.config = SandboxConfig(**options)
        self.app = SandboxApp(self.config)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    # -- components --------------------------------------------------------

    @property
    def store(self):  # noqa: ANN201 - see sandbox.store.Store
        return self.app.store

    @property
    def faults(self):  # noqa: ANN201 - see sandbox.faults.Faults
        return self.app.faults

    @property
    def webhooks(self):  # noqa: ANN201 - see sandbox.webhooks.WebhookManager
        return self.app.webhooks

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("server not started")
        return self._server.port

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    # -- lifecycle -------------------------------------------------------

    def start(self) -> SandboxServer:
        if self._closed:
            raise RuntimeError(
                "a stopped SandboxServer cannot be restarted; make a new one"
            )
        if self._server is not None:
            return self
        self._server = _Server(self.config.port, self.app, self.config.access_log)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # quick stop() in tests
            name=f"sandbox-http-{self._server.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Run in the calling thread (the CLI); returns after :meth:`stop`."""
        self.start()
        assert self._thread is not None
        while self._thread.is_alive():
            self._thread.join(0.5)

    def stop(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.app.stopping.set()  # wakes requests sleeping in a latency/hang fault
        if self._server is not None:
            self._server.shutdown()
            self._server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.app.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- helpers for tests -------------------------------------------------

    def wait_for_deliveries(self, timeout: float = 10.0) -> bool:
        """Block until no webhook delivery is queued, in flight or awaiting a
        retry; False if ``timeout`` seconds passed first."""
        return self.app.webhooks.wait_for_deliveries(timeout)

    def reset(self, seed_records: int | None = None, seed: int | None = None) -> None:
        """Reseed the data and clear rate-limit state (as ``POST /admin/reset``)."""
        self.app.store.reseed(seed_records, seed)
        self.app.limiter.reset()
        self.app.bucket.reset()
