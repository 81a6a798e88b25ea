"""GraphQL over the ``HttpClient``: errors, query cost, Relay paging.

``GraphQLClient`` POSTs ``{"query", "variables"}`` through the backend's
``HttpClient`` (so the pooled session, the timeouts, the redaction and the
retry of 5xx all apply) and turns an answer's ``errors`` into the typed
errors of ``errors.py`` (``graphql_error``): GraphQL answers 200 whatever
happened, so its codes are what tell a throttle from a bad query.

Query cost (Shopify's model, which the platform follows): each answer's
``extensions.cost.throttleStatus`` says how many points are left in the
caller's bucket and how fast it refills. The client keeps the last status
per ``cost_key`` (a backend) in this process and, before a query whose cost
it can predict, waits until the bucket holds enough, so a long walk meets
``THROTTLED`` rarely instead of once per page. Given ``cost_limiter`` (a
factory of ``ratelimit.RateLimiter`` for the remote's bucket size and
restore rate), the planning is shared by every worker and host instead: the
cost is taken from that shared bucket before the query, and every answer's
``throttleStatus`` tightens it (see ``RateLimiter.learn_throttle_status``),
so two workers walking at once do not each spend the same points. When a
``THROTTLED`` comes
anyway, its wait is computed from the same status (points missing / restore
rate) and the query is sent again, up to ``RetryPolicy.retry_after_cap``;
a longer wait raises ``ThrottledError`` (a ``RateLimitedError``) with
``retry_after`` so the job layer reschedules instead of blocking a worker.

``relay_pages`` walks a Relay connection lazily (``first``/``after``,
``pageInfo.hasNextPage``/``endCursor``): one page fetched per ``next()``, a
repeated ``endCursor`` raises ``FatalError`` (the API ignores ``after``), and
``MAX_COST_EXCEEDED`` shrinks the page size and goes on, down to 1. The size
it settles on is remembered per ``size_key`` in this process, so the next
walk of that backend starts there instead of failing again.

``complete_connections`` fetches the rest of nested connections (a product's
``variants`` past their first page) in batched, aliased queries.
"""

import json
import logging
import threading
import time
from collections.abc import Hashable, Iterator
from dataclasses import dataclass

from .envelope import extract
from .errors import (
    FatalError,
    GraphQLError,
    PartialDataError,
    QueryCostError,
    ThrottledError,
    error_codes,
)
from .pagination import MAX_PAGES, Page

_logger = logging.getLogger("generic_connector.transport")

MAX_WAIT = 3600.0  # seconds; a longer computed wait is taken as this
_lock = threading.Lock()
_throttle: dict[Hashable, "ThrottleStatus"] = {}
_page_sizes: dict[Hashable, int] = {}
_record_costs: dict[Hashable, float] = {}


@dataclass
class ThrottleStatus:
    """The remote's cost bucket as last reported, and when."""

    maximum: float
    available: float
    restore_rate: float
    observed_at: float

    def available_at(self, now: float) -> float:
        """Points in the bucket at ``now``, had nothing else spent them."""
        refilled = (now - self.observed_at) * self.restore_rate
        return min(self.maximum, self.available + refilled)

    def wait_for(self, cost: float, now: float) -> float:
        """Seconds until ``cost`` points are available (0 if they are)."""
        missing = cost - self.available_at(now)
        if missing <= 0:
            return 0.0
        if self.restore_rate <= 0:
            return MAX_WAIT  # never refilled: come back much later
        return min(missing / self.restore_rate, MAX_WAIT)


def parse_throttle(payload, now: float | None = None) -> ThrottleStatus | None:
    """``ThrottleStatus`` from an answer's ``extensions.cost``, if any."""
    status = extract(payload, "extensions.cost.throttleStatus", default=None)
    if not isinstance(status, dict):
        return None
    try:
        return ThrottleStatus(
            maximum=float(status["maximumAvailable"]),
            available=float(status["currentlyAvailable"]),
            restore_rate=float(status["restoreRate"]),
            observed_at=time.monotonic() if now is None else now,
        )
    except (KeyError, TypeError, ValueError):
        return None


