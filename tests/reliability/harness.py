"""A real multi-worker Odoo, a sandbox and a PostgreSQL proxy, for fault suites.

The reliability suite (``tests/reliability``) and the benchmarks use this
module to run the connector the way production runs it: Odoo's prefork server
with several HTTP workers and the queue_job runner (``server_wide_modules =
base,web,queue_job``), in a fresh database copied from the suite's template
(``setup/odoo_db.sh``), the MyConnector sandbox on loopback, and a backend
wired to both. Nothing here imports Odoo: Odoo runs in its own processes and
is driven over HTTP (JSON-RPC as ``admin``) and read back in SQL.

Public API::

    env = odoo_environment()            # or raises OdooUnavailable(reason)
    with PgProxy(env, port=8703) as proxy, SandboxServer(port=8702).start() as sb:
        with OdooServer(env, port=8700, workers=4, db_port=proxy.port) as odoo:
            backend = odoo.wire_backend(sandbox.url)    # Backend(id, token, secret)
            odoo.post_webhook(backend, payload)        # signed, as the platform
            odoo.wait_for_jobs()
            odoo.sql("select count(*) from generic_webhook")
            proxy.cut(2.0)                             # a PostgreSQL restart

Ports: everything listens on 127.0.0.1 at the ports given; the defaults
(:data:`BASE_PORT` and up) can be moved with ``RELIABILITY_BASE_PORT``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
BASE_PORT = int(os.environ.get("RELIABILITY_BASE_PORT", "8700"))
ADDONS = "generic_connector,myconnector,myconnector_webhook"
ADMIN = ("admin", "admin")
WEBHOOK_SECRET = "whsec_" + "cmVsaWFiaWxpdHktc3VpdGUtc2VjcmV0LWtleQ=="
API_KEY = "demo-api-key"
#: ``RELIABILITY_SCALE=soak`` (``make soak``): the issue's full numbers.
SOAK = os.environ.get("RELIABILITY_SCALE") == "soak"
SANDBOX_PRODUCTS = 200

_ENV_SCRIPT = r"""
source "$REPO_ROOT/setup/common.sh"
source "$REPO_ROOT/setup/odoo_db.sh"
VENV="$(bash "$REPO_ROOT/setup/venv.sh")"
export VENV
find_odoo "$VENV/bin/python"
[ -n "$ODOO_SRC" ] || { echo "$ODOO_MISSING" >&2; exit 3; }
use_postgres >&2 || { echo "no PostgreSQL server could be reached" >&2; exit 4; }
template="$(template_db)"
echo "VENV=$VENV"
echo "ODOO_SRC=$ODOO_SRC"
echo "PGHOST=${PGHOST:-}"
echo "PGPORT=${PGPORT:-5432}"
echo "PGUSER=${PGUSER:-}"
echo "TEMPLATE=$template"
echo "ADDONS_PATH=$(odoo_addons_path)"
echo "ODOO_DATA_DIR=$ODOO_DATA_DIR"
"""


class OdooUnavailable(RuntimeError):
    """No Odoo 17 or no PostgreSQL here: the caller skips, saying why."""


def odoo_environment() -> dict:
    """Where Odoo, the virtualenv, PostgreSQL and the template database are,
    found by the same set-up scripts as ``make test`` (the template is built
    on first use). Raise :class:`OdooUnavailable` with the reason otherwise."""
    done = subprocess.run(
        ["bash", "-c", _ENV_SCRIPT],
        env=dict(os.environ, REPO_ROOT=str(REPO_ROOT)),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise OdooUnavailable(lines[-1] if lines else "the set-up failed")
    return dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)


def _setup_shell(env: dict, command: str) -> None:
    """Run ``command`` with ``setup/odoo_db.sh``'s helpers (copy_db, drop_db)."""
    script = (
        'source "$REPO_ROOT/setup/common.sh"; '
        f'source "$REPO_ROOT/setup/odoo_db.sh"; {command}'
    )
    subprocess.run(
        ["bash", "-c", script],
        env=dict(os.environ, REPO_ROOT=str(REPO_ROOT), **_pg_vars(env)),
        check=True,
        timeout=600,
    )


def _pg_vars(env: dict) -> dict:
    variables = {"PGPORT": env["PGPORT"], "VENV": env["VENV"]}
    variables.update({k: env[k] for k in ("PGHOST", "PGUSER") if env.get(k)})
    return variables


