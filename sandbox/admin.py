"""Admin API under ``/admin``: health, faults, settings, reset, simulations.

No authentication: the server only listens on loopback, and tests and the
demo drive it with plain HTTP. Responses are bare JSON (no envelope). Fault
injection and rate limits never apply here, so a test can always repair a
server it broke.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from . import after_sale
from .config import ENVELOPE_STYLES, PAGINATION_STYLES
from .errors import ApiError
from .rest import json_response, read_json
from .store import DEFAULT_LOCATION
from .util import dumps, money

if TYPE_CHECKING:
    from .app import SandboxApp

_NUMERIC_SETTINGS = {
    "rate_limit": int,
    "rate_window": float,
    "graphql_bucket_size": float,
    "graphql_restore_rate": float,
    "token_ttl": float,
    "webhook_retry_base": float,
    "webhook_max_attempts": int,
}


class AdminApi:
    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.store = app.store
        # Simulations draw from their own seeded generator so a demo script
        # replays the same orders and touched products.
        self.rng = random.Random(app.config.seed)

    def handle(self, request: Request) -> Response:
        routes = {
            ("GET", "/admin/health"): self.health,
            ("GET", "/admin/stats"): self.stats,
            ("GET", "/admin/faults"): self.get_faults,
            ("PUT", "/admin/faults"): self.put_faults,
            ("POST", "/admin/faults"): self.post_faults,
            ("DELETE", "/admin/faults"): self.delete_faults,
            ("GET", "/admin/settings"): self.get_settings,
            ("PUT", "/admin/settings"): self.put_settings,
            ("DELETE", "/admin/settings"): self.delete_settings,
            ("POST", "/admin/reset"): self.reset,
            ("POST", "/admin/simulate/order"): self.simulate_order,
            ("POST", "/admin/simulate/order_update"): self.simulate_order_update,
            ("POST", "/admin/simulate/order_cancel"): self.simulate_order_cancel,
            ("POST", "/admin/simulate/payment"): self.simulate_payment,
            ("POST", "/admin/simulate/total"): self.simulate_total,
            ("POST", "/admin/simulate/stock"): self.simulate_stock,
            ("POST", "/admin/simulate/price"): self.simulate_price,
            ("POST", "/admin/simulate/touch"): self.simulate_touch,
            ("POST", "/admin/corrupt"): self.corrupt,
            ("POST", "/admin/simulate/silent"): self.simulate_silent,
            ("POST", "/admin/simulate/image"): self.simulate_image,
            ("GET", "/admin/images"): self.get_images,
            ("DELETE", "/admin/images"): self.delete_images,
            ("POST", "/admin/simulate/refund"): self.simulate_refund,
            ("POST", "/admin/simulate/fulfillment"): self.simulate_fulfillment,
        }
        method = "GET" if request.method == "HEAD" else request.method
        handler = routes.get((method, request.path.rstrip("/")))
        if handler is None:
            allowed = [m for m, p in routes if p == request.path.rstrip("/")]
            if allowed:
                raise ApiError(
                    405, "Method not allowed", headers={"Allow": ", ".join(allowed)}
                )
            raise ApiError(404, f"No admin endpoint {request.path}")
        result = handler(request)
        if isinstance(result, Response):
            return result
        return json_response(
            dumps(result), 201 if request.path.endswith("/order") else 200
        )

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        if not request.get_data(cache=True).strip():
            return {}
        data = read_json(request)
        if not isinstance(data, dict):
            raise ApiError(400, "Request body must be a JSON object")
        return data

    # -- health and state ------------------------------------------------

    def health(self, request: Request) -> dict[str, Any]:
        return {"status": "ok"}

    def stats(self, request: Request) -> dict[str, Any]:
        store = self.store
        return {
            "products": len(store.products),
            "customers": len(store.customers),
            "orders": len(store.orders),
            "inventory_levels": len(store.inventory),
            "webhooks": len(self.app.webhooks.list()),
            "pending_deliveries": self.app.webhooks.pending,
            "faults_injected": dict(self.app.faults.injected),
            "requests": dict(self.app.requests),
            "statuses": {str(k): v for k, v in self.app.statuses.items()},
            "max_in_flight": self.app.max_in_flight,
            "tokens_issued": self.app.auth.issued,
        }

    def reset(self, request: Request) -> dict[str, Any]:
        """Reseed data (optionally with new ``seed_records``/``seed``), clear rate
        limits; ``{"webhooks": true}`` / ``{"faults": true}`` clear those too."""
        body = self._body(request)
        for name in ("seed_records", "seed"):
            if name in body and (not isinstance(body[name], int) or body[name] < 0):
                raise ApiError(
                    422, "Validation failed", {name: ["must be an integer >= 0"]}
                )
        if not isinstance(body.get("payments", False), bool):
            raise ApiError(
                422, "Validation failed", {"payments": ["must be a boolean"]}
            )
        self.store.reseed(
            body.get("seed_records"), body.get("seed"), body.get("payments")
        )
        self.rng.seed(self.store.seed)
        self.app.limiter.reset()
        self.app.bucket.reset()
        self.app.bulk.clear()
        if body.get("webhooks"):
            self.app.webhooks.delete_all()
        if body.get("faults"):
            self.app.faults.clear()
            self.app.faults.reseed()
        return {
            "status": "ok",
            "seed_records": self.store.seed_records,
            "seed": self.store.seed,
        }

    # -- faults ----------------------------------------------------------

    def get_faults(self, request: Request) -> dict[str, Any]:
        return self.app.faults.as_dict()

    def put_faults(self, request: Request) -> dict[str, Any]:
        """Replace all rules: ``{"rules": [...], "seed": 7}`` or ``{pattern: knobs}``
        (knobs being an object)."""
        body = self._body(request)
        if "rules" in body or "seed" in body:
            rules, seed = body.get("rules", []), body.get("seed")
        else:
            rules, seed = body, None
        try:
            self.app.faults.set_rules(rules, seed)
        except ValueError as exc:
            raise ApiError(422, f"Invalid fault rules: {exc}") from exc
        return self.app.faults.as_dict()

    def post_faults(self, request: Request) -> dict[str, Any]:
        """Add or merge one rule: ``{"pattern": "*", "error_rate": 0.5}``."""
        body = self._body(request)
        pattern = body.pop("pattern", None)
        if not isinstance(pattern, str) or not pattern:
            raise ApiError(422, "Validation failed", {"pattern": ["is required"]})
        try:
            self.app.faults.add_rule(pattern, **body)
        except ValueError as exc:
            raise ApiError(422, f"Invalid fault rule: {exc}") from exc
        return self.app.faults.as_dict()

    def delete_faults(self, request: Request) -> dict[str, Any]:
        """Remove every rule, or only ``?pattern=...``."""
        pattern = request.args.get("pattern")
        if pattern is None:
            self.app.faults.clear()
        elif not self.app.faults.remove_rule(pattern):
            raise ApiError(404, f"No fault rule {pattern!r}")
        return self.app.faults.as_dict()

    # -- settings --------------------------------------------------------

    def get_settings(self, request: Request) -> dict[str, Any]:
        app = self.app
        return {
            "pagination": app.settings.pagination,
            "envelope": app.settings.envelope,
            "endpoint_envelopes": dict(app.settings.endpoint_envelopes),
            "rate_limit": app.limiter.limit,
            "rate_window": app.limiter.window,
            "graphql_bucket_size": app.bucket.size,
            "graphql_restore_rate": app.bucket.restore_rate,
            "token_ttl": app.auth.token_ttl,
            "webhook_retry_base": app.webhooks.retry_base,
            "webhook_max_attempts": app.webhooks.max_attempts,
        }

    def put_settings(self, request: Request) -> dict[str, Any]:
        """Merge the given settings; changing a rate limit restarts its windows."""
        body = self._body(request)
        errors: dict[str, list[str]] = {}
        if "pagination" in body and body["pagination"] not in PAGINATION_STYLES:
            errors["pagination"] = [f"one of {', '.join(PAGINATION_STYLES)}"]
        if "envelope" in body and body["envelope"] not in ENVELOPE_STYLES:
            errors["envelope"] = [f"one of {', '.join(ENVELOPE_STYLES)}"]
        envelopes = body.get("endpoint_envelopes", {})
        if not isinstance(envelopes, dict) or any(
            v not in ENVELOPE_STYLES for v in envelopes.values()
        ):
            errors["endpoint_envelopes"] = ["an object of pattern -> wrapped|nested"]
        numbers = {}
        for name, kind in _NUMERIC_SETTINGS.items():
            if name in body:
                value = body[name]
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or value <= 0
                ):
                    errors[name] = ["must be a positive number"]
                else:
                    numbers[name] = kind(value)
        unknown = set(body) - set(self.get_settings(request))
        for name in unknown:
            errors[name] = ["unknown setting"]
        if errors:
            raise ApiError(422, "Validation failed", errors)
        self._apply(body, numbers)
        return self.get_settings(request)

    def delete_settings(self, request: Request) -> dict[str, Any]:
        config = self.app.config
        self.app.settings.endpoint_envelopes.clear()
        self._apply(
            {
                "pagination": config.pagination,
                "envelope": config.envelope,
                "endpoint_envelopes": dict(config.endpoint_envelopes),
            },
            {name: getattr(config, name) for name in _NUMERIC_SETTINGS},
        )
        return self.get_settings(request)

    def _apply(self, body: dict[str, Any], numbers: dict[str, Any]) -> None:
        app = self.app
        if "pagination" in body:
            app.settings.pagination = body["pagination"]
        if "envelope" in body:
            app.settings.envelope = body["envelope"]
        if "endpoint_envelopes" in body:
            app.settings.endpoint_envelopes.update(body["endpoint_envelopes"])
        if "rate_limit" in numbers or "rate_window" in numbers:
            app.limiter.configure(numbers.get("rate_limit"), numbers.get("rate_window"))
        if "graphql_bucket_size" in numbers or "graphql_restore_rate" in numbers:
            app.bucket.configure(
                numbers.get("graphql_bucket_size"), numbers.get("graphql_restore_rate")
            )
        if "token_ttl" in numbers:
            app.auth.token_ttl = numbers["token_ttl"]
        if "webhook_retry_base" in numbers:
            app.webhooks.retry_base = numbers["webhook_retry_base"]
        if "webhook_max_attempts" in numbers:
            app.webhooks.max_attempts = numbers["webhook_max_attempts"]

    # -- simulations -----------------------------------------------------

    def simulate_order(self, request: Request) -> dict[str, Any]:
        """A new order: ``{}`` for a random one, or any order fields to fix them."""
        body = self._body(request)
        store = self.store
        with store.lock:
            if "customer_id" not in body:
                if not store.customers.ids:
                    store.create_customer(
                        {"email": f"walk-in-{self.rng.randint(1, 10**9)}@example.com"}
                    )
                body["customer_id"] = self.rng.choice(store.customers.ids)
            if "lines" not in body:
                if not store.products.ids:
                    raise ApiError(409, "No products to order")
                body["lines"] = [
                    {
                        "product_id": self.rng.choice(store.products.ids),
                        "quantity": self.rng.randint(1, 3),
                    }
                    for _ in range(self.rng.randint(1, 3))
                ]
            return store.create_order(body)

    def simulate_order_update(self, request: Request) -> dict[str, Any]:
        """``{"order_id": 7}`` adds one to the first line's quantity (an
        ``order.updated``); any order fields given are set instead."""
        body = self._body(request)
        order_id = body.pop("order_id", None)
        if isinstance(order_id, bool) or not isinstance(order_id, int):
            raise ApiError(
                422, "Validation failed", {"order_id": ["an integer is required"]}
            )
        with self.store.lock:
            if not body:
                lines = [dict(line) for line in self.store.get_order(order_id)["lines"]]
                lines[0]["quantity"] += 1
                body = {"lines": lines}
            return self.store.update_order(order_id, body, partial=True)

    def simulate_order_cancel(self, request: Request) -> dict[str, Any]:
        """``{"order_id": 7}``: the customer cancels (an ``order.cancelled``)."""
        order_id = self._body(request).get("order_id")
        if isinstance(order_id, bool) or not isinstance(order_id, int):
            raise ApiError(
                422, "Validation failed", {"order_id": ["an integer is required"]}
            )
        return self.store.set_order_status(order_id, "cancelled")

    def _order_id(self, body: dict[str, Any]) -> int:
        order_id = body.get("order_id")
        if isinstance(order_id, bool) or not isinstance(order_id, int):
            raise ApiError(
                422, "Validation failed", {"order_id": ["an integer is required"]}
            )
        return order_id

    def simulate_payment(self, request: Request) -> dict[str, Any]:
        """``{"order_id": 7, "status": "paid"}``: the customer pays what is
        left to pay (``"partially_paid"``: half of it; ``"authorized"``: an
        authorisation of it), through ``gateway`` (the order's, else
        ``"manual"``); ``amount`` fixes the amount. An ``order.paid`` when
        the order becomes paid."""
        body = self._body(request)
        order_id = self._order_id(body)
        kinds = {"paid": "capture", "partially_paid": "capture"}
        kinds["authorized"] = "authorization"
        status = body.get("status", "paid")
        if status not in kinds:
            raise ApiError(
                422, "Validation failed", {"status": [f"must be one of {list(kinds)}"]}
            )
        with self.store.lock:
            order = self.store.get_order(order_id)
            due = Decimal(order["total"]) - Decimal(order.get("amount_paid") or 0)
            if status == "partially_paid":
                due = (due / 2).quantize(Decimal("0.01"))
            try:
                amount = money(body.get("amount", due))
            except ValueError as exc:
                raise ApiError(
                    422, "Validation failed", {"amount": [str(exc)]}
                ) from exc
            gateway = body.get("gateway") or order.get("gateway") or "manual"
            return self.store.add_payment(order_id, str(gateway), kinds[status], amount)

    def simulate_total(self, request: Request) -> dict[str, Any]:
        """``{"order_id": 7, "delta": "0.05"}``: the platform's total drifts
        from its lines (a fee or a rounding another system does not see)."""
        body = self._body(request)
        order_id = self._order_id(body)
        try:
            delta = Decimal(str(body.get("delta", "0.01")))
        except ArithmeticError as exc:
            raise ApiError(422, "Validation failed", {"delta": ["a decimal"]}) from exc
        return self.store.skew_total(order_id, delta)

    def simulate_stock(self, request: Request) -> dict[str, Any]:
        """``{"sku" | "variant_id", "location_id", "delta" | "available"}``."""
        body = self._body(request)
        return self.store.set_inventory(
            sku=body.get("sku"),
            variant_id=body.get("variant_id"),
            location_id=body.get("location_id", DEFAULT_LOCATION),
            available=body.get("available"),
            delta=body.get("delta"),
        )

    def simulate_price(self, request: Request) -> dict[str, Any]:
        """``{"product_id": 17, "price": "21.50"}`` (optionally ``variant_id``)."""
        body = self._body(request)
        product_id = body.get("product_id")
        if not isinstance(product_id, int) or "price" not in body:
            raise ApiError(
                422,
                "Validation failed",
                {"product_id": ["product_id and price required"]},
            )
        with self.store.lock:
            product = self.store.get_product(product_id)
            if "variant_id" in body:
                variants = [
                    {"id": v["id"], "price": body["price"]}
                    if v["id"] == body["variant_id"]
                    else {"id": v["id"]}
                    for v in product["variants"]
                ]
                return self.store.update_product(
                    product_id, {"variants": variants}, True
                )
            return self.store.update_product(product_id, {"price": body["price"]}, True)

    def corrupt(self, request: Request) -> dict[str, Any]:
        """``{"product_id": 5, "fields": {"price": "n/a"}}``: store malformed
        data as is (no validation), to test a consumer's error isolation."""
        return self.store.corrupt_product(*self._product_fields(request))

    def _product_fields(self, request: Request) -> tuple[int, dict[str, Any]]:
        """``(product_id, fields)`` of a body ``{"product_id", "fields"}``."""
        body = self._body(request)
        product_id, fields = body.get("product_id"), body.get("fields")
        if not isinstance(product_id, int) or not isinstance(fields, dict):
            raise ApiError(
                422,
                "Validation failed",
                {"product_id": ["product_id (int) and fields (object) required"]},
            )
        return product_id, fields

    def simulate_silent(self, request: Request) -> dict[str, Any]:
        """``{"product_id": 5, "fields": {"title": "New"}}``: change a product
        without moving its ``updated_at`` nor sending a webhook."""
        return self.store.silent_update_product(*self._product_fields(request))

    def simulate_image(self, request: Request) -> dict[str, Any]:
        """``{"product_id": 5}`` (optionally ``variant_id``): a new image for
        the product or its variant (new content, new checksum)."""
        body = self._body(request)
        product_id, variant_id = body.get("product_id"), body.get("variant_id")
        if not isinstance(product_id, int) or not (
            variant_id is None or isinstance(variant_id, int)
        ):
            raise ApiError(
                422,
                "Validation failed",
                {"product_id": ["product_id (int) required, variant_id an int"]},
            )
        return self.store.set_image(product_id, variant_id)

    def get_images(self, request: Request) -> dict[str, Any]:
        """Image downloads served, by URL, and their total."""
        with self.app._requests_lock:
            downloads = dict(self.app.image_downloads)
        return {"downloads": downloads, "total": sum(downloads.values())}

    def delete_images(self, request: Request) -> dict[str, Any]:
        """Forget the image downloads counted so far."""
        with self.app._requests_lock:
            self.app.image_downloads.clear()
        return {"downloads": {}, "total": 0}

    def simulate_touch(self, request: Request) -> dict[str, Any]:
        """``{"count": 5}``: change description and price of N products."""
        body = self._body(request)
        count = body.get("count", 5)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ApiError(
                422, "Validation failed", {"count": ["must be an integer >= 0"]}
            )
        with self.store.lock:
            ids = list(self.store.products.ids)
            chosen = sorted(self.rng.sample(ids, min(count, len(ids))))
            touched = self.store.touch_products(chosen, self.rng)
        return {"ids": chosen, "products": touched}

    # -- after sale ------------------------------------------------------

    def _order_id(self, body: dict[str, Any]) -> int:
        order_id = body.pop("order_id", None)
        if isinstance(order_id, bool) or not isinstance(order_id, int):
            raise ApiError(
                422, "Validation failed", {"order_id": ["an integer is required"]}
            )
        return order_id

    def simulate_refund(self, request: Request) -> dict[str, Any]:
        """``{"order_id": 7, "lines": [{"line_id": 12, "quantity": 1}],
        "shipping": "4.90", "restock": true}``: the merchant refunds on the
        platform (a ``refund.created``)."""
        body = self._body(request)
        return after_sale.create_refund(self.store, self._order_id(body), body)

    def simulate_fulfillment(self, request: Request) -> dict[str, Any]:
        """``{"order_id": 7, "lines": [...], "tracking_company": "UPS",
        "tracking_number": "1Z..."}`` (``lines`` omitted: all that is left):
        the merchant ships from the platform (a ``fulfillment.created``)."""
        body = self._body(request)
        return after_sale.create_fulfillment(self.store, self._order_id(body), body)