def graphql_error(payload, response=None, secrets=(), now=None):
    """The typed error for an answer carrying ``errors``.

    ``THROTTLED`` → ``ThrottledError`` whose ``retry_after`` is computed from
    ``throttleStatus``; ``MAX_COST_EXCEEDED`` → ``QueryCostError``; errors
    beside non-null ``data`` → ``PartialDataError``; else ``GraphQLError``.
    """
    errors = payload.get("errors") or []
    data = payload.get("data")
    codes = error_codes(errors)
    messages = "; ".join(str(e.get("message", e)) for e in errors if e)
    kwargs = {"errors": errors, "data": data, "secrets": secrets}
    if response is not None:
        kwargs.update(
            status=None,
            method=response.request.method if response.request else None,
            url=response.url,
        )
    text = f"GraphQL errors [{', '.join(codes) or 'no code'}]: {messages}"
    if "THROTTLED" in codes:
        status = parse_throttle(payload, now)
        requested = extract(payload, "extensions.cost.requestedQueryCost", default=0)
        wait = (
            status.wait_for(float(requested or 0), status.observed_at) if status else 1
        )
        return ThrottledError(text, retry_after=max(wait, 0.05), **kwargs)
    if "MAX_COST_EXCEEDED" in codes:
        return QueryCostError(text, **kwargs)
    if data:
        return PartialDataError(text, **kwargs)
    return GraphQLError(text, **kwargs)


def is_mutation(query: str) -> bool:
    return query.lstrip().startswith("mutation")


class GraphQLClient:
    """Queries and mutations on one backend's GraphQL endpoint.

    ``http`` is the backend's ``HttpClient``; ``cost_key`` names the bucket
    whose status is shared by every client of that backend in this process.
    ``stats`` counts what happened, for logs and benchmarks: ``queries``,
    ``throttled`` answers, ``planned_waits`` and ``waited`` seconds.
    """

    def __init__(
        self, http, path="/graphql", *, cost_key=None, sleep=None, cost_limiter=None
    ):
        self.http = http
        self.path = path
        self.cost_key = cost_key if cost_key is not None else id(self)
        self.sleep = sleep or http.sleep
        self.cost_limiter = cost_limiter
        self.stats = {"queries": 0, "throttled": 0, "planned_waits": 0, "waited": 0.0}
        self.last_cost = None  # the last answer's extensions.cost
        self.last_errors = []  # errors of the last partial answer (run(partial=True))

    @property
    def throttle(self) -> ThrottleStatus | None:
        return _throttle.get(self.cost_key)

    def execute(self, query: str, variables=None, *, expected_cost=None):
        """The ``data`` of the answer; raise a typed error if it has errors.

        ``expected_cost`` (the ``requestedQueryCost`` of a similar earlier
        query) lets the client wait for the bucket to hold it first.
        """
        return self.run(query, variables, expected_cost=expected_cost)[0]

    def run(self, query: str, variables=None, *, expected_cost=None, partial=False):
        """``(data, response)`` — for callers that need the HTTP answer too.

        With ``partial``, errors beside data do not raise: the data is
        returned and the errors are in ``last_errors`` for the caller to
        pin on the records they concern.
        """
        self.last_errors = []
        cap = self.http.retry.retry_after_cap
        for _attempt in range(self.http.retry.max_attempts):
            if expected_cost:
                self._plan(expected_cost, cap)
            payload, response = self.http.fetch_json(
                "POST",
                self.path,
                json={"query": query, "variables": variables or {}},
                idempotent=not is_mutation(query),
            )
            self.stats["queries"] += 1
            if not isinstance(payload, dict):
                raise FatalError(
                    "a GraphQL answer must be a JSON object", url=response.url
                )
            self._observe(payload)
            if not payload.get("errors"):
                return payload.get("data"), response
            error = graphql_error(payload, response, self.http.secrets())
            if partial and isinstance(error, PartialDataError):
                self.last_errors = error.errors
                return payload.get("data"), response
            if not isinstance(error, ThrottledError):
                raise error
            self.stats["throttled"] += 1
            if error.retry_after > cap:
                raise error
            self._wait(error.retry_after, "THROTTLED")
            expected_cost = None  # the wait just computed covers it
        raise error

    def _observe(self, payload):
        self.last_cost = extract(payload, "extensions.cost", default=None)
        status = parse_throttle(payload)
        if status is None:
            return
        with _lock:
            _throttle[self.cost_key] = status
        shared = self._shared_budget(status)
        if shared is not None:
            throttled = "THROTTLED" in error_codes(payload.get("errors") or [])
            requested = (self.last_cost or {}).get("requestedQueryCost")
            shared.learn_throttle_status(
                self.last_cost["throttleStatus"],
                float(requested) if throttled and requested else None,
            )

    def _shared_budget(self, status):
        """The cost limiter shared by every worker, once the remote told its
        bucket's size and restore rate; ``None`` without ``cost_limiter``."""
        if self.cost_limiter is None or status.restore_rate <= 0:
            return None
        limiter = self.cost_limiter(status.maximum, status.restore_rate)
        limiter.sleep = self.sleep
        return limiter

    def _plan(self, cost, cap):
        status = self.throttle
        if status is None:
            return
        if cost > status.maximum:
            return  # the remote will answer MAX_COST_EXCEEDED: let it say so
        shared = self._shared_budget(status)
        if shared is not None:
            # Waits (and counts the wait) or raises RateLimitedError past the
            # cap, which reschedules the job like a THROTTLED would.
            waited = shared.acquire(cost)
            if waited:
                self.stats["planned_waits"] += 1
                self.stats["waited"] += waited
            return
        wait = status.wait_for(cost, time.monotonic())
        if wait <= 0:
            return
        if wait > cap:
            raise ThrottledError(
                f"the next query needs {cost:g} cost points; the bucket refills "
                f"them in {wait:.1f}s",
                retry_after=wait,
            )
        self.stats["planned_waits"] += 1
        self._wait(wait, "planned")

    def _wait(self, seconds, why):
        _logger.info("GraphQL %s wait of %.2fs", why, seconds)
        self.stats["waited"] += seconds
        self.sleep(seconds)


