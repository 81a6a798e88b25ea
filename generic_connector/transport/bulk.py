"""Bulk exports: start, poll, then stream a JSON Lines file record by record.

Platforms offer them for initial loads (Shopify's bulk operations): paging a
large catalogue through a rate limit takes hours, a bulk export is a few
calls. The protocol, as :class:`BulkExport` declares it:

1. ``POST <operations path>`` ``{"resource": ...}`` -> the operation (its id);
2. ``GET <operations path>/<id>`` until its status is final: polled with a
   backoff (``poll_interval`` doubling up to ``max_poll_interval``) and
   given up after ``timeout`` seconds with a ``TransientError``
   (``BulkExportTimeoutError``) that says
   what to do (the job is retried later; or the caller pages instead);
   ``failed`` (and cancelled, expired) is a ``FatalError``
   (``BulkExportFailedError``);
3. ``GET <url of the completed operation>``: one JSON object per line,
   read with ``requests``' ``stream=True`` and ``iter_lines``: one chunk of
   the body in memory at a time, never the whole file, whatever its size.

``iterate_bulk`` yields the records lazily, like ``iterate_items``: nothing
is sent before the first ``next()``, and a consumer that stops early closes
the download. ``bulk_pages`` groups them into :class:`~.pagination.Page`
objects carrying the announced ``total`` (the operation's object count) and
the records ``fetched`` so far, so the callers of ``paginate`` tell a short
file the way they tell a short walk: a file with fewer records than
announced (cut short, a line that does not parse) makes the walk partial
(:class:`BulkWalk` ``complete`` is False, ``shortfall`` says why). A bad line
is left out with one WARNING; the rest of the file is read.

The file's URL must be on the backend's origin, like any URL the client
follows: the credentials are never sent elsewhere (``ConfigError``).
"""

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import requests

from .envelope import extract
from .errors import FatalError, TransientError, error_from_exception
from .pagination import Page
from .redact import redact_text

_logger = logging.getLogger("generic_connector.transport")

#: bytes read from the socket at a time while streaming a file
LINE_CHUNK = 16 * 1024
FINAL_FAILURES = ("failed", "cancelled", "canceled", "expired")


class _OwnWords:
    """An error whose message is the whole story (what happened to the
    export, what to do): the summary an admin reads says it, not a generic
    hint."""

    def __init__(self, message="", **kwargs):
        super().__init__("", **kwargs)
        self.hint = redact_text(message, kwargs.get("secrets", ()))
        self.args = (str(self),)


class BulkExportFailedError(_OwnWords, FatalError):
    """The remote ended the export failed, cancelled or expired."""

    what = "The platform's bulk export failed"


class BulkExportTimeoutError(_OwnWords, TransientError):
    """The export did not complete in time: tried again later."""

    what = "The platform's bulk export is not ready"


@dataclass
class BulkWalk:
    """What one bulk walk saw, filled in as it runs."""

    resource: str = ""
    operation: dict | None = None  # the last state of the operation
    response: requests.Response | None = None  # the start's (its Date header)
    download: requests.Response | None = None  # the file, streamed
    announced: int | None = None  # the operation's object count
    fetched: int = 0  # records yielded
    polls: int = 0
    bad_lines: list = field(default_factory=list)  # (line number, reason)
    finished: bool = False  # the file was read to its end

    @property
    def complete(self):
        """The whole file was read and held every record announced."""
        return self.finished and (
            self.announced is None or self.fetched >= self.announced
        )

    def shortfall(self):
        """Why the walk is partial, as a sentence; None when complete."""
        if self.complete or not self.finished:
            return None
        text = (
            f"the bulk export of {self.resource} announced {self.announced} "
            f"record(s) but its file held {self.fetched}"
        )
        if self.bad_lines:
            number, reason = self.bad_lines[0]
            text += (
                f" ({len(self.bad_lines)} line(s) unreadable, first line "
                f"{number}: {reason})"
            )
        return text