def pg_connect(env: dict, dbname: str):
    """A direct psycopg2 connection (not through any proxy), autocommit."""
    import psycopg2  # noqa: PLC0415 - in Odoo's virtualenv, needed only here

    conn = psycopg2.connect(
        dbname=dbname,
        host=env.get("PGHOST") or None,
        port=env["PGPORT"],
        user=env.get("PGUSER") or None,
    )
    conn.autocommit = True
    return conn


@dataclass
class Backend:
    id: int
    token: str
    secret: str
    path: str


class OdooServer:
    """Odoo 17 in prefork mode on ``127.0.0.1:port`` with a fresh database.

    ``start()`` copies the template, installs the suite's addons, writes a
    configuration (``workers``, ``server_wide_modules=base,web,queue_job``, no
    cron thread, queue_job channels ``root:<channels>``) and waits until the
    server answers. ``stop()`` stops the server and drops the database. The
    log is kept in ``self.logfile`` and its tail is shown when start fails.
    ``db_host``/``db_port`` route Odoo (and its job runner) to PostgreSQL
    through a :class:`PgProxy`; the harness itself always connects directly.
    The folder of the configuration and the log is removed at stop, unless
    ``RELIABILITY_KEEP_LOGS`` is set.
    """

    def __init__(
        self,
        env: dict,
        port: int = BASE_PORT,
        workers: int = 4,
        channels: int = 3,
        db_host: str | None = None,
        db_port: int | None = None,
        limit_time_real: int = 300,
    ) -> None:
        self.env = env
        self.port = port
        self.workers = workers
        self.channels = channels
        self.db_host = db_host
        self.db_port = db_port
        self.limit_time_real = limit_time_real
        self.db = f"myconnector_rel_{os.getpid()}_{port}"
        self.url = f"http://127.0.0.1:{port}"
        self.folder = Path(tempfile.mkdtemp(prefix="myconnector-reliability-"))
        self.logfile = self.folder / "odoo.log"
        self.process: subprocess.Popen | None = None
        self.http = requests.Session()
        self.http.trust_env = False
        self._conn = None
        self._uid = None

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self) -> OdooServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _command(self, *args: str) -> list[str]:
        env = self.env
        command = [
            f"{env['VENV']}/bin/python",
            f"{env['ODOO_SRC']}/odoo-bin",
            *args,
            f"--addons-path={env['ADDONS_PATH']}",
            f"--data-dir={env['ODOO_DATA_DIR']}",
        ]
        return command

    def _process_env(self) -> dict:
        return dict(os.environ, PYTHONPATH=str(REPO_ROOT), **_pg_vars(self.env))

    def _db_args(self, proxied: bool) -> list[str]:
        host = self.env.get("PGHOST")
        port = self.env["PGPORT"]
        if proxied and self.db_port:
            host, port = self.db_host or "127.0.0.1", self.db_port
        args = [f"--db_port={port}"]
        if host:
            args.append(f"--db_host={host}")
        if self.env.get("PGUSER"):
            args.append(f"--db_user={self.env['PGUSER']}")
        return args

    def install(self, timeout: float = 300) -> None:
        """Copy the template into ``self.db`` and install the suite's addons
        (no server started: ``start`` does both, benchmarks use it alone)."""
        _setup_shell(self.env, f'copy_db "{self.env["TEMPLATE"]}" "{self.db}"')
        install = subprocess.run(
            self._command(
                "-d",
                self.db,
                "-i",
                ADDONS,
                "--without-demo=all",
                "--stop-after-init",
                "--no-http",
                "--log-level=warn",
                *self._db_args(proxied=False),
            ),
            env=self._process_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if install.returncode != 0:
            self.drop()
            raise RuntimeError(f"installing {ADDONS} failed:\n{install.stderr[-3000:]}")

    def start(self, timeout: float = 300) -> OdooServer:
        self.install(timeout)
        conf = self.folder / "odoo.conf"
        conf.write_text(
            "[options]\n"
            "admin_passwd = admin\n"
            # db_name without dbfilter: Odoo then serves that database alone
            # without listing PostgreSQL's databases at every request without
            # a session (each webhook, each job dispatch): a dbfilter costs
            # a query on the postgres database per request.
            f"db_name = {self.db}\n"
            "list_db = False\n"
            "http_interface = 127.0.0.1\n"
            f"http_port = {self.port}\n"
            f"gevent_port = {self.port + 1}\n"
            f"workers = {self.workers}\n"
            "max_cron_threads = 0\n"
            "server_wide_modules = base,web,queue_job\n"
            f"limit_time_real = {self.limit_time_real}\n"
            f"limit_time_cpu = {self.limit_time_real}\n"
            "limit_memory_soft = 2147483648\n"
            "limit_memory_hard = 2684354560\n"
            f"logfile = {self.logfile}\n"
            "log_level = info\n"
            "\n[queue_job]\n"
            f"channels = root:{self.channels}\n"
        )
        self.process = subprocess.Popen(
            self._command("-c", str(conf), *self._db_args(proxied=True)),
            env=self._process_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            with contextlib.suppress(requests.RequestException):
                if self.http.get(self.url + "/web/login", timeout=5).status_code == 200:
                    return self
            time.sleep(0.3)
        tail = self.log_tail()
        self.stop()
        raise RuntimeError(f"Odoo did not start on {self.url}:\n{tail}")

    def stop(self) -> None:
        """Stop Odoo (its whole process group: master, workers, job runner)
        and drop the database."""
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self.drop()
        if not os.environ.get("RELIABILITY_KEEP_LOGS"):
            shutil.rmtree(self.folder, ignore_errors=True)

    def drop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            _setup_shell(self.env, f'drop_db "{self.db}"')

    def log_tail(self, lines: int = 40) -> str:
        if not self.logfile.exists():
            return "(no log)"
        return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])

    def log_lines(self, marker: str) -> list[str]:
        """Lines of the Odoo log containing ``marker``."""
        if not self.logfile.exists():
            return []
        text = self.logfile.read_text(errors="replace")
        return [line for line in text.splitlines() if marker in line]

    def worker_pids(self) -> list[int]:
        """The HTTP worker processes (children of the prefork master)."""
        import psutil  # noqa: PLC0415 - listed in test-requirements.txt

        master = psutil.Process(self.process.pid)
        return [child.pid for child in master.children()]

    # -- talking to Odoo -----------------------------------------------------

    def rpc(self, model: str, method: str, *args, **kwargs):
        """``execute_kw`` over JSON-RPC as ``admin``."""
        if self._uid is None:
            self._uid = self._call("common", "login", self.db, *ADMIN)
        return self._call(
            "object",
            "execute_kw",
            self.db,
            self._uid,
            ADMIN[1],
            model,
            method,
            list(args),
            kwargs,
        )

    def _call(self, service: str, method: str, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": list(args)},
        }
        answer = self.http.post(self.url + "/jsonrpc", json=payload, timeout=120).json()
        if answer.get("error"):
            raise RuntimeError(json.dumps(answer["error"])[:2000])
        return answer["result"]

    def sql(self, query: str, params=()) -> list[tuple]:
        """Rows of ``query``, run directly on the database (autocommit)."""
        if self._conn is None:
            self._conn = pg_connect(self.env, self.db)
        with self._conn.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else []

    def wire_backend(self, sandbox_url: str, **values) -> Backend:
        """Create a MyConnector backend on the sandbox, with a known webhook
        secret (Standard Webhooks), and point ``web.base.url`` at this server."""
        group = self.rpc(
            "ir.model.data",
            "search_read",
            [("module", "=", "connector"), ("name", "=", "group_connector_manager")],
            fields=["res_id"],
        )[0]["res_id"]
        self.rpc("res.users", "write", [2], {"groups_id": [(4, group)]})
        self.rpc("ir.config_parameter", "set_param", "web.base.url", self.url)
        backend_id = self.rpc(
            "myconnector.backend",
            "create",
            dict(
                {
                    "name": f"Reliability {uuid.uuid4().hex[:6]}",
                    "base_url": sandbox_url,
                    "auth_type": "api_key",
                    "api_key": API_KEY,
                    "webhook_scheme": "standard",
                    "webhook_secret": WEBHOOK_SECRET,
                    "retry_backoff": 0.05,
                    "retry_after_cap": 2,
                    "connect_timeout": 2,
                    "read_timeout": 10,
                },
                **values,
            ),
        )
        token = self.rpc(
            "myconnector.backend", "read", [backend_id], ["webhook_token"]
        )[0]["webhook_token"]
        return Backend(
            backend_id, token, WEBHOOK_SECRET, f"/myconnector/webhook/{token}"
        )

    def cache_clears(self) -> int:
        """How many times a worker has cleared Odoo's ``default`` cache and
        signalled the others to clear theirs (Odoo's signalling sequence):
        each clear makes every worker read access rights, record rules and
        the like again."""
        return self.sql("SELECT last_value FROM base_cache_signaling_default")[0][0]

    def job_states(self) -> dict:
        return dict(self.sql("SELECT state, count(*) FROM queue_job GROUP BY state"))

    def wait_for_jobs(self, timeout: float = 300, poll: float = 0.5) -> dict:
        """Wait until no job is pending, enqueued or started; return the
        ``{state: count}`` of all jobs (raises ``TimeoutError`` with it)."""
        deadline = time.monotonic() + timeout
        while True:
            states = self.job_states()
            busy = sum(states.get(s, 0) for s in ("pending", "enqueued", "started"))
            if not busy:
                return states
            if time.monotonic() > deadline:
                raise TimeoutError(f"jobs still running after {timeout}s: {states}")
            time.sleep(poll)