def settled_page_size(size_key, requested: int) -> int:
    """The page size to start a walk with: ``requested``, or smaller if an
    earlier walk of that key had to shrink."""
    with _lock:
        return min(requested, _page_sizes.get(size_key, requested))


def _settle(size_key, size):
    with _lock:
        _page_sizes[size_key] = size


def _shrunk(size: int, error: QueryCostError, maximum) -> int:
    """A smaller page size after ``MAX_COST_EXCEEDED``: in proportion of the
    allowed ``maximum`` to the cost asked, and at least halved."""
    cost = None
    for err in error.errors:
        cost = (err.get("extensions") or {}).get("cost") or cost
    guess = size // 2
    if cost and maximum:
        guess = min(guess, int(size * maximum / float(cost)))
    return max(1, guess)


def relay_pages(
    gql: GraphQLClient,
    query: str,
    *,
    connection_path: str,
    variables=None,
    page_size=100,
    size_key=None,
    max_pages=MAX_PAGES,
) -> Iterator[Page]:
    """Yield the pages of a Relay connection, fetching each when asked.

    ``query`` takes ``$first`` and ``$after``; ``connection_path`` is the
    connection's dotted path in ``data`` (``"products"``). Items are the
    ``node`` of each edge.
    """
    size_key = size_key if size_key is not None else (gql.cost_key, query)
    size = settled_page_size(size_key, page_size)
    after, seen, number, expected = None, set(), 0, None
    while True:
        if number >= max_pages:
            raise FatalError(f"pagination stopped: more than {max_pages} pages")
        try:
            data, response = gql.run(
                query,
                {**(variables or {}), "first": size, "after": after},
                expected_cost=expected,
                partial=True,
            )
        except QueryCostError as err:
            if size <= 1:
                raise QueryCostError(
                    f"even one record per page costs more than the remote "
                    f"allows ({'; '.join(err.messages)}): the query asks for too "
                    "much at once; select fewer fields or smaller nested pages",
                    errors=err.errors,
                ) from err
            maximum = gql.throttle.maximum if gql.throttle else None
            size = _shrunk(size, err, maximum)
            _settle(size_key, size)
            _logger.info("GraphQL MAX_COST_EXCEEDED: page size shrunk to %d", size)
            expected = None
            continue
        number += 1
        expected = (gql.last_cost or {}).get("requestedQueryCost")
        connection = extract(data, connection_path)
        items = [edge["node"] for edge in connection.get("edges") or []]
        _pin_errors(gql.last_errors, connection_path, items)
        yield Page(items=items, response=response, payload=data, number=number)
        info = connection.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            return
        cursor = info.get("endCursor")
        if not cursor or cursor in seen:
            raise FatalError(
                f"pagination loop: endCursor {cursor!r} of page {number} was "
                "already followed (or is empty) while hasNextPage is true"
            )
        seen.add(cursor)
        after = cursor


ERRORS_KEY = "graphql_errors"


