"""The data store: products, customers, orders, inventory levels.

Design:

* Every record is held as the exact dict the REST API returns. A change never
  mutates a stored dict in place; it builds a new one and swaps it in, so a
  reader that already holds a record (a page being serialised, a webhook being
  sent) never sees a half-made change.
* Each resource is a :class:`Collection` with a sorted id list (pages are a
  slice or a bisect, never a scan), an index sorted by ``updated_at`` (so
  ``updated_since`` is a bisect plus a sort of the matching ids), and a cache
  of each record's serialised JSON (so a 100-record page is a string join).
* One re-entrant lock guards all of it; the HTTP server is threaded.
* Listeners (the webhook dispatcher) are called with ``(event_type, record)``
  on every change, while the lock is held so events come out in the order the
  changes were made; listeners must only enqueue.
* With a database file, every change is also written to SQLite (one JSON
  document per record) and the data is loaded back on the next start.
"""

from __future__ import annotations

import copy
import json
import re
import sqlite3
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from .catalog import CATEGORIES, CATEGORY_IDS, image, next_image
from .errors import ApiError, invalid, not_found
from .util import (
    MonotonicClock,
    dumps,
    financial_status,
    format_us,
    line_subtotal,
    money,
    order_tax_total,
    order_total,
    parse_iso,
    tax_amount,
)

Record = dict[str, Any]
Listener = Callable[[str, Record], None]

LOCATIONS: list[Record] = [
    {"id": 1, "name": "Main Warehouse", "code": "WH-MAIN", "active": True},
    {"id": 2, "name": "Retail Store", "code": "STORE-01", "active": True},
]
LOCATION_IDS = {loc["id"] for loc in LOCATIONS}
DEFAULT_LOCATION = 1
PRODUCT_STATUSES = ("active", "draft", "archived")
ORDER_STATUSES = ("pending", "paid", "fulfilled", "cancelled")
PAYMENT_KINDS = ("authorization", "capture", "refund")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_CENT = Decimal("0.01")
_INVENTORY_KEY = 1000  # internal inventory key: variant_id * 1000 + location_id