class PgProxy:
    """A TCP proxy on ``127.0.0.1:port`` in front of PostgreSQL, that can be cut.

    :meth:`cut` does to its clients exactly what a PostgreSQL restart does:
    every open connection is closed and new ones are refused for a while.
    The machine's PostgreSQL server, which other test runs share, is never
    touched. Upstream is the server named by the environment (its Unix
    socket when ``PGHOST`` is empty or a directory).
    """

    def __init__(self, env: dict, port: int = BASE_PORT + 3) -> None:
        self.port = port
        host = env.get("PGHOST") or "/var/run/postgresql"
        pgport = int(env["PGPORT"])
        if host.startswith("/"):
            self._upstream = (socket.AF_UNIX, f"{host}/.s.PGSQL.{pgport}")
        else:
            self._upstream = (socket.AF_INET, (host, pgport))
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.connections = 0
        self.cuts = 0

    def __enter__(self) -> PgProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> PgProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._closed = True
        self._close_all()

    def cut(self, seconds: float) -> None:
        """Close every connection, refuse new ones for ``seconds``, resume."""
        self.cuts += 1
        self._close_all()
        time.sleep(seconds)
        if not self._closed:
            self.start()

    def _close_all(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        for sock in [listener, *sockets]:
            if sock is None:
                continue
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _addr = listener.accept()
            except OSError:
                return  # cut or stopped
            try:
                upstream = socket.socket(self._upstream[0], socket.SOCK_STREAM)
                upstream.connect(self._upstream[1])
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self._sockets.update((client, upstream))
                self.connections += 1
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(src, dst), daemon=True
                ).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        # Ends when either side, or a cut, closes the connection.
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for sock in (src, dst):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        with self._lock:
            self._sockets.discard(src)
            self._sockets.discard(dst)