def _pin_errors(errors, connection_path, items):
    """Put each error of a partial page on the node it concerns (under
    ``ERRORS_KEY``), so that record alone fails downstream and the rest of
    the page goes on; an error outside any node fails the whole page."""
    prefix = connection_path.split(".")
    for error in errors:
        path = error.get("path") or []
        where = path[len(prefix) : len(prefix) + 2]
        if path[: len(prefix)] != prefix or len(where) < 2 or where[0] != "edges":
            raise PartialDataError(
                f"GraphQL error outside the records of the page: {error}",
                errors=errors,
            )
        node = items[int(where[1])]
        node.setdefault(ERRORS_KEY, []).append(str(error.get("message", error)))


@dataclass
class NestedConnection:
    """How to fetch the rest of a nested connection of a record.

    ``record_field`` is the root field that reads one record by ``id``
    (``product``), ``field`` the nested connection (``variants``) and
    ``selection`` what to read on its nodes. ``batch`` records are completed
    per query, ``page_size`` nodes each.
    """

    record_field: str
    field: str
    selection: str
    page_size: int = 50
    batch: int = 10

    def query(self, pending) -> str:
        parts = [
            f"n{index}: {self.record_field}(id: {json.dumps(str(node_id))}) "
            f"{{ {self.field}(first: {self.page_size}, after: {json.dumps(cursor)}) "
            f"{{ edges {{ node {{ {self.selection} }} }} "
            "pageInfo { hasNextPage endCursor } } }"
            for index, (node_id, cursor) in enumerate(pending)
        ]
        return "query {\n  " + "\n  ".join(parts) + "\n}"


def complete_connections(gql: GraphQLClient, nodes, nested: NestedConnection):
    """Fetch, in place, every node of ``nested.field`` past its first page.

    ``nodes`` are records as answered (each with ``id`` and the connection
    with ``edges`` and ``pageInfo``); their ``edges`` grow until
    ``hasNextPage`` is false, so no nested node is silently lost.
    """
    open_ = {}
    for node in nodes:
        connection = node.get(nested.field) or {}
        info = connection.get("pageInfo") or {}
        if info.get("hasNextPage"):
            open_[str(node["id"])] = (node, info.get("endCursor"), {None})
    # The requested cost of one record's follow-up, learnt from the answers
    # and kept per backend, so even the first follow-up of a page is planned.
    cost_key = (gql.cost_key, nested.record_field, nested.field, nested.page_size)
    while open_:
        per_record = _record_costs.get(cost_key)
        pending = list(open_.items())[: nested.batch]
        data = gql.execute(
            nested.query([(nid, st[1]) for nid, st in pending]),
            expected_cost=per_record * len(pending) if per_record else None,
        )
        requested = (gql.last_cost or {}).get("requestedQueryCost")
        if requested:
            with _lock:
                _record_costs[cost_key] = requested / len(pending)
        for index, (node_id, (node, cursor, seen)) in enumerate(pending):
            more = (data.get(f"n{index}") or {}).get(nested.field) or {}
            node[nested.field]["edges"].extend(more.get("edges") or [])
            info = more.get("pageInfo") or {}
            following = info.get("endCursor")
            if not info.get("hasNextPage"):
                node[nested.field]["pageInfo"] = info
                del open_[node_id]
                continue
            if following in seen or following == cursor:
                raise FatalError(
                    f"pagination loop in {nested.field} of {node_id}: endCursor "
                    f"{following!r} repeats"
                )
            seen.add(following)
            open_[node_id] = (node, following, seen)
    return nodes


def flatten_connections(value, snake_case=True):
    """A plain record from a GraphQL node: every ``{"edges": [...]}`` becomes
    the list of its nodes, and camelCase keys snake_case (``updatedAt`` →
    ``updated_at``) when ``snake_case``, so records read over GraphQL have
    the shape the REST API gives them."""
    if isinstance(value, list):
        return [flatten_connections(v, snake_case) for v in value]
    if not isinstance(value, dict):
        return value
    if "edges" in value and isinstance(value["edges"], list):
        return [flatten_connections(e.get("node"), snake_case) for e in value["edges"]]
    return {
        (_snake(key) if snake_case else key): flatten_connections(item, snake_case)
        for key, item in value.items()
    }


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def reset_state():
    """Forget throttle statuses and settled page sizes (tests)."""
    with _lock:
        _throttle.clear()
        _page_sizes.clear()
        _record_costs.clear()
