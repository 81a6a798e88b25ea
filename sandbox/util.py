"""Small shared helpers: the monotonic clock, ISO 8601 handling, JSON, money.

Timestamps are kept internally as integers (microseconds since the epoch) so
that comparisons and index look-ups are cheap, and rendered in one fixed
format (``2026-11-28T09:00:00.123456Z``) whose lexical order is its
chronological order.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_CENT = Decimal("0.01")


class MonotonicClock:
    """Hands out strictly increasing microsecond timestamps.

    The contract says ``updated_at`` strictly increases on every change, even
    for two changes within one microsecond, so each call returns at least the
    previous value plus one microsecond, whatever the wall clock says.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def now_us(self) -> int:
        with self._lock:
            value = max(time.time_ns() // 1000, self._last + 1)
            self._last = value
            return value

    def advance_to(self, value_us: int) -> None:
        """Never hand out a value at or below ``value_us`` (loaded data)."""
        with self._lock:
            self._last = max(self._last, value_us)


def format_us(value_us: int) -> str:
    seconds, micros = divmod(value_us, 1_000_000)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{stamp}.{micros:06d}Z"


def parse_iso(text: str) -> int:
    """Parse an ISO 8601 date-time into epoch microseconds.

    Accepts ``Z`` or a numeric offset, with or without fractional seconds; a
    value without an offset is taken as UTC. Raises ``ValueError``.
    """
    value = text.strip()
    if not value:
        raise ValueError("empty timestamp")
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    # A '+' in a query string often arrives decoded as a space.
    if len(value) > 19 and value[-6] == " ":
        value = value[:-6] + "+" + value[-5:]
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    delta = parsed - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def dumps(value: object) -> str:
    """Compact JSON, as the server sends it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def money(value: object) -> str:
    """Normalise a price given as a string or number to a 2-decimal string.

    Raises ``ValueError`` for anything that is not a finite, non-negative
    amount.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError("must be a decimal string")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError("must be a decimal string") from exc
    if not amount.is_finite() or amount < 0:
        raise ValueError("must be a non-negative amount")
    return str(amount.quantize(Decimal("0.01")))


def line_subtotal(line: dict) -> Decimal:
    """A line's ``price * quantity`` less its ``discount`` (a percentage),
    rounded half up to the cent: the base its taxes are computed on."""
    gross = Decimal(line["price"]) * line["quantity"]
    discount = Decimal(line.get("discount") or 0)
    return (gross * (100 - discount) / 100).quantize(_CENT, ROUND_HALF_UP)


def tax_amount(base: Decimal, rate: object, included: bool) -> Decimal:
    """The tax on ``base`` at ``rate`` percent, to the cent: added to the
    base, or the part of it that is tax when prices include the tax (the net
    amount rounded, the tax the rest, as accounting systems split it)."""
    rate = Decimal(str(rate))
    if included:
        return base - (base * 100 / (100 + rate)).quantize(_CENT, ROUND_HALF_UP)
    return (base * rate / 100).quantize(_CENT, ROUND_HALF_UP)


def order_total(lines: list[dict]) -> str:
    """An order's total: each line's subtotal (:func:`line_subtotal`) plus
    the taxes its prices do not include, rounded per line, then summed (how
    an accounting system rounds per line)."""
    total = Decimal(0)
    for line in lines:
        total += line_subtotal(line)
        for tax in line.get("taxes") or ():
            if not tax["price_included"]:
                total += Decimal(tax["amount"])
    return str(total.quantize(_CENT))


def order_tax_total(lines: list[dict]) -> str:
    """The taxes of an order's lines, included in their prices or not."""
    amounts = (Decimal(t["amount"]) for x in lines for t in x.get("taxes") or ())
    return str(sum(amounts, Decimal(0)).quantize(_CENT))


def financial_status(total: str, payments: list[dict]) -> str:
    """An order's financial status from its transactions: ``pending`` (none),
    ``authorized`` (authorised, nothing captured), ``paid``,
    ``partially_paid`` (captured less than the total) or ``refunded``."""
    captured = sum(
        (Decimal(p["amount"]) for p in payments if p["kind"] == "capture"),
        Decimal(0),
    )
    refunded = sum(
        (Decimal(p["amount"]) for p in payments if p["kind"] == "refund"),
        Decimal(0),
    )
    if refunded and refunded >= captured:
        return "refunded"
    if captured >= Decimal(total) and captured:
        return "paid"
    if captured:
        return "partially_paid"
    if any(p["kind"] == "authorization" for p in payments):
        return "authorized"
    return "pending"
