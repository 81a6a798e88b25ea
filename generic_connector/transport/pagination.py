"""Lazy pagination over list endpoints.

``paginate`` is a generator: nothing is fetched before the first ``next()``,
and each page is requested only when the consumer asks for it, so a caller
that stops early (a batch limit, an error in the mapper) never downloads the
rest, and only one page is held in memory at a time.

A *style* object knows where the first page is and how to find the next one:

* ``OffsetPagination`` — ``?page=N&per_page=M`` (or ``offset=`` steps with
  ``by_offset=True``). Never stops on a short page: many APIs silently cap
  ``per_page`` below what we ask, and stopping on the first "short" page
  would import a fraction of the data without any error. It stops once the
  announced total has been fetched (``total_path``), at an empty page, or at
  a 404 past the first page (the "Invalid page" of Django REST framework and
  others: the page past the end).
* ``CursorPagination`` — the next cursor is read from the payload; a missing,
  null or empty cursor ends the iteration.
* ``LinkHeaderPagination`` — follows ``Link: <...>; rel="next"`` (RFC 8288).
* ``NextLinkPagination`` — follows the next page's URL found in the body at a
  dotted path (``next`` for Django REST framework, ``links.next`` for
  JSON:API, ``_links.next.href`` for HAL); null or absent ends the iteration.
  ``drf_pagination()`` is the one of Django REST framework's
  ``PageNumberPagination``: ``page_size`` asked, ``next`` followed (a page the
  server capped short is not the end), ``count`` the announced total.

Every style takes a ``total_path``: each ``Page`` then carries the total the
remote announced (``total``) beside the count of items fetched so far
(``fetched``), so a caller can tell a walk that ended short of the announced
total (records added or deleted meanwhile, a broken page) and say so.

Guards, because a broken pagination otherwise runs until the job times out
and imports the same page ten thousand times:

* a request (URL + params, hence cursor or next link) already sent, or a page
  repeating the previous one (same ``id``s, else same content hash), raises
  ``FatalError("pagination loop: ...")`` — typically the API ignores our
  page parameter;
* a next link (header or body) to another origin raises ``ConfigError``; it
  is never followed, so credentials are never sent there;
* ``max_pages`` (default 10,000) bounds any iteration.
"""

import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests

from .client import origin_of
from .envelope import extract
from .errors import ConfigError, FatalError, NotFoundError

MAX_PAGES = 10_000


@dataclass
class Page:
    items: list
    response: requests.Response
    payload: Any
    number: int  # 1-based
    fetched: int = 0  # items of this page and the pages before it
    total: int | None = None  # the total the remote announced, if it does


class _SizedPagination:
    """Shared by the styles: the page size goes out as ``size_param``; the
    announced total, if any, is read at ``total_path``."""

    size_param = None
    page_size = 100
    total_path = None
    #: a 404 after the first page means "past the end" (offset styles only:
    #: a cursor or a link the remote handed us must exist)
    not_found_ends = False

    def start(self, path, params):
        if self.size_param:
            params = {**params, self.size_param: self.page_size}
        return path, params

    def total_of(self, payload):
        """The total the remote announced in ``payload``, or None."""
        if not self.total_path:
            return None
        total = extract(payload, self.total_path, default=None)
        try:
            return int(total) if total is not None else None
        except (TypeError, ValueError) as exc:
            raise FatalError(
                f"the total at {self.total_path!r} is {total!r}, not a number"
            ) from exc


class OffsetPagination(_SizedPagination):
    not_found_ends = True

    def __init__(
        self,
        page_param="page",
        size_param="per_page",
        page_size=100,
        start=1,
        total_path=None,
        *,
        by_offset=False,
    ):
        self.page_param = page_param
        self.size_param = size_param
        self.page_size = page_size
        self.start_at = start
        self.total_path = total_path
        self.by_offset = by_offset  # page_param counts items, not pages

    def start(self, path, params):
        return super().start(path, {**params, self.page_param: self.start_at})

    def advance(self, page, request, fetched):
        # A short page is not the end (the server may cap the page size):
        # only the announced total, an empty page or a 404 past it are.
        if not page.items or (page.total is not None and fetched >= page.total):
            return None
        target, params = request
        step = len(page.items) if self.by_offset else 1
        return target, {**params, self.page_param: params[self.page_param] + step}


