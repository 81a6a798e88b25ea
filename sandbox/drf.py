"""A second API dialect under ``/drf/api/``: a shop in the style of Django REST
framework (and django-oscar's API), over the same store as ``/api/v1``.

It is there so that a connector for a *different* API can be written and
tested against the framework: the shapes it serves are the ones the first
dialect lacks, each one a thing real APIs do.

* ``Authorization: Token <key>`` (DRF's ``TokenAuthentication``); any other
  credential is a 401 with ``WWW-Authenticate: Token``.
* Routes end with a slash; a path without it answers 301 to the path with it
  (Django's ``APPEND_SLASH``).
* Lists are ``{"count", "next", "previous", "results"}`` with the *full* URL
  of the next and previous pages (``PageNumberPagination``); ``page_size``
  is capped at :data:`MAX_PAGE_SIZE` silently, and a page past the end is a
  404 ``{"detail": "Invalid page."}``.
* A list holds stubs (``id``, ``url``, ``title``): the record is at its
  ``url``, and its price and stock at sub-resources of it.
* No "changed since" filter (unknown query parameters are ignored, as DRF
  does): a client walks everything and must tell unchanged records itself.
* Read-only: any other method is a 405.

The mapping from the store: a product with one variant is a ``standalone``
product; with several, a ``parent`` whose ``children`` carry the variants
(``id`` the variant id, ``upc`` the SKU, the variant's title as the value of
the ``option`` attribute). The price and stock endpoints answer one row per
sellable product (the standalone product itself, or each child), keyed by
``upc``, which is unique across the shop (ids of children and of products are
not: they are different tables here). A deleted product is gone from the list
and its URLs answer 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.urls import url_encode
from werkzeug.wrappers import Request, Response

from .errors import ApiError
from .rest import append_slash
from .store import LOCATIONS, Record
from .util import dumps

if TYPE_CHECKING:
    from .app import SandboxApp

PREFIX = "/drf/api/"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
TOKENS = {"demo-drf-token"}
_LOCATION_NAMES = {loc["id"]: loc["name"] for loc in LOCATIONS}


def _error(status: int, detail: str, **headers: str) -> Response:
    """DRF's error body: ``{"detail": ...}``."""
    return Response(
        dumps({"detail": detail}),
        status=status,
        headers=headers,
        content_type="application/json",
    )


def _json(value: Any) -> Response:
    return Response(dumps(value), content_type="application/json")


class DrfApi:
    """The ``/drf/api/`` dialect; :meth:`handle` is its whole pipeline
    (authentication, the shared per-credential rate limit, the endpoint)."""

    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.store = app.store

    def handle(self, request: Request) -> Response:
        scheme, _, key = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "token" or key.strip() not in TOKENS:
            message = (
                "Invalid token."
                if scheme.lower() == "token"
                else "Authentication credentials were not provided."
            )
            return _error(401, message, **{"WWW-Authenticate": "Token"})
        decision = self.app.limiter.hit(f"drf-token:{key.strip()}")
        if not decision.allowed:
            response = _error(
                429,
                f"Request was throttled. Expected available in {decision.reset} "
                "seconds.",
            )
        else:
            response = self._route(request)
        for name, value in decision.headers().items():
            response.headers[name] = value
        return response

    def _route(self, request: Request) -> Response:
        path = request.path
        if not path.endswith("/"):
            return append_slash(request)
        if request.method not in ("GET", "HEAD"):
            return _error(
                405, f'Method "{request.method}" not allowed.', Allow="GET, HEAD"
            )
        parts = path[len(PREFIX) :].strip("/").split("/")
        try:
            if parts == ["products"]:
                return self._list(request)
            if parts[0] == "products" and len(parts) in (2, 3) and parts[1].isdigit():
                product = self.store.get_product(int(parts[1]))
                view = parts[2] if len(parts) == 3 else "detail"
                if view in ("detail", "price", "stockrecords"):
                    return _json(getattr(self, f"_{view}")(request, product))
        except ApiError as error:
            if error.status == 404:
                return _error(404, "Not found.")
            raise
        return _error(404, "Not found.")

    # -- views -------------------------------------------------------------

    def _list(self, request: Request) -> Response:
        page = _positive(request.args.get("page"), 1)
        size = min(
            _positive(request.args.get("page_size"), DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE
        )
        with self.store.lock:
            ids = self.store.products.select()
            count = len(ids)
            if page > 1 and (page - 1) * size >= count:
                return _error(404, "Invalid page.")
            chosen = [
                self.store.products.records[pid]
                for pid in ids[(page - 1) * size : page * size]
            ]
        results = [
            {"id": p["id"], "url": self._url(request, p["id"]), "title": p["title"]}
            for p in chosen
        ]
        return _json(
            {
                "count": count + self.app.config.total_extra,
                "next": self._page_url(request, page + 1)
                if page * size < count
                else None,
                "previous": self._page_url(request, page - 1) if page > 1 else None,
                "results": results,
            }
        )

    def _detail(self, request: Request, product: Record) -> dict[str, Any]:
        variants = product["variants"]
        parent = len(variants) > 1
        return {
            "id": product["id"],
            "url": self._url(request, product["id"]),
            "structure": "parent" if parent else "standalone",
            "title": product["title"],
            "description": product["description"],
            "is_public": product["status"] == "active",
            "upc": None if parent else variants[0]["sku"],
            "children": [
                {
                    "id": variant["id"],
                    "structure": "child",
                    "parent": product["id"],
                    "title": f"{product['title']} ({variant['title']})",
                    "upc": variant["sku"],
                    "attributes": [
                        {"code": "option", "name": "Option", "value": variant["title"]}
                    ],
                }
                for variant in (variants if parent else [])
            ],
            "price": self._url(request, product["id"], "price"),
            "stockrecords": self._url(request, product["id"], "stockrecords"),
        }

    def _price(self, request: Request, product: Record) -> list[dict[str, Any]]:
        return [
            {
                "upc": variant["sku"],
                "currency": product["currency"],
                "excl_tax": variant["price"],
            }
            for variant in product["variants"]
        ]

    def _stockrecords(self, request: Request, product: Record) -> list[dict[str, Any]]:
        return [
            {
                "upc": level["sku"],
                "partner": _LOCATION_NAMES[level["location_id"]],
                "location": level["location_id"],
                "num_in_stock": level["available"],
            }
            for variant in product["variants"]
            for level in self.store.inventory_for_variant(variant["id"])
        ]

    # -- URLs ----------------------------------------------------------------

    @staticmethod
    def _url(request: Request, product_id: int, view: str = "") -> str:
        tail = f"{view}/" if view else ""
        return f"{request.host_url.rstrip('/')}{PREFIX}products/{product_id}/{tail}"

    @staticmethod
    def _page_url(request: Request, page: int) -> str:
        params = request.args.to_dict(flat=False)
        if page > 1:
            params["page"] = [str(page)]
        else:
            params.pop("page", None)  # DRF's first page has no page parameter
        query = url_encode(params)
        return (
            request.host_url.rstrip("/") + request.path + (f"?{query}" if query else "")
        )


def _positive(raw: str | None, default: int) -> int:
    """A positive integer query parameter; DRF falls back to the default on
    anything else rather than refusing the request."""
    try:
        value = int(raw) if raw else default
    except ValueError:
        return default
    return value if value >= 1 else default