@dataclass
class BulkExport:
    """Where and how a remote serves its bulk exports."""

    operations_path: str = "/api/v1/bulk_operations"
    record_path: str = "data"  # the operation inside its envelope
    resource_key: str = "resource"  # the body's member naming the resource
    poll_interval: float = 0.2
    max_poll_interval: float = 5.0
    timeout: float = 600.0
    #: what to do instead when the export fails or takes too long (words
    #: for the caller's audience: "untick 'Use bulk export' to page")
    advice: str = "read the resource page by page instead"

    def start(self, client, resource, walk):
        payload, response = client.fetch_json(
            "POST", self.operations_path, json={self.resource_key: resource}
        )
        walk.response = response
        walk.operation = extract(payload, self.record_path)
        return walk.operation

    def wait(self, client, walk, sleep=time.sleep, clock=time.monotonic):
        """Poll the operation until it completed; return it."""
        operation = walk.operation
        deadline = clock() + self.timeout
        interval = self.poll_interval
        path = f"{self.operations_path.rstrip('/')}/{operation['id']}"
        while True:
            operation = walk.operation = extract(
                client.get_json(path), self.record_path
            )
            walk.polls += 1
            status = str(operation.get("status") or "").lower()
            if status == "completed":
                return operation
            if status in FINAL_FAILURES:
                raise BulkExportFailedError(
                    f"the bulk export {operation['id']} of {walk.resource} "
                    f"ended {status} on the remote "
                    f"({operation.get('error_code') or 'no error code'}): run "
                    f"the import again, or {self.advice}",
                    url=client.url_for(path),
                )
            if clock() + interval > deadline:
                raise BulkExportTimeoutError(
                    f"the bulk export {operation['id']} of {walk.resource} is "
                    f"still {status or 'unfinished'} after {self.timeout:.0f} s: "
                    f"the remote is slow. The import is tried again later; "
                    f"allow a longer timeout, or {self.advice}",
                    url=client.url_for(path),
                )
            sleep(interval)
            interval = min(interval * 2, self.max_poll_interval)

    def stream(self, client, walk):
        """Yield the records of the completed operation's file, one line at
        a time (one ``LINE_CHUNK`` of the body in memory)."""
        operation = walk.operation
        walk.announced = _count(operation.get("object_count"))
        if not operation.get("url"):
            walk.finished = True  # nothing exported: no file
            return
        url = client.url_for(operation["url"])
        response = walk.download = client.request("GET", url, stream=True)
        with response:
            lines = response.iter_lines(chunk_size=LINE_CHUNK)
            for number, line in enumerate(_guarded(lines, url, client), 1):
                if not line.strip():
                    continue
                record = self._parse(walk, number, line)
                if record is not None:
                    walk.fetched += 1
                    yield record
        walk.finished = True

    @staticmethod
    def _parse(walk, number, line):
        try:
            record = json.loads(line)
        except ValueError as exc:
            reason = f"not JSON ({exc})"
        else:
            if isinstance(record, dict):
                return record
            reason = f"a {type(record).__name__}, not an object"
        walk.bad_lines.append((number, reason))
        _logger.warning(
            "bulk export of %s: line %d left out, %s", walk.resource, number, reason
        )
        return None


def _guarded(lines, url, client):
    """``lines`` with a connection lost mid-file raised as a typed error."""
    try:
        yield from lines
    except requests.RequestException as exc:
        raise error_from_exception(exc, "GET", url, client.secrets()) from exc


def _count(value):
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError) as exc:
        raise FatalError(f"the bulk export's object count is {value!r}") from exc


def iterate_bulk(
    client, resource, *, export=None, walk=None, sleep=time.sleep, clock=time.monotonic
) -> Iterator[dict]:
    """Yield every record of ``resource`` from a bulk export, lazily.

    ``walk``, a :class:`BulkWalk`, receives what the walk saw (the operation,
    the announced count, the records fetched, whether it is complete).
    """
    export = export or BulkExport()
    walk = walk if walk is not None else BulkWalk()
    walk.resource = resource
    export.start(client, resource, walk)
    export.wait(client, walk, sleep=sleep, clock=clock)
    yield from export.stream(client, walk)


def bulk_pages(client, resource, *, page_size=100, walk=None, **kwargs):
    """``iterate_bulk`` in :class:`~.pagination.Page` objects of
    ``page_size`` records, each with the announced ``total`` and the count
    ``fetched`` so far (``response`` is the start's): what the callers of
    ``paginate`` read. An empty export is one empty page."""
    walk = walk if walk is not None else BulkWalk()
    batch, number = [], 0
    for record in iterate_bulk(client, resource, walk=walk, **kwargs):
        batch.append(record)
        if len(batch) >= page_size:
            number += 1
            yield _page(walk, batch, number)
            batch = []
    if batch or not number:
        yield _page(walk, batch, number + 1)


def _page(walk, items, number):
    return Page(
        items=items,
        response=walk.response,
        payload=walk.operation,
        number=number,
        fetched=walk.fetched,
        total=walk.announced,
    )