class CursorPagination(_SizedPagination):
    def __init__(
        self,
        cursor_param="cursor",
        next_cursor_path="data.next_cursor",
        size_param="limit",
        page_size=100,
        total_path=None,
    ):
        self.total_path = total_path
        self.cursor_param = cursor_param
        self.next_cursor_path = next_cursor_path
        self.size_param = size_param
        self.page_size = page_size

    def advance(self, page, request, fetched):
        # Absent and null both mean "last page": many APIs omit the key then.
        cursor = extract(page.payload, self.next_cursor_path, default=None)
        if cursor in (None, ""):
            return None
        target, params = request
        return target, {**params, self.cursor_param: cursor}


def _next_on_same_origin(page, link):
    """The absolute URL of ``link`` (relative to the page's URL), refused
    with ``ConfigError`` when it leaves the page's origin: credentials are
    never sent to a host a response named."""
    target = requests.compat.urljoin(page.response.url, link)
    if origin_of(target) != origin_of(page.response.url):
        raise ConfigError(
            f"pagination next link points to another origin: {target}; "
            "not followed, credentials are never sent there",
            url=page.response.url,
        )
    return target, None  # the link carries its own query string


class LinkHeaderPagination(_SizedPagination):
    def __init__(self, size_param="per_page", page_size=100, total_path=None):
        self.size_param = size_param
        self.page_size = page_size
        self.total_path = total_path

    def advance(self, page, request, fetched):
        link = page.response.links.get("next", {}).get("url")
        if not link:
            return None
        return _next_on_same_origin(page, link)


class NextLinkPagination(_SizedPagination):
    """The next page's URL is in the body at ``next_path`` (dotted)."""

    def __init__(
        self, next_path="next", size_param="per_page", page_size=100, total_path=None
    ):
        self.next_path = next_path
        self.size_param = size_param
        self.page_size = page_size
        self.total_path = total_path

    def advance(self, page, request, fetched):
        link = extract(page.payload, self.next_path, default=None)
        if link in (None, ""):
            return None
        if not isinstance(link, str):
            raise FatalError(
                f"the next link at {self.next_path!r} is a "
                f"{type(link).__name__}, not a URL"
            )
        return _next_on_same_origin(page, link)


def drf_pagination(page_size=100):
    """Django REST framework's ``PageNumberPagination``: ``{"count", "next",
    "previous", "results"}`` with the full URL of the next page. Pages are
    walked by ``next`` whatever their size (DRF caps ``page_size`` silently
    at its ``max_page_size``), and ``count`` is the total a short walk is
    measured against. The items are at ``results``."""
    return NextLinkPagination(
        "next", size_param="page_size", page_size=page_size, total_path="count"
    )


def paginate(
    client, path, *, style, items_path, params=None, max_pages=MAX_PAGES, headers=None
) -> Iterator[Page]:
    """Yield ``Page`` objects, fetching each one only when asked for."""
    request = style.start(path, dict(params or {}))
    seen, previous, fetched = set(), None, 0
    for number in itertools.count(1):
        if number > max_pages:
            raise FatalError(f"pagination stopped: more than {max_pages} pages")
        key = _request_key(client, request)
        if key in seen:
            raise FatalError(f"pagination loop: {key} was already fetched")
        seen.add(key)
        try:
            payload, response = client.fetch_json(
                "GET", request[0], params=request[1], headers=headers
            )
        except NotFoundError:
            # The first page exists (it answered): a 404 now is the page
            # past the end of a collection that is an exact multiple of it.
            if number > 1 and style.not_found_ends:
                return
            raise
        items = extract(payload, items_path)
        if not isinstance(items, list):
            raise FatalError(
                f"items at {items_path!r} are a {type(items).__name__}, not a list"
            )
        fingerprint = _fingerprint(items)
        if items and fingerprint == previous:
            raise FatalError(
                f"pagination loop: page {number} repeats page {number - 1} "
                f"({response.url}); does the API ignore the paging parameters?"
            )
        previous, fetched = fingerprint, fetched + len(items)
        page = Page(
            items=items,
            response=response,
            payload=payload,
            number=number,
            fetched=fetched,
            total=style.total_of(payload),
        )
        yield page
        request = style.advance(page, request, fetched)
        if request is None:
            return


def iterate_items(client, path, **kwargs) -> Iterator[Any]:
    """Yield the items of every page, lazily (same arguments as ``paginate``)."""
    for page in paginate(client, path, **kwargs):
        yield from page.items


def _request_key(client, request) -> str:
    target, params = request
    prepared = requests.Request("GET", client.url_for(target), params=params).prepare()
    return prepared.url


def _fingerprint(items) -> str:
    if all(isinstance(item, dict) and "id" in item for item in items):
        material = json.dumps([item["id"] for item in items], default=str)
    else:
        material = json.dumps(items, sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).hexdigest()