class Collection:
    """Records of one kind with the indexes that make pages cheap."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.records: dict[int, Record] = {}
        self.ids: list[int] = []
        self._updated: dict[int, int] = {}
        self._by_updated: list[tuple[int, int]] = []
        self._json: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.records)

    def put(self, key: int, record: Record, updated_us: int) -> None:
        if key in self.records:
            old = (self._updated[key], key)
            del self._by_updated[bisect_left(self._by_updated, old)]
        else:
            position = bisect_left(self.ids, key)
            self.ids.insert(position, key)
        self.records[key] = record
        self._updated[key] = updated_us
        entry = (updated_us, key)
        if not self._by_updated or self._by_updated[-1] < entry:
            self._by_updated.append(entry)  # the usual case: a fresh timestamp
        else:
            self._by_updated.insert(bisect_left(self._by_updated, entry), entry)
        self._json.pop(key, None)

    def remove(self, key: int) -> Record:
        record = self.records.pop(key)
        del self.ids[bisect_left(self.ids, key)]
        old = (self._updated.pop(key), key)
        del self._by_updated[bisect_left(self._by_updated, old)]
        self._json.pop(key, None)
        return record

    def clear(self) -> None:
        self.__init__(self.name)  # type: ignore[misc]

    def json(self, key: int) -> str:
        cached = self._json.get(key)
        if cached is None:
            cached = self._json[key] = dumps(self.records[key])
        return cached

    def select(self, updated_since_us: int | None = None) -> list[int]:
        """Sorted keys, optionally only those updated strictly after a time."""
        if updated_since_us is None:
            return list(self.ids)
        start = bisect_right(self._by_updated, (updated_since_us, float("inf")))
        if start == 0:
            return list(self.ids)
        return sorted(key for _, key in self._by_updated[start:])


class _Database:
    """Write-through persistence of the store into one SQLite file."""

    TABLES = ("products", "customers", "orders", "inventory", "webhooks")

    def __init__(self, path: str) -> None:
        # The store's lock serialises all use, so one connection shared by the
        # server's threads is safe.
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        for table in self.TABLES:
            self.conn.execute(
                f"CREATE TABLE IF NOT EXISTS {table} "
                "(key INTEGER PRIMARY KEY, doc TEXT NOT NULL)"
            )
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)"
        )

    def save(self, table: str, key: int, record: Record) -> None:
        self.conn.execute(
            f"INSERT OR REPLACE INTO {table} (key, doc) VALUES (?, ?)",
            (key, dumps(record)),
        )

    def delete(self, table: str, key: int) -> None:
        self.conn.execute(f"DELETE FROM {table} WHERE key = ?", (key,))

    def load(self, table: str) -> list[tuple[int, Record]]:
        rows = self.conn.execute(f"SELECT key, doc FROM {table} ORDER BY key")
        return [(key, json.loads(doc)) for key, doc in rows]

    def get_meta(self, key: str) -> Any:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,))
        found = row.fetchone()
        return json.loads(found[0]) if found else None

    def set_meta(self, key: str, value: Any) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (key, json.dumps(value)),
        )

    def replace_all(self, tables: dict[str, Iterable[tuple[int, Record]]]) -> None:
        self.conn.execute("BEGIN")
        try:
            for table, rows in tables.items():
                self.conn.execute(f"DELETE FROM {table}")
                self.conn.executemany(
                    f"INSERT INTO {table} (key, doc) VALUES (?, ?)",
                    [(key, dumps(doc)) for key, doc in rows],
                )
            self.conn.execute("COMMIT")
        except sqlite3.Error:
            self.conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.conn.close()


def _errors_add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_str(
    errors: dict[str, list[str]],
    data: Record,
    field: str,
    *,
    required: bool = False,
    nullable: bool = False,
    max_len: int = 255,
    prefix: str = "",
) -> None:
    name = prefix + field
    if field not in data:
        if required:
            _errors_add(errors, name, "is required")
        return
    value = data[field]
    if value is None and nullable:
        return
    if not isinstance(value, str):
        _errors_add(errors, name, "must be a string")
    elif required and not value.strip():
        _errors_add(errors, name, "must not be blank")
    elif len(value) > max_len:
        _errors_add(errors, name, f"must be at most {max_len} characters")


def _check_unknown(
    errors: dict[str, list[str]], data: Record, allowed: Iterable[str], prefix: str = ""
) -> None:
    allowed = set(allowed)
    for key in data:
        if key not in allowed:
            _errors_add(errors, prefix + key, "unknown field")


def _check_int(
    errors: dict[str, list[str]], value: Any, name: str, minimum: int | None = None
) -> bool:
    if isinstance(value, bool) or not isinstance(value, int):
        _errors_add(errors, name, "must be an integer")
        return False
    if minimum is not None and value < minimum:
        _errors_add(errors, name, f"must be at least {minimum}")
        return False
    return True


def _require_object(data: Any) -> Record:
    if not isinstance(data, dict):
        raise ApiError(400, "Request body must be a JSON object")
    return data


_READ_ONLY = ("id", "created_at", "updated_at")
_PRODUCT_FIELDS = (
    "title",
    "description",
    "sku",
    "price",
    "currency",
    "status",
    "category_id",
)
# ``image`` is the platform's: accepted (a client may send back what it read)
# and ignored; it changes by ``set_image`` only.
_VARIANT_FIELDS = ("id", "title", "sku", "price", "stock", "image")
_CUSTOMER_FIELDS = ("email", "first_name", "last_name", "phone", "addresses")
_ADDRESS_FIELDS = (
    "id",
    "address1",
    "address2",
    "city",
    "province",
    "zip",
    "country_code",
    "default",
)
_ORDER_FIELDS = ("number", "customer_id", "status", "currency", "lines", "payments")
_LINE_FIELDS = (
    "id",
    "product_id",
    "variant_id",
    "sku",
    "quantity",
    "price",
    "discount",
    "taxes",
)
_TAX_FIELDS = ("title", "rate", "country", "price_included", "amount")
_PAYMENT_FIELDS = ("id", "gateway", "kind", "amount", "status", "created_at")
# Computed from the lines and the payments, never taken from a request.
_ORDER_COMPUTED = (
    "total",
    "tax_total",
    "financial_status",
    "amount_paid",
    "gateway",
)
# Which statuses an order may leave for ``fulfilled`` / ``cancelled``.
_ORDER_ACTIONS = {
    "fulfilled": ("pending", "paid"),
    "cancelled": ("pending", "paid"),
}


def _line_taxes(
    line: Record, items: Any, errors: dict[str, list[str]], prefix: str
) -> list[Record]:
    """A line's taxes from a request: ``title``, ``rate`` (a percentage),
    ``country`` and ``price_included``; the amount is computed."""
    if not isinstance(items, list):
        _errors_add(errors, prefix + "taxes", "must be a list")
        return []
    taxes = []
    for index, item in enumerate(items):
        name = f"{prefix}taxes[{index}]"
        if not isinstance(item, dict):
            _errors_add(errors, name, "must be an object")
            continue
        _check_unknown(errors, item, _TAX_FIELDS, name + ".")
        try:
            rate = money(item.get("rate"))
        except ValueError as exc:
            _errors_add(errors, name + ".rate", str(exc))
            continue
        included = bool(item.get("price_included"))
        taxes.append(
            {
                "title": str(item.get("title") or f"Tax {rate}%"),
                "rate": rate,
                "country": str(item.get("country") or ""),
                "price_included": included,
                "amount": str(tax_amount(line_subtotal(line), rate, included)),
            }
        )
    return taxes


def _set_payments(order: Record, payments: list[Record] | None) -> None:
    """Give ``order`` its payment fields, computed from its transactions
    (``payments``, or those it has when None) and its lines."""
    if payments is not None:
        order["payments"] = payments
    order["tax_total"] = order_tax_total(order["lines"])
    paid = sum(
        (Decimal(p["amount"]) for p in order["payments"] if p["kind"] == "capture"),
        Decimal(0),
    )
    order["amount_paid"] = str(paid.quantize(Decimal("0.01")))
    order["financial_status"] = financial_status(order["total"], order["payments"])
    order["gateway"] = order["payments"][0]["gateway"] if order["payments"] else None


class Store:
    """All sandbox data, its mutations and the events they emit."""

    def __init__(
        self,
        seed_records: int = 250,
        seed: int = 42,
        db_path: str | None = None,
        clock: MonotonicClock | None = None,
        seed_payments: bool = False,
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock or MonotonicClock()
        self.seed_records = seed_records
        self.seed = seed
        self.seed_payments = seed_payments
        self.products = Collection("products")
        self.customers = Collection("customers")
        self.orders = Collection("orders")
        self.inventory = Collection("inventory")
        self.locations = copy.deepcopy(LOCATIONS)
        self.categories = copy.deepcopy(CATEGORIES)
        self._listeners: list[Listener] = []
        self._sequences: dict[str, int] = {}
        self._skus: dict[str, tuple[int, int]] = {}  # sku -> (product, variant)
        self._variants: dict[int, int] = {}  # variant id -> product id
        self._emails: dict[str, int] = {}
        self._db = _Database(db_path) if db_path else None
        if self._db is not None and self._db.get_meta("sequences") is not None:
            self._load_from_db()
        else:
            self.reseed(seed_records, seed)

    # -- lifecycle -------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def close(self) -> None:
        with self.lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    @property
    def db(self) -> _Database | None:
        return self._db

    def reseed(
        self,
        seed_records: int | None = None,
        seed: int | None = None,
        payments: bool | None = None,
    ) -> None:
        """Replace all data by the deterministic generated data set (its
        orders with taxes and payments when ``payments``)."""
        from .seed import generate  # local: seed imports this module

        with self.lock:
            if seed_records is not None:
                self.seed_records = seed_records
            if seed is not None:
                self.seed = seed
            if payments is not None:
                self.seed_payments = payments
            data = generate(self.seed_records, self.seed, self.seed_payments)
            for collection in (self.products, self.customers, self.orders):
                collection.clear()
            self.inventory.clear()
            self._skus.clear()
            self._variants.clear()
            self._emails.clear()
            for product in data["products"]:
                self._index_product(product)
            for customer in data["customers"]:
                self._index_customer(customer)
            for order in data["orders"]:
                self.orders.put(order["id"], order, parse_iso(order["updated_at"]))
            for level in data["inventory"]:
                key = level["variant_id"] * _INVENTORY_KEY + level["location_id"]
                self.inventory.put(key, level, parse_iso(level["updated_at"]))
            # Webhook subscriptions survive a reseed: keep their numbering.
            data["sequences"]["webhook"] = self._sequences.get("webhook", 1)
            self._sequences = data["sequences"]
            self.clock.advance_to(data["max_updated_us"])
            if self._db is not None:
                self._db.replace_all(
                    {
                        "products": self._rows(self.products),
                        "customers": self._rows(self.customers),
                        "orders": self._rows(self.orders),
                        "inventory": self._rows(self.inventory),
                    }
                )
                self._save_meta()

    @staticmethod
    def _rows(collection: Collection) -> list[tuple[int, Record]]:
        return [(key, collection.records[key]) for key in collection.ids]

    def _load_from_db(self) -> None:
        assert self._db is not None
        db = self._db
        latest = 0
        for key, product in db.load("products"):
            self._index_product(product, key)
            latest = max(latest, parse_iso(product["updated_at"]))
        for key, customer in db.load("customers"):
            self._index_customer(customer, key)
            latest = max(latest, parse_iso(customer["updated_at"]))
        for name, collection in (
            ("orders", self.orders),
            ("inventory", self.inventory),
        ):
            for key, record in db.load(name):
                stamp = parse_iso(record["updated_at"])
                collection.put(key, record, stamp)
                latest = max(latest, stamp)
        self._sequences = db.get_meta("sequences")
        self.seed_records = db.get_meta("seed_records") or self.seed_records
        self.seed = (
            db.get_meta("seed") if db.get_meta("seed") is not None else self.seed
        )
        self.clock.advance_to(max(latest, db.get_meta("clock") or 0))

    def _save_meta(self) -> None:
        if self._db is not None:
            self._db.set_meta("sequences", self._sequences)
            self._db.set_meta("seed_records", self.seed_records)
            self._db.set_meta("seed", self.seed)
            self._db.set_meta("clock", self.clock.now_us())

    def _persist(self, table: str, key: int, record: Record | None) -> None:
        if self._db is None:
            return
        if record is None:
            self._db.delete(table, key)
        else:
            self._db.save(table, key, record)

    def next_id(self, name: str) -> int:
        with self.lock:
            value = self._sequences.get(name, 1)
            self._sequences[name] = value + 1
            if self._db is not None:
                self._db.set_meta("sequences", self._sequences)
            return value

    def _emit(self, event_type: str, record: Record) -> None:
        for listener in list(self._listeners):
            listener(event_type, record)

    def _index_product(self, product: Record, key: int | None = None) -> None:
        pid = product["id"] if key is None else key
        self.products.put(pid, product, parse_iso(product["updated_at"]))
        for variant in product["variants"]:
            self._skus[variant["sku"]] = (pid, variant["id"])
            self._variants[variant["id"]] = pid

    def _index_customer(self, customer: Record, key: int | None = None) -> None:
        cid = customer["id"] if key is None else key
        self.customers.put(cid, customer, parse_iso(customer["updated_at"]))
        self._emails[customer["email"].lower()] = cid

    # -- generic reads ---------------------------------------------------

    def collection(self, name: str) -> Collection:
        return {
            "products": self.products,
            "customers": self.customers,
            "orders": self.orders,
            "inventory_levels": self.inventory,
            "inventory": self.inventory,
        }[name]

    def get(self, name: str, key: int) -> Record:
        with self.lock:
            record = self.collection(name).records.get(key)
        if record is None:
            raise not_found(name[:-1].capitalize(), key)
        return record

    def get_product(self, product_id: int) -> Record:
        return self.get("products", product_id)

    def get_customer(self, customer_id: int) -> Record:
        return self.get("customers", customer_id)

    def get_order(self, order_id: int) -> Record:
        return self.get("orders", order_id)

    def find_variant(
        self, sku: str | None = None, variant_id: int | None = None
    ) -> tuple[Record, Record]:
        """(product, variant) for a sku or variant id; 404 ApiError if unknown."""
        with self.lock:
            if variant_id is not None:
                product_id = self._variants.get(variant_id)
                label = f"variant {variant_id}"
            else:
                found = self._skus.get(sku or "")
                product_id = found[0] if found else None
                label = f"sku {sku}"
            if product_id is None:
                raise ApiError(404, f"Unknown {label}")
            product = self.products.records[product_id]
            for variant in product["variants"]:
                if variant["id"] == variant_id or (
                    variant_id is None and variant["sku"] == sku
                ):
                    return product, variant
        raise ApiError(404, f"Unknown {label}")

    def inventory_for_variant(self, variant_id: int) -> list[Record]:
        with self.lock:
            return [
                self.inventory.records[variant_id * _INVENTORY_KEY + loc]
                for loc in sorted(LOCATION_IDS)
                if variant_id * _INVENTORY_KEY + loc in self.inventory.records
            ]

    # -- products --------------------------------------------------------

    def create_product(self, data: Any) -> Record:
        data = _require_object(data)
        with self.lock:
            errors = self._validate_product(data, partial=False)
            if errors:
                raise invalid(errors)
            pid = self.next_id("product")
            stamp = self.clock.now_us()
            product = {
                "id": pid,
                "title": data["title"],
                "description": data.get("description") or "",
                "sku": "",
                "price": "0.00",
                "currency": data.get("currency", "USD"),
                "status": data.get("status", "active"),
                "variants": [],
                "category_id": data.get("category_id"),
                "image": image(f"product-{pid}"),
                "created_at": format_us(stamp),
                "updated_at": format_us(stamp),
            }
            product = self._apply_variants(product, data, creating=True)
            self._check_skus(product)
            self._store_product(product, stamp, created=True)
            return product

    def update_product(self, product_id: int, data: Any, partial: bool) -> Record:
        data = _require_object(data)
        with self.lock:
            current = self.get_product(product_id)
            errors = self._validate_product(data, partial=partial)
            if errors:
                raise invalid(errors)
            product = copy.deepcopy(current)
            if "category_id" in data:
                product["category_id"] = data["category_id"]
            for field in ("title", "description", "currency", "status"):
                if field in data:
                    product[field] = data[field] if data[field] is not None else ""
                elif not partial:
                    product[field] = {
                        "description": "",
                        "currency": "USD",
                        "status": "active",
                    }.get(field, product[field])
            product = self._apply_variants(product, data, creating=False)
            self._check_skus(product)
            stamp = self.clock.now_us()
            product["updated_at"] = format_us(stamp)
            self._store_product(product, stamp, created=False, previous=current)
            return product

    def corrupt_product(self, product_id: int, fields: dict[str, Any]) -> Record:
        """Overwrite top-level fields with no validation: the malformed data a
        real platform's legacy records carry, for tests of the importers'
        error isolation. Bumps ``updated_at`` and emits ``product.updated``."""
        with self.lock:
            current = self.get_product(product_id)
            product = copy.deepcopy(current)
            product.update(fields)
            stamp = self.clock.now_us()
            product["updated_at"] = format_us(stamp)
            self.products.put(product_id, product, stamp)
            self._persist("products", product_id, product)
            self._emit("product.updated", product)
            return product

    def silent_update_product(self, product_id: int, fields: dict[str, Any]) -> Record:
        """Change top-level fields (validated) without moving ``updated_at``
        and without a webhook: a platform whose timestamp does not follow
        every change (a child edited, a bulk fix), for tests of reconciles."""
        errors = self._validate_product(fields, partial=True)
        if errors:
            raise invalid(errors)
        with self.lock:
            product = copy.deepcopy(self.get_product(product_id))
            product.update(fields)
            self.products.put(product_id, product, parse_iso(product["updated_at"]))
            self._persist("products", product_id, product)
            return product

    def delete_product(self, product_id: int) -> Record:
        with self.lock:
            product = self.get_product(product_id)
            self.products.remove(product_id)
            self._persist("products", product_id, None)
            for variant in product["variants"]:
                self._skus.pop(variant["sku"], None)
                self._variants.pop(variant["id"], None)
                for loc in LOCATION_IDS:
                    key = variant["id"] * _INVENTORY_KEY + loc
                    if key in self.inventory.records:
                        self.inventory.remove(key)
                        self._persist("inventory", key, None)
            self._emit("product.deleted", product)
            return product

    def _validate_product(self, data: Record, partial: bool) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        _check_unknown(
            errors, data, _PRODUCT_FIELDS + _READ_ONLY + ("variants", "image")
        )
        category = data.get("category_id")
        if category is not None and category not in CATEGORY_IDS:
            _errors_add(errors, "category_id", "must be the id of a category or null")
        _check_str(errors, data, "title", required=not partial)
        title = data.get("title")
        if partial and isinstance(title, str) and not title.strip():
            _errors_add(errors, "title", "must not be blank")
        _check_str(errors, data, "description", nullable=True, max_len=10_000)
        _check_str(errors, data, "sku", max_len=64)
        if isinstance(data.get("sku"), str) and not data["sku"].strip():
            _errors_add(errors, "sku", "must not be blank")
        if "price" in data:
            try:
                money(data["price"])
            except ValueError as exc:
                _errors_add(errors, "price", str(exc))
        elif not partial and not data.get("variants"):
            _errors_add(errors, "price", "is required")
        if "currency" in data and not (
            isinstance(data["currency"], str) and _CURRENCY.match(data["currency"])
        ):
            _errors_add(errors, "currency", "must be a 3-letter ISO 4217 code")
        if "status" in data and data["status"] not in PRODUCT_STATUSES:
            _errors_add(
                errors, "status", f"must be one of {', '.join(PRODUCT_STATUSES)}"
            )
        if "variants" in data:
            variants = data["variants"]
            if not isinstance(variants, list) or not variants:
                _errors_add(errors, "variants", "must be a non-empty list")
            elif len(variants) > 99:
                _errors_add(errors, "variants", "at most 99 variants")
            else:
                for index, variant in enumerate(variants):
                    prefix = f"variants[{index}]."
                    if not isinstance(variant, dict):
                        _errors_add(errors, f"variants[{index}]", "must be an object")
                        continue
                    _check_unknown(errors, variant, _VARIANT_FIELDS, prefix)
                    _check_str(errors, variant, "title", prefix=prefix)
                    _check_str(errors, variant, "sku", max_len=64, prefix=prefix)
                    if "price" in variant:
                        try:
                            money(variant["price"])
                        except ValueError as exc:
                            _errors_add(errors, prefix + "price", str(exc))
                    if "stock" in variant:
                        _check_int(errors, variant["stock"], prefix + "stock")
                    if "id" in variant:
                        _check_int(errors, variant["id"], prefix + "id", 1)
        return errors

    def _apply_variants(self, product: Record, data: Record, creating: bool) -> Record:
        pid = product["id"]
        existing = {v["id"]: v for v in product["variants"]}
        top_price = money(data["price"]) if "price" in data else None
        if "variants" in data:
            variants: list[Record] = []
            used = set()
            next_number = max([v["id"] % 100 for v in existing.values()] + [0]) + 1
            for index, item in enumerate(data["variants"]):
                base = existing.get(item.get("id")) if "id" in item else None
                if base is None or base["id"] in used:
                    number = next_number
                    next_number += 1
                    base = {
                        "id": pid * 100 + number,
                        "title": "Default" if index == 0 else f"Variant {index + 1}",
                        "sku": f"SKU-{pid:05d}"
                        if index == 0
                        else f"SKU-{pid:05d}-{number}",
                        "price": top_price or product["price"],
                        "stock": 0,
                    }
                used.add(base["id"])
                variant = dict(base)
                for field in ("title", "sku"):
                    if field in item:
                        variant[field] = item[field]
                if "price" in item:
                    variant["price"] = money(item["price"])
                if "stock" in item:
                    variant["stock"] = item["stock"]
                variants.append(variant)
        elif creating:
            variants = [
                {
                    "id": pid * 100 + 1,
                    "title": "Default",
                    "sku": f"SKU-{pid:05d}",
                    "price": top_price or "0.00",
                    "stock": 0,
                }
            ]
        else:
            variants = [dict(v) for v in product["variants"]]
        # Top-level sku/price are those of the first variant: writing them
        # writes the first variant.
        if "sku" in data:
            variants[0]["sku"] = data["sku"]
        if top_price is not None:
            variants[0]["price"] = top_price
        product["variants"] = variants
        product["sku"] = variants[0]["sku"]
        product["price"] = variants[0]["price"]
        return product

    def _check_skus(self, product: Record) -> None:
        seen: set[str] = set()
        for variant in product["variants"]:
            sku = variant["sku"]
            owner = self._skus.get(sku)
            if sku in seen or (owner is not None and owner[0] != product["id"]):
                raise ApiError(
                    409,
                    f"Duplicate sku {sku}",
                    {"sku": [f"{sku} is already used"]},
                )
            seen.add(sku)

    def _store_product(
        self,
        product: Record,
        stamp: int,
        created: bool,
        previous: Record | None = None,
    ) -> None:
        old_variants = {v["id"]: v for v in (previous or {}).get("variants", [])}
        new_ids = {v["id"] for v in product["variants"]}
        for vid, variant in old_variants.items():
            self._skus.pop(variant["sku"], None)
            if vid not in new_ids:
                self._variants.pop(vid, None)
                for loc in LOCATION_IDS:
                    key = vid * _INVENTORY_KEY + loc
                    if key in self.inventory.records:
                        self.inventory.remove(key)
                        self._persist("inventory", key, None)
        changed_levels = []
        for variant in product["variants"]:
            vid = variant["id"]
            self._skus[variant["sku"]] = (product["id"], vid)
            self._variants[vid] = product["id"]
            levels = {
                loc: self.inventory.records.get(vid * _INVENTORY_KEY + loc)
                for loc in sorted(LOCATION_IDS)
            }
            others = sum(
                lvl["available"]
                for loc, lvl in levels.items()
                if lvl is not None and loc != DEFAULT_LOCATION
            )
            for loc, level in levels.items():
                # The variant's stock is the sum over locations: a stock
                # written on the product lands on the default location.
                available = (
                    variant["stock"] - others
                    if loc == DEFAULT_LOCATION
                    else (level["available"] if level else 0)
                )
                if (
                    level is not None
                    and level["available"] == available
                    and level["sku"] == variant["sku"]
                ):
                    continue
                new_level = {
                    "variant_id": vid,
                    "sku": variant["sku"],
                    "location_id": loc,
                    "available": available,
                    "updated_at": format_us(stamp),
                }
                key = vid * _INVENTORY_KEY + loc
                self.inventory.put(key, new_level, stamp)
                self._persist("inventory", key, new_level)
                if level is None or level["available"] != available:
                    changed_levels.append(new_level)
        self.products.put(product["id"], product, stamp)
        self._persist("products", product["id"], product)
        self._emit("product.created" if created else "product.updated", product)
        if not created:
            for level in changed_levels:
                self._emit("inventory.updated", level)

    # -- images ----------------------------------------------------------

    def set_image(self, product_id: int, variant_id: int | None = None) -> Record:
        """Give the product (or its variant ``variant_id``) a new image: new
        content, new checksum, a newer ``updated_at`` and a
        ``product.updated``."""
        with self.lock:
            current = self.get_product(product_id)
            product = copy.deepcopy(current)
            if variant_id is None:
                product["image"] = next_image(
                    f"product-{product_id}", product.get("image")
                )
            else:
                variant = next(
                    (v for v in product["variants"] if v["id"] == variant_id), None
                )
                if variant is None:
                    raise ApiError(
                        404, f"Product {product_id} has no variant {variant_id}"
                    )
                variant["image"] = next_image(
                    f"variant-{variant_id}", variant.get("image")
                )
            stamp = self.clock.now_us()
            product["updated_at"] = format_us(stamp)
            self._store_product(product, stamp, created=False, previous=current)
            return product

    def image_exists(self, kind: str, record_id: int) -> bool:
        """Whether a product (``kind`` "product") or variant has this id."""
        with self.lock:
            if kind == "product":
                return record_id in self.products.records
            return record_id in self._variants

    # -- inventory -------------------------------------------------------

    def set_inventory(
        self,
        *,
        sku: str | None = None,
        variant_id: int | None = None,
        location_id: int = DEFAULT_LOCATION,
        available: int | None = None,
        delta: int | None = None,
    ) -> Record:
        """Set (``available``) or adjust (``delta``) one inventory level."""
        errors: dict[str, list[str]] = {}
        if sku is None and variant_id is None:
            _errors_add(errors, "sku", "sku or variant_id is required")
        if variant_id is not None:
            _check_int(errors, variant_id, "variant_id", 1)
        if sku is not None and not isinstance(sku, str):
            _errors_add(errors, "sku", "must be a string")
        if _check_int(errors, location_id, "location_id", 1) and (
            location_id not in LOCATION_IDS
        ):
            _errors_add(errors, "location_id", "unknown location")
        if (available is None) == (delta is None):
            _errors_add(errors, "available", "give exactly one of available or delta")
        elif available is not None:
            _check_int(errors, available, "available")
        else:
            _check_int(errors, delta, "delta")
        if errors:
            raise invalid(errors)
        with self.lock:
            product, variant = self.find_variant(sku=sku, variant_id=variant_id)
            key = variant["id"] * _INVENTORY_KEY + location_id
            level = self.inventory.records.get(key)
            current = level["available"] if level else 0
            new_available = available if available is not None else current + delta
            stamp = self.clock.now_us()
            new_level = {
                "variant_id": variant["id"],
                "sku": variant["sku"],
                "location_id": location_id,
                "available": new_available,
                "updated_at": format_us(stamp),
            }
            self.inventory.put(key, new_level, stamp)
            self._persist("inventory", key, new_level)
            new_product = copy.deepcopy(product)
            for item in new_product["variants"]:
                if item["id"] == variant["id"]:
                    item["stock"] = sum(
                        lvl["available"]
                        for lvl in self.inventory_for_variant(item["id"])
                    )
            new_product["updated_at"] = format_us(stamp)
            self.products.put(product["id"], new_product, stamp)
            self._persist("products", product["id"], new_product)
            self._emit("inventory.updated", new_level)
            self._emit("product.updated", new_product)
            return new_level

    # -- customers -------------------------------------------------------

    def create_customer(self, data: Any) -> Record:
        data = _require_object(data)
        with self.lock:
            errors = self._validate_customer(data, partial=False)
            if errors:
                raise invalid(errors)
            self._check_email(data["email"], None)
            cid = self.next_id("customer")
            stamp = self.clock.now_us()
            customer = {
                "id": cid,
                "email": data["email"],
                "first_name": data.get("first_name") or "",
                "last_name": data.get("last_name") or "",
                "phone": data.get("phone"),
                "addresses": self._addresses(data.get("addresses") or [], []),
                "created_at": format_us(stamp),
                "updated_at": format_us(stamp),
            }
            self._save_customer(customer, stamp, None)
            self._emit("customer.created", customer)
            return customer

    def update_customer(self, customer_id: int, data: Any, partial: bool) -> Record:
        data = _require_object(data)
        with self.lock:
            current = self.get_customer(customer_id)
            errors = self._validate_customer(data, partial=partial)
            if errors:
                raise invalid(errors)
            if "email" in data:
                self._check_email(data["email"], customer_id)
            customer = copy.deepcopy(current)
            defaults = {"first_name": "", "last_name": "", "phone": None}
            for field in ("email", "first_name", "last_name", "phone"):
                if field in data:
                    customer[field] = data[field]
                elif not partial and field in defaults:
                    customer[field] = defaults[field]
            if "addresses" in data or not partial:
                customer["addresses"] = self._addresses(
                    data.get("addresses") or [], current["addresses"]
                )
            stamp = self.clock.now_us()
            customer["updated_at"] = format_us(stamp)
            self._save_customer(customer, stamp, current)
            self._emit("customer.updated", customer)
            return customer

    def delete_customer(self, customer_id: int) -> Record:
        with self.lock:
            customer = self.get_customer(customer_id)
            self.customers.remove(customer_id)
            self._emails.pop(customer["email"].lower(), None)
            self._persist("customers", customer_id, None)
            self._emit("customer.deleted", customer)
            return customer

    def _validate_customer(self, data: Record, partial: bool) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        _check_unknown(errors, data, _CUSTOMER_FIELDS + _READ_ONLY)
        _check_str(errors, data, "email", required=not partial)
        email = data.get("email")
        if (
            isinstance(email, str)
            and email
            and not re.match(r"^[^@\s]+@[^@\s]+$", email)
        ):
            _errors_add(errors, "email", "is not a valid email address")
        for field in ("first_name", "last_name"):
            _check_str(errors, data, field, nullable=True)
        _check_str(errors, data, "phone", nullable=True, max_len=32)
        if "addresses" in data:
            addresses = data["addresses"]
            if addresses is not None and not isinstance(addresses, list):
                _errors_add(errors, "addresses", "must be a list")
            else:
                for index, address in enumerate(addresses or []):
                    prefix = f"addresses[{index}]."
                    if not isinstance(address, dict):
                        _errors_add(errors, f"addresses[{index}]", "must be an object")
                        continue
                    _check_unknown(errors, address, _ADDRESS_FIELDS, prefix)
                    for field in ("address1", "address2", "city", "province", "zip"):
                        _check_str(errors, address, field, nullable=True, prefix=prefix)
                    code = address.get("country_code")
                    if code is not None and not (
                        isinstance(code, str) and re.match(r"^[A-Z]{2}$", code)
                    ):
                        _errors_add(
                            errors, prefix + "country_code", "must be a 2-letter code"
                        )
        return errors

    def _check_email(self, email: str, customer_id: int | None) -> None:
        owner = self._emails.get(email.lower())
        if owner is not None and owner != customer_id:
            raise ApiError(
                409, f"Duplicate email {email}", {"email": [f"{email} is already used"]}
            )

    def _addresses(self, items: list[Record], current: list[Record]) -> list[Record]:
        known = {a["id"]: a for a in current}
        result = []
        for item in items:
            base = known.get(item.get("id")) or {
                "id": self.next_id("address"),
                "address1": "",
                "address2": None,
                "city": "",
                "province": None,
                "zip": "",
                "country_code": "US",
                "default": False,
            }
            address = dict(base)
            address.update({k: v for k, v in item.items() if k != "id"})
            result.append(address)
        if result and not any(a["default"] for a in result):
            result[0]["default"] = True
        return result

    def _save_customer(
        self, customer: Record, stamp: int, previous: Record | None
    ) -> None:
        if previous is not None:
            self._emails.pop(previous["email"].lower(), None)
        self._emails[customer["email"].lower()] = customer["id"]
        self.customers.put(customer["id"], customer, stamp)
        self._persist("customers", customer["id"], customer)

    # -- orders ----------------------------------------------------------

    def create_order(self, data: Any) -> Record:
        data = _require_object(data)
        with self.lock:
            errors = self._validate_order(data, partial=False)
            lines = self._order_lines(data.get("lines"), errors) if not errors else []
            payments = None
            if "payments" in data:
                payments = self._order_payments(data["payments"], errors)
            if errors:
                raise invalid(errors)
            oid = self.next_id("order")
            stamp = self.clock.now_us()
            order = {
                "id": oid,
                "number": data.get("number") or f"#{1000 + oid}",
                "customer_id": data["customer_id"],
                "status": data.get("status", "pending"),
                "currency": data.get("currency", "USD"),
                "lines": lines,
                "total": order_total(lines),
                "created_at": format_us(stamp),
                "updated_at": format_us(stamp),
            }
            if payments is not None or any("taxes" in x for x in lines):
                _set_payments(order, payments or [])
            self.orders.put(oid, order, stamp)
            self._persist("orders", oid, order)
            self._emit("order.created", order)
            return order

    def update_order(self, order_id: int, data: Any, partial: bool) -> Record:
        data = _require_object(data)
        with self.lock:
            current = self.get_order(order_id)
            errors = self._validate_order(data, partial=partial)
            lines = None
            if not errors and "lines" in data:
                lines = self._order_lines(data["lines"], errors)
            payments = None
            if not errors and "payments" in data:
                payments = self._order_payments(data["payments"], errors)
            if errors:
                raise invalid(errors)
            order = copy.deepcopy(current)
            for field in ("number", "customer_id", "status", "currency"):
                if field in data:
                    order[field] = data[field]
                elif not partial and field in ("status", "currency"):
                    order[field] = {"status": "pending", "currency": "USD"}[field]
            if lines is not None:
                order["lines"] = lines
                order["total"] = order_total(lines)
            if payments is not None or "payments" in order:
                _set_payments(order, payments if payments is not None else None)
            stamp = self.clock.now_us()
            order["updated_at"] = format_us(stamp)
            self.orders.put(order_id, order, stamp)
            self._persist("orders", order_id, order)
            cancelled = order["status"] == "cancelled" != current["status"]
            self._emit("order.cancelled" if cancelled else "order.updated", order)
            if (
                order.get("financial_status")
                == "paid"
                != current.get("financial_status")
            ):
                self._emit("order.paid", order)
            return order

    def set_order_status(self, order_id: int, status: str) -> Record:
        """Fulfil or cancel an order (``POST /orders/<id>/fulfil|cancel``).

        Idempotent: an order already in ``status`` is returned as is; a 409
        when the order's status does not allow it (a fulfilled order cannot
        be cancelled, nor a cancelled one fulfilled).
        """
        with self.lock:
            current = self.get_order(order_id)
            if current["status"] == status:
                return current
            if current["status"] not in _ORDER_ACTIONS[status]:
                raise ApiError(
                    409,
                    f"Order {order_id} is {current['status']}: it cannot be "
                    f"{status}",
                    {"status": [current["status"]]},
                )
            return self.update_order(order_id, {"status": status}, partial=True)

    def delete_order(self, order_id: int) -> Record:
        with self.lock:
            order = self.get_order(order_id)
            self.orders.remove(order_id)
            self._persist("orders", order_id, None)
            self._emit("order.deleted", order)
            return order

    def _validate_order(self, data: Record, partial: bool) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        _check_unknown(errors, data, _ORDER_FIELDS + _READ_ONLY + _ORDER_COMPUTED)
        _check_str(errors, data, "number", max_len=32)
        if "customer_id" in data:
            if _check_int(errors, data["customer_id"], "customer_id", 1) and (
                data["customer_id"] not in self.customers.records
            ):
                _errors_add(errors, "customer_id", "unknown customer")
        elif not partial:
            _errors_add(errors, "customer_id", "is required")
        if "status" in data and data["status"] not in ORDER_STATUSES:
            _errors_add(errors, "status", f"must be one of {', '.join(ORDER_STATUSES)}")
        if "currency" in data and not (
            isinstance(data["currency"], str) and _CURRENCY.match(data["currency"])
        ):
            _errors_add(errors, "currency", "must be a 3-letter ISO 4217 code")
        if "lines" in data:
            if not isinstance(data["lines"], list) or not data["lines"]:
                _errors_add(errors, "lines", "must be a non-empty list")
        elif not partial:
            _errors_add(errors, "lines", "is required")
        return errors

    def _order_lines(
        self, items: list[Any], errors: dict[str, list[str]]
    ) -> list[Record]:
        lines = []
        for index, item in enumerate(items):
            prefix = f"lines[{index}]."
            if not isinstance(item, dict):
                _errors_add(errors, f"lines[{index}]", "must be an object")
                continue
            _check_unknown(errors, item, _LINE_FIELDS, prefix)
            quantity = item.get("quantity", 1)
            _check_int(errors, quantity, prefix + "quantity", 1)
            try:
                if item.get("variant_id") is not None:
                    product, variant = self.find_variant(variant_id=item["variant_id"])
                elif item.get("sku") is not None:
                    product, variant = self.find_variant(sku=item["sku"])
                elif item.get("product_id") is not None:
                    product = self.get_product(item["product_id"])
                    variant = product["variants"][0]
                else:
                    _errors_add(errors, prefix + "variant_id", "a product is required")
                    continue
            except (ApiError, TypeError):
                _errors_add(errors, prefix + "variant_id", "unknown product or variant")
                continue
            try:
                price = money(item.get("price", variant["price"]))
            except ValueError as exc:
                _errors_add(errors, prefix + "price", str(exc))
                continue
            try:
                discount = money(item.get("discount", "0"))
                if Decimal(discount) > 100:
                    raise ValueError("must be a percentage, at most 100")
            except ValueError as exc:
                _errors_add(errors, prefix + "discount", str(exc))
                continue
            line = {
                "id": self.next_id("line"),
                "product_id": product["id"],
                "variant_id": variant["id"],
                "sku": variant["sku"],
                "quantity": quantity,
                "price": price,
                "discount": discount,
            }
            if "taxes" in item:
                line["taxes"] = _line_taxes(line, item["taxes"], errors, prefix)
            lines.append(line)
        return lines

    def _order_payments(self, items: Any, errors: dict[str, list[str]]) -> list[Record]:
        """Transactions given in a request: ``gateway``, ``kind`` (one of
        :data:`PAYMENT_KINDS`) and ``amount``; ids are the store's."""
        if not isinstance(items, list):
            _errors_add(errors, "payments", "must be a list")
            return []
        payments = []
        for index, item in enumerate(items):
            prefix = f"payments[{index}]."
            if not isinstance(item, dict):
                _errors_add(errors, f"payments[{index}]", "must be an object")
                continue
            _check_unknown(errors, item, _PAYMENT_FIELDS, prefix)
            gateway, kind = item.get("gateway"), item.get("kind", "capture")
            if not isinstance(gateway, str) or not gateway.strip():
                _errors_add(errors, prefix + "gateway", "is required")
                continue
            if kind not in PAYMENT_KINDS:
                _errors_add(errors, prefix + "kind", f"must be one of {PAYMENT_KINDS}")
                continue
            try:
                amount = money(item.get("amount"))
            except ValueError as exc:
                _errors_add(errors, prefix + "amount", str(exc))
                continue
            payments.append(self.payment(gateway, kind, amount, item.get("id")))
        return payments

    def skew_total(self, order_id: int, delta: Decimal) -> Record:
        """Move an order's total away from its lines by ``delta`` (an
        ``order.updated``); kept until its lines or payments change."""
        with self.lock:
            order = copy.deepcopy(self.get_order(order_id))
            order["total"] = str((Decimal(order["total"]) + delta).quantize(_CENT))
            if "payments" in order:
                _set_payments(order, None)
            stamp = self.clock.now_us()
            order["updated_at"] = format_us(stamp)
            self.orders.put(order_id, order, stamp)
            self._persist("orders", order_id, order)
            self._emit("order.updated", order)
            return order

    def payment(
        self, gateway: str, kind: str, amount: str, payment_id: Any = None
    ) -> Record:
        """One successful transaction (a new id unless ``payment_id``)."""
        if isinstance(payment_id, bool) or not isinstance(payment_id, int):
            payment_id = self.next_id("payment")
        return {
            "id": payment_id,
            "gateway": gateway,
            "kind": kind,
            "amount": amount,
            "status": "success",
            "created_at": format_us(self.clock.now_us()),
        }

    def add_payment(self, order_id: int, gateway: str, kind: str, amount: str):
        """Record a transaction on an order (an ``order.updated``, and an
        ``order.paid`` when it makes the order paid)."""
        with self.lock:
            current = self.get_order(order_id)
            payments = list(current.get("payments") or [])
            payments.append(self.payment(gateway, kind, amount))
            return self.update_order(order_id, {"payments": payments}, partial=True)

    # -- bulk helpers for the admin simulations --------------------------

    def touch_products(self, ids: list[int], rng: Any) -> list[Record]:
        """Change description and price of the given products."""
        touched = []
        with self.lock:
            for pid in ids:
                product = self.get_product(pid)
                price = (
                    Decimal(product["price"]) + Decimal(rng.randint(-200, 500)) / 100
                )
                price = max(price, Decimal("0.50"))
                touched.append(
                    self.update_product(
                        pid,
                        {
                            "description": f"{product['title']} "
                            f"(revision {rng.randint(1, 10**6)})",
                            "price": str(price),
                        },
                        partial=True,
                    )
                )
        return touched
