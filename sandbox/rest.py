"""REST API under ``/api/v1``: CRUD, lists with three pagination styles and
two envelopes, conditional writes, webhook subscriptions.

List bodies are assembled from each record's cached JSON text (see
``store.Collection.json``) rather than re-serialising dicts, which keeps a
100-record page cheap; the envelope is spliced around the joined items.
"""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.http import parse_date
from werkzeug.routing import Map, Rule
from werkzeug.urls import url_encode
from werkzeug.wrappers import Request, Response

from . import after_sale
from .catalog import colour, parse_name, png
from .errors import ApiError
from .store import LOCATIONS, Collection, Record
from .util import dumps, parse_iso

if TYPE_CHECKING:
    from .app import SandboxApp

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 250
RESOURCES = ("products", "customers", "orders")
_KIND = {"products": "Product", "customers": "Customer", "orders": "Order"}

# Extra equality filters accepted by each list endpoint, with their parsers.
FILTERS: dict[str, dict[str, Callable[[str], Any]]] = {
    "products": {"status": str, "sku": str},
    "customers": {"email": str},
    "orders": {"status": str, "customer_id": int},
    "inventory_levels": {"sku": str, "variant_id": int, "location_id": int},
}

URL_MAP = Map(
    [
        Rule(
            "/api/v1/<any(products,customers,orders):resource>",
            endpoint="collection",
            methods=["GET", "POST"],
        ),
        Rule(
            "/api/v1/<any(products,customers,orders):resource>/<int:record_id>",
            endpoint="record",
            methods=["GET", "PUT", "PATCH", "DELETE"],
        ),
        Rule(
            "/api/v1/orders/<int:record_id>/fulfil",
            endpoint="order_status",
            defaults={"status": "fulfilled"},
            methods=["POST"],
        ),
        Rule(
            "/api/v1/orders/<int:record_id>/cancel",
            endpoint="order_status",
            defaults={"status": "cancelled"},
            methods=["POST"],
        ),
        *(
            Rule(
                f"/api/v1/orders/<int:record_id>/{kind}",
                endpoint="after_sale",
                defaults={"kind": kind},
                methods=["GET", "POST"],
            )
            for kind in ("fulfillments", "refunds")
        ),
        Rule("/api/v1/inventory_levels", endpoint="inventory", methods=["GET"]),
        Rule(
            "/api/v1/inventory_levels/set", endpoint="inventory_set", methods=["POST"]
        ),
        Rule("/api/v1/locations", endpoint="locations", methods=["GET"]),
        Rule("/api/v1/categories", endpoint="categories", methods=["GET"]),
        Rule("/api/v1/images/<filename>", endpoint="image", methods=["GET"]),
        Rule("/api/v1/webhooks", endpoint="webhooks", methods=["GET", "POST"]),
        Rule(
            "/api/v1/webhooks/<int:sub_id>",
            endpoint="webhook",
            methods=["GET", "PATCH", "DELETE"],
        ),
        Rule(
            "/api/v1/webhooks/<int:sub_id>/deliveries",
            endpoint="deliveries",
            methods=["GET"],
        ),
    ],
    strict_slashes=False,
)


def json_response(body: str | bytes, status: int = 200, **headers: str) -> Response:
    return Response(
        body, status=status, headers=headers, content_type="application/json"
    )


def append_slash(request: Request) -> Response:
    """Django's ``APPEND_SLASH``: a 301 to the request's path with a slash
    added, its query string kept."""
    query = request.query_string.decode()
    location = request.host_url.rstrip("/") + request.path + "/"
    return Response(
        status=301, headers={"Location": location + (f"?{query}" if query else "")}
    )


def error_response(error: ApiError) -> Response:
    body: dict[str, Any] = {"status": "error", "message": error.message}
    if error.errors:
        body["errors"] = error.errors
    body.update(error.extra)
    response = json_response(dumps(body), error.status)
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def read_json(request: Request) -> Any:
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ApiError(400, "Request body is required")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"Malformed JSON: {exc}") from exc