class Platform:
    """Plays the MyConnector platform against one backend of an
    :class:`OdooServer`: builds events, signs them (Standard Webhooks, with
    the sandbox's own signer) and posts them, retrying on 503 and on a refused
    connection the way a platform does (``Retry-After`` honoured, capped by
    ``max_wait``). Thread-safe: one HTTP session per thread.
    """

    def __init__(self, odoo: OdooServer, backend: Backend, max_wait: float = 5.0):
        self.url = odoo.url + backend.path
        self.secret = backend.secret
        self.max_wait = max_wait
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.trust_env = False
        return session

    @staticmethod
    def event(product_id, event_id=None, event_type="product.updated") -> bytes:
        """The body of one event about ``product_id``."""
        return json.dumps(
            {
                "id": event_id or f"evt_{uuid.uuid4().hex}",
                "type": event_type,
                "data": {"id": product_id},
            }
        ).encode()

    def headers(self, delivery_id: str, body: bytes, timestamp=None) -> dict:
        from sandbox.webhooks import sign_standard  # noqa: PLC0415 - repo root on path

        timestamp = int(time.time()) if timestamp is None else int(timestamp)
        return {
            "Content-Type": "application/json",
            "webhook-id": delivery_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign_standard(
                self.secret, delivery_id, timestamp, body
            ),
        }

    def post(
        self,
        delivery_id,
        body,
        *,
        timestamp=None,
        tamper=False,
        retry=False,
        deadline=120.0,
    ) -> list:
        """Deliver once, or until a non-503 answer when ``retry``; return
        every answer's status in order (``None`` for a refused connection).
        A tampered delivery is signed, then altered (as on the wire)."""
        statuses = []
        give_up = time.monotonic() + deadline
        while True:
            headers = self.headers(delivery_id, body, timestamp)
            sent = body.replace(b"}}", b', "x": 1}}') if tamper else body
            try:
                response = self._session().post(
                    self.url, data=sent, headers=headers, timeout=60
                )
                status, wait = response.status_code, response.headers.get("Retry-After")
            except requests.ConnectionError:
                status, wait = None, "1"
            statuses.append(status)
            if not retry or status not in (None, 503) or time.monotonic() > give_up:
                return statuses
            time.sleep(min(float(wait or 1), self.max_wait))
