"""Deterministic data generator.

``generate(n, seed)`` yields ``n`` products, ``n // 2`` customers (at least one
when ``n > 0``) and ``n`` orders, plus an inventory level per variant and
location. ``generate(n, seed, payments=True)`` gives the same orders taxes
per line and payments (a mix of gateways and financial statuses), drawn from
a generator of their own so the rest of the data set does not change.
Everything, timestamps included, derives from ``random.Random(seed)`` and a
fixed base date, so the same arguments always give the same data set.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from .catalog import has_own_image, image, seed_category
from .store import LOCATIONS
from .util import (
    financial_status,
    format_us,
    line_subtotal,
    money,
    order_tax_total,
    order_total,
    parse_iso,
    tax_amount,
)

_BASE_US = parse_iso("2025-01-01T00:00:00Z")
_HOUR_US = 3_600 * 1_000_000

_ADJECTIVES = (
    "Classic",
    "Deluxe",
    "Eco",
    "Compact",
    "Rugged",
    "Smart",
    "Vintage",
    "Modern",
    "Ultra",
    "Organic",
)
_NOUNS = (
    "Backpack",
    "Lamp",
    "Mug",
    "Chair",
    "Notebook",
    "Kettle",
    "Headphones",
    "Jacket",
    "Bottle",
    "Desk",
    "Sneakers",
    "Umbrella",
)
_VARIANT_TITLES = ("Small", "Medium", "Large", "Red", "Blue")
_FIRST = ("Alice", "Bob", "Chloé", "David", "Eva", "Farid", "Grace", "Hiro", "Ines")
_LAST = ("Martin", "Smith", "Dubois", "Garcia", "Nguyen", "Müller", "Rossi", "Khan")
_CITIES = (("Brussels", "BE"), ("Paris", "FR"), ("Austin", "US"), ("Lyon", "FR"))
# (title, rate, country, price included): the taxes of seeded orders.
TAXES = (
    ("VAT 21%", "21.00", "BE", True),
    ("TVA 20%", "20.00", "FR", True),
    ("Sales tax 8.25%", "8.25", "US", False),
    ("VAT 6%", "6.00", "BE", False),
)
GATEWAYS = ("stripe", "paypal", "bank_transfer")
# Financial statuses a seeded order may have, by its status.
_FINANCIAL = {
    "pending": ("pending", "authorized", "authorized"),
    "paid": ("paid", "paid", "paid", "partially_paid"),
    "fulfilled": ("paid",),
    "cancelled": ("pending",),
}


def add_payments(order: dict[str, Any], rng: random.Random, first_id: int) -> int:
    """Give a seeded ``order`` taxes (one per line, the same for the order;
    none for one order in five) and payments matching its status; return the
    next payment id."""
    tax = rng.choice(TAXES + (None,))
    for line in order["lines"]:
        line["taxes"] = []
        if tax:
            title, rate, country, included = tax
            amount = tax_amount(line_subtotal(line), rate, included)
            line["taxes"].append(
                {
                    "title": title,
                    "rate": rate,
                    "country": country,
                    "price_included": included,
                    "amount": str(amount),
                }
            )
    order["total"] = order_total(order["lines"])
    order["tax_total"] = order_tax_total(order["lines"])
    wanted = rng.choice(_FINANCIAL[order["status"]])
    gateway = rng.choice(GATEWAYS)
    payments = []
    if wanted != "pending":
        kind = "authorization" if wanted == "authorized" else "capture"
        amount = Decimal(order["total"])
        if wanted == "partially_paid":
            amount = (amount / 2).quantize(Decimal("0.01"))
        payments.append(
            {
                "id": first_id,
                "gateway": gateway,
                "kind": kind,
                "amount": str(amount),
                "status": "success",
                "created_at": order["created_at"],
            }
        )
    order["payments"] = payments
    order["amount_paid"] = (
        payments[0]["amount"] if wanted in ("paid", "partially_paid") else "0.00"
    )
    order["financial_status"] = financial_status(order["total"], payments)
    order["gateway"] = gateway if payments else None
    return first_id + len(payments)


def generate(n: int, seed: int, payments: bool = False) -> dict[str, Any]:
    rng = random.Random(seed)
    payment_rng = random.Random(seed * 7919 + 20)
    payment_id = 1
    products: list[dict[str, Any]] = []
    inventory: list[dict[str, Any]] = []
    latest = _BASE_US
    for pid in range(1, n + 1):
        created = _BASE_US + pid * _HOUR_US + rng.randint(0, 999_999)
        updated = created + rng.randint(0, 48) * _HOUR_US + rng.randint(1, 999_999)
        latest = max(latest, updated)
        title = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {pid}"
        variants = []
        for number in range(1, rng.choice((1, 1, 1, 2, 3)) + 1):
            vid = pid * 100 + number
            sku = f"SKU-{pid:05d}" if number == 1 else f"SKU-{pid:05d}-{number}"
            levels = []
            for location in LOCATIONS:
                available = rng.randint(0, 40)
                levels.append(available)
                inventory.append(
                    {
                        "variant_id": vid,
                        "sku": sku,
                        "location_id": location["id"],
                        "available": available,
                        "updated_at": format_us(updated),
                    }
                )
            variants.append(
                {
                    "id": vid,
                    "title": "Default"
                    if number == 1
                    else _VARIANT_TITLES[(number + pid) % len(_VARIANT_TITLES)],
                    "sku": sku,
                    "price": money(Decimal(rng.randint(199, 29_999)) / 100),
                    "stock": sum(levels),
                    "image": image(f"variant-{vid}") if has_own_image(vid) else None,
                }
            )
        products.append(
            {
                "id": pid,
                "title": title,
                "description": f"{title}: a sandbox product for connector tests.",
                "sku": variants[0]["sku"],
                "price": variants[0]["price"],
                "currency": "USD",
                "status": rng.choice(("active", "active", "active", "draft")),
                "variants": variants,
                "category_id": seed_category(pid),
                "image": image(f"product-{pid}"),
                "created_at": format_us(created),
                "updated_at": format_us(updated),
            }
        )

    customers = []
    address_id = 0
    for cid in range(1, (max(1, n // 2) if n else 0) + 1):
        created = _BASE_US + cid * _HOUR_US + rng.randint(0, 999_999)
        updated = created + rng.randint(1, 999_999)
        latest = max(latest, updated)
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        city, country = rng.choice(_CITIES)
        address_id += 1
        customers.append(
            {
                "id": cid,
                "email": f"customer{cid}@example.com",
                "first_name": first,
                "last_name": last,
                "phone": f"+1555{rng.randint(0, 9_999_999):07d}",
                "addresses": [
                    {
                        "id": address_id,
                        "address1": f"{rng.randint(1, 200)} Main Street",
                        "address2": None,
                        "city": city,
                        "province": None,
                        "zip": f"{rng.randint(1000, 99999)}",
                        "country_code": country,
                        "default": True,
                    }
                ],
                "created_at": format_us(created),
                "updated_at": format_us(updated),
            }
        )

    orders = []
    line_id = 0
    for oid in range(1, (n if customers else 0) + 1):
        created = _BASE_US + oid * _HOUR_US + rng.randint(0, 999_999)
        updated = created + rng.randint(1, 999_999)
        latest = max(latest, updated)
        lines = []
        for _ in range(rng.randint(1, 3)):
            product = products[rng.randrange(len(products))]
            variant = rng.choice(product["variants"])
            line_id += 1
            lines.append(
                {
                    "id": line_id,
                    "product_id": product["id"],
                    "variant_id": variant["id"],
                    "sku": variant["sku"],
                    "quantity": rng.randint(1, 4),
                    "price": variant["price"],
                    # Every seventh line is discounted, without drawing from
                    # the generator (the rest of the seed stays as it was).
                    "discount": "10.00" if line_id % 7 == 0 else "0.00",
                }
            )
        orders.append(
            {
                "id": oid,
                "number": f"#{1000 + oid}",
                "customer_id": rng.randint(1, len(customers)),
                "status": rng.choice(
                    ("pending", "paid", "paid", "fulfilled", "cancelled")
                ),
                "currency": "USD",
                "lines": lines,
                "total": order_total(lines),
                "created_at": format_us(created),
                "updated_at": format_us(updated),
            }
        )
        if payments:
            payment_id = add_payments(orders[-1], payment_rng, payment_id)

    return {
        "products": products,
        "customers": customers,
        "orders": orders,
        "inventory": inventory,
        "sequences": {
            "product": n + 1,
            "customer": len(customers) + 1,
            "order": len(orders) + 1,
            "line": line_id + 1,
            "payment": payment_id,
            "address": address_id + 1,
            "webhook": 1,
        },
        "max_updated_us": latest,
    }