def _int_arg(request: Request, name: str, default: int, minimum: int = 1) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ApiError(
            400, f"Invalid {name}", {name: [f"must be an integer >= {minimum}"]}
        )
    return value


def encode_cursor(key: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{key}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, _, key = text.partition(":")
        if version != "v1":
            raise ValueError(version)
        return int(key)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ApiError(
            400, "Invalid cursor", {"cursor": ["is not a valid cursor"]}
        ) from exc


class RestApi:
    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.store = app.store

    # -- dispatch --------------------------------------------------------

    def handle(self, request: Request, can_write: bool) -> Response:
        path = request.path
        if self.app.config.trailing_slash:
            # Django's APPEND_SLASH: the routes end with a slash, a path
            # without it is moved there (a client must not follow a 301 for
            # a write: it would become a GET).
            if not path.endswith("/"):
                return append_slash(request)
            path = path.rstrip("/")
        adapter = URL_MAP.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match(path_info=path)
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.valid_methods or []))
            raise ApiError(
                405, "Method not allowed", headers={"Allow": allowed}
            ) from exc
        except NotFound as exc:
            raise ApiError(404, f"No endpoint {request.path}") from exc
        if request.method not in ("GET", "HEAD", "OPTIONS") and not can_write:
            raise ApiError(403, "This credential is read-only")
        self._envelope(request)  # a bad envelope is a 400 before any write happens
        return getattr(self, f"_{endpoint}")(request, **args)

    # -- envelopes -------------------------------------------------------

    def _envelope(self, request: Request) -> str:
        style = request.args.get("envelope") or self.app.settings.envelope_for(
            request.method, request.path
        )
        if style not in ("wrapped", "nested"):
            raise ApiError(400, "Invalid envelope", {"envelope": ["wrapped or nested"]})
        return style

    def _one(self, request: Request, record_json: str, status: int = 200) -> Response:
        if self._envelope(request) == "nested":
            body = '{"response":{"result":' + record_json + "}}"
        else:
            body = '{"status":"success","data":' + record_json + "}"
        return json_response(body, status)

    def _many(
        self, request: Request, items: list[str], meta: dict[str, Any]
    ) -> Response:
        tail = dumps(meta)[1:]  # '"total":..}' spliced after the items
        joined = ",".join(items)
        if self._envelope(request) == "nested":
            body = '{"response":{"result":{"items":[' + joined + "]," + tail + "}}"
        else:
            body = '{"status":"success","data":{"items":[' + joined + "]," + tail + "}"
        return json_response(body)

    def _static_list(self, request: Request, records: list[Record]) -> Response:
        meta = {
            "total": len(records),
            "page": 1,
            "per_page": len(records),
            "next_cursor": None,
        }
        return self._many(request, [dumps(r) for r in records], meta)

    # -- lists -----------------------------------------------------------

    def _list(self, request: Request, name: str, collection: Collection) -> Response:
        style = request.args.get("pagination") or self.app.settings.pagination
        if style not in ("offset", "cursor", "link"):
            raise ApiError(
                400, "Invalid pagination", {"pagination": ["offset, cursor or link"]}
            )
        self._envelope(request)  # reject a bad envelope before doing any work
        since = None
        if request.args.get("updated_since"):
            try:
                since = parse_iso(request.args["updated_since"])
            except ValueError as exc:
                raise ApiError(
                    400,
                    "Invalid updated_since",
                    {"updated_since": ["must be an ISO 8601 date-time"]},
                ) from exc
        filters = {}
        for field, parse in FILTERS.get(name, {}).items():
            if field in request.args:
                try:
                    filters[field] = parse(request.args[field])
                except ValueError as exc:
                    raise ApiError(
                        400, f"Invalid {field}", {field: ["bad value"]}
                    ) from exc
        per_page = min(
            _int_arg(
                request, "limit" if style == "cursor" else "per_page", DEFAULT_PER_PAGE
            ),
            MAX_PER_PAGE,
            self.app.config.max_per_page,
        )
        page = _int_arg(request, "page", 1) if style != "cursor" else None
        after = (
            decode_cursor(request.args["cursor"])
            if request.args.get("cursor")
            else None
        )
        with self.store.lock:
            keys = collection.select(since)
            if filters:
                records = collection.records
                keys = [
                    k
                    for k in keys
                    if all(records[k].get(f) == v for f, v in filters.items())
                ]
            total = len(keys)
            if (
                style != "cursor"
                and self.app.config.past_end_404
                and page > 1
                and (page - 1) * per_page >= total
            ):
                raise ApiError(404, "Invalid page")
            if style == "cursor":
                start = bisect_right(keys, after) if after is not None else 0
            else:
                start = (page - 1) * per_page
            chosen = keys[start : start + per_page]
            items = [collection.json(k) for k in chosen]
        has_next = start + per_page < total
        announced = total + self.app.config.total_extra
        meta = {
            "total": announced,
            "page": page,
            "per_page": per_page,
            "next_cursor": None,
        }
        if style == "cursor" and has_next and chosen:
            meta["next_cursor"] = encode_cursor(chosen[-1])
        response = self._many(request, items, meta)
        if style == "link":
            links = []
            if has_next:
                links.append(f'<{self._page_url(request, page + 1)}>; rel="next"')
            if page > 1:
                links.append(f'<{self._page_url(request, page - 1)}>; rel="prev"')
            if links:
                response.headers["Link"] = ", ".join(links)
        return response

    @staticmethod
    def _page_url(request: Request, page: int) -> str:
        params = request.args.to_dict(flat=False)
        params["page"] = [str(page)]
        return request.host_url.rstrip("/") + request.path + "?" + url_encode(params)

    # -- endpoints -------------------------------------------------------

    def _collection(self, request: Request, resource: str) -> Response:
        if request.method == "GET":
            return self._list(request, resource, self.store.collection(resource))
        record = getattr(self.store, f"create_{resource[:-1]}")(read_json(request))
        response = self._one(request, dumps(record), 201)
        response.headers["Location"] = (
            f"{request.host_url.rstrip('/')}/api/v1/{resource}/{record['id']}"
        )
        return response

    def _record(self, request: Request, resource: str, record_id: int) -> Response:
        collection = self.store.collection(resource)
        singular = resource[:-1]
        if request.method == "GET":
            with self.store.lock:
                if record_id not in collection.records:
                    raise ApiError(404, f"{_KIND[resource]} {record_id} not found")
                record = collection.records[record_id]
                text = collection.json(record_id)
            response = self._one(request, text)
            response.headers["ETag"] = f'"{record["updated_at"]}"'
            response.headers["Last-Modified"] = _http_date(record["updated_at"])
            return response
        body = read_json(request) if request.method in ("PUT", "PATCH") else None
        # The precondition and the write happen under one lock so nobody can
        # slip a change in between.
        with self.store.lock:
            current = collection.records.get(record_id)
            if current is None:
                raise ApiError(404, f"{_KIND[resource]} {record_id} not found")
            self._check_preconditions(request, current)
            if request.method == "DELETE":
                getattr(self.store, f"delete_{singular}")(record_id)
                return Response(status=204)
            updated = getattr(self.store, f"update_{singular}")(
                record_id, body, partial=request.method == "PATCH"
            )
        response = self._one(request, dumps(updated))
        response.headers["ETag"] = f'"{updated["updated_at"]}"'
        return response

    @staticmethod
    def _check_preconditions(request: Request, current: Record) -> None:
        etag = current["updated_at"]
        if (
            request.headers.get("If-Match")
            and not request.if_match.contains(etag)
            and not request.if_match.star_tag
        ):
            raise ApiError(
                412,
                "Precondition failed: the record changed (If-Match)",
                {"updated_at": [etag]},
            )
        since_header = request.headers.get("If-Unmodified-Since")
        if since_header:
            current_us = parse_iso(etag)
            try:
                limit_us = parse_iso(since_header)
            except ValueError:
                parsed = parse_date(since_header)
                if parsed is None:
                    raise ApiError(400, "Invalid If-Unmodified-Since") from None
                # An HTTP date has whole seconds: compare at that precision.
                limit_us = int(parsed.timestamp()) * 1_000_000
                current_us -= current_us % 1_000_000
            if current_us > limit_us:
                raise ApiError(
                    412,
                    "Precondition failed: the record changed (If-Unmodified-Since)",
                    {"updated_at": [etag]},
                )

    def _order_status(self, request: Request, record_id: int, status: str) -> Response:
        """Fulfil or cancel an order: idempotent, 409 when its status forbids."""
        order = self.store.set_order_status(record_id, status)
        response = self._one(request, dumps(order))
        response.headers["ETag"] = f'"{order["updated_at"]}"'
        return response

    def _after_sale(self, request: Request, record_id: int, kind: str) -> Response:
        """List or create an order's fulfilments or refunds."""
        if request.method == "GET":
            records = after_sale.list_records(self.store, record_id, kind)
            return self._static_list(request, records)
        create = (
            after_sale.create_fulfillment
            if kind == "fulfillments"
            else after_sale.create_refund
        )
        record = create(self.store, record_id, read_json(request))
        return self._one(request, dumps(record), 201)

    def _inventory(self, request: Request) -> Response:
        return self._list(request, "inventory_levels", self.store.inventory)

    def _inventory_set(self, request: Request) -> Response:
        data = read_json(request)
        if not isinstance(data, dict):
            raise ApiError(400, "Request body must be a JSON object")
        unknown = set(data) - {"sku", "variant_id", "location_id", "available", "delta"}
        if unknown:
            raise ApiError(
                422, "Validation failed", {k: ["unknown field"] for k in unknown}
            )
        level = self.store.set_inventory(
            sku=data.get("sku"),
            variant_id=data.get("variant_id"),
            location_id=data.get("location_id", 1),
            available=data.get("available"),
            delta=data.get("delta"),
        )
        return self._one(request, dumps(level))

    def _locations(self, request: Request) -> Response:
        return self._static_list(request, LOCATIONS)

    def _categories(self, request: Request) -> Response:
        return self._static_list(request, self.store.categories)

    def _image(self, request: Request, filename: str) -> Response:
        """A product's or variant's PNG (see :mod:`sandbox.catalog`), each
        download counted by its URL (``GET /admin/images``)."""
        found = parse_name(filename)
        if found is None or not self.store.image_exists(*found):
            raise ApiError(404, f"Image {filename} not found")
        raw = request.args.get("v", "0")
        if not raw.isdigit() or len(raw) > 9:
            raise ApiError(404, f"Image {filename} has no version {raw!r}")
        content = png(colour(f"{found[0]}-{found[1]}", int(raw)))
        query = request.query_string.decode()
        self.app.count_image_download(request.path + (f"?{query}" if query else ""))
        return Response(content, content_type="image/png")

    def _webhooks(self, request: Request) -> Response:
        hooks = self.app.webhooks
        if request.method == "GET":
            return self._static_list(request, hooks.list())
        subscription = hooks.create(read_json(request))
        response = self._one(request, dumps(subscription), 201)
        response.headers["Location"] = (
            f"{request.host_url.rstrip('/')}/api/v1/webhooks/{subscription['id']}"
        )
        return response

    def _webhook(self, request: Request, sub_id: int) -> Response:
        if request.method == "DELETE":
            self.app.webhooks.delete(sub_id)
            return Response(status=204)
        if request.method == "PATCH":
            subscription = self.app.webhooks.update(sub_id, read_json(request))
            return self._one(request, dumps(subscription))
        return self._one(request, dumps(self.app.webhooks.get(sub_id)))

    def _deliveries(self, request: Request, sub_id: int) -> Response:
        return self._static_list(request, self.app.webhooks.deliveries(sub_id))


def _http_date(iso: str) -> str:
    from werkzeug.http import http_date

    return http_date(parse_iso(iso) // 1_000_000)
