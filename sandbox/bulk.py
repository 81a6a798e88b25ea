"""Bulk exports under ``/api/v1/bulk_operations``, Shopify-style.

A client starts an operation for one resource, polls it until it is
``completed`` and downloads its file: JSON Lines, one whole record per line,
the very object ``GET /api/v1/<resource>/<id>`` returns (a product carries
its variants nested under ``variants``, as everywhere else in this API; no
child lines to stitch back together). The file is a snapshot taken when the
operation starts: a record changed afterwards is exported as it was then.

* ``POST /api/v1/bulk_operations`` ``{"resource": "products"}`` -> 201, the
  operation (``status`` ``created``), ``Location`` its URL;
* ``GET /api/v1/bulk_operations/<id>`` -> the operation: ``created`` (not
  polled yet), ``running`` (its ``--bulk-delay`` has not elapsed),
  ``completed`` (``object_count`` and ``url`` set) or ``failed``
  (``error_code``);
* ``GET /api/v1/bulk_operations/<id>/file`` -> 200, the JSONL body, streamed
  (a generator: the server never builds the file in memory either); 409
  while the operation is not completed.

Every call goes through authentication, the rate limit and the request
counters like any other endpoint. Faults: ``bulk_truncate=N`` on the file's
URL serves N lines fewer than ``object_count`` announces (a file cut short),
``bulk_fail_rate`` on ``POST /api/v1/bulk_operations`` makes that share of
operations end ``failed``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from .errors import ApiError
from .rest import json_response, read_json
from .util import dumps

if TYPE_CHECKING:
    from .app import SandboxApp

PREFIX = "/api/v1/bulk_operations"
RESOURCES = ("products", "customers", "orders")
JSONL = "application/jsonl"


@dataclass
class Operation:
    id: int
    resource: str
    started: float
    lines: list[str]
    failed: bool = False
    polled: bool = False

    def status(self, delay: float) -> str:
        if not self.polled:
            return "created"
        if time.monotonic() - self.started < delay:
            return "running"
        return "failed" if self.failed else "completed"


class BulkApi:
    """The bulk operations of one server (kept in memory, cleared on reset)."""

    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.operations: dict[int, Operation] = {}
        self._lock = threading.Lock()
        self._next_id = 1

    def clear(self) -> None:
        with self._lock:
            self.operations.clear()

    def handle(self, request: Request) -> Response:
        parts = request.path[len(PREFIX) :].strip("/").split("/")
        if parts == [""]:
            if request.method != "POST":
                raise ApiError(405, "Use POST", headers={"Allow": "POST"})
            return self._start(request)
        if request.method != "GET":
            raise ApiError(405, "Use GET", headers={"Allow": "GET"})
        operation = self._operation(parts[0])
        if len(parts) == 1:
            return self._one(self._describe(request, operation, poll=True))
        if parts[1:] == ["file"]:
            return self._file(request, operation)
        raise ApiError(404, f"No endpoint {request.path}")

    # -- endpoints -------------------------------------------------------

    def _start(self, request: Request) -> Response:
        data = read_json(request)
        resource = data.get("resource") if isinstance(data, dict) else None
        if resource not in RESOURCES:
            raise ApiError(
                422, "Validation failed", {"resource": [", ".join(RESOURCES)]}
            )
        store = self.app.store
        collection = store.collection(resource)
        with store.lock:
            # The records' cached JSON texts: the snapshot shares them.
            lines = [collection.json(key) for key in collection.select()]
        knobs = self.app.faults.for_request(request.method, request.path)
        with self._lock:
            operation = Operation(
                id=self._next_id,
                resource=resource,
                started=time.monotonic(),
                lines=lines,
                failed=self.app.faults.roll(knobs, "bulk_fail_rate"),
            )
            self.operations[operation.id] = operation
            self._next_id += 1
        response = self._one(self._describe(request, operation), 201)
        response.headers["Location"] = self._url(request, operation)
        return response

    def _file(self, request: Request, operation: Operation) -> Response:
        status = self._status(operation)
        if status != "completed":
            raise ApiError(
                409, f"Bulk operation {operation.id} is {status}, not completed"
            )
        knobs = self.app.faults.for_request(request.method, request.path)
        drop = int(knobs.get("bulk_truncate", 0))
        lines = operation.lines[: max(len(operation.lines) - drop, 0)]
        if drop:
            self.app.faults.count("bulk_truncate")

        def body():
            for line in lines:
                yield (line + "\n").encode()

        return Response(body(), content_type=JSONL)

    # -- helpers ---------------------------------------------------------

    def _operation(self, raw_id: str) -> Operation:
        with self._lock:
            operation = self.operations.get(int(raw_id)) if raw_id.isdigit() else None
        if operation is None:
            raise ApiError(404, f"Bulk operation {raw_id} not found")
        return operation

    def _status(self, operation: Operation) -> str:
        return operation.status(self.app.config.bulk_delay)

    def _describe(
        self, request: Request, operation: Operation, poll: bool = False
    ) -> dict[str, Any]:
        status = self._status(operation)
        if poll:
            operation.polled = True
        completed = status == "completed"
        return {
            "id": operation.id,
            "resource": operation.resource,
            "status": status,
            "object_count": len(operation.lines) if completed else 0,
            "url": self._url(request, operation) + "/file" if completed else None,
            "error_code": "INTERNAL_SERVER_ERROR" if status == "failed" else None,
        }

    @staticmethod
    def _url(request: Request, operation: Operation) -> str:
        return f"{request.host_url.rstrip('/')}{PREFIX}/{operation.id}"

    @staticmethod
    def _one(data: dict[str, Any], status: int = 200) -> Response:
        return json_response('{"status":"success","data":' + dumps(data) + "}", status)
