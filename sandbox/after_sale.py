"""What happens to an order after it is placed: fulfilments and refunds.

Both live inside their order, as the platform returns it (``fulfillments``
and ``refunds``, absent on an order that has none), and are listed and
created under ``/api/v1/orders/<id>/fulfillments`` and ``.../refunds``.

* A **fulfilment** ships some quantity of some lines (a partial shipment),
  with a carrier (``tracking_company``) and a ``tracking_number``. Lines left
  out of the request are everything not shipped yet. The platform refuses,
  422 with the line named, to ship more of a line than was ordered; a
  cancelled order cannot be fulfilled (409). ``reference`` is the client's
  own key for the shipment (an ERP's delivery): a client that is not sure
  its first request went through lists the fulfilments and looks for it.
* A **refund** gives back money for some quantity of some lines (each
  line's amount is its net unit price times the quantity, rounded half up
  to the cent, how the order's total was computed, and the line's taxes on
  it; the total adds the taxes the prices do not include), plus an amount of
  shipping, and says whether the goods are restocked. The platform refuses
  to refund more of a line than was ordered. Stock is not changed here: the
  ERP that receives the goods back is the stock's master.

Each creation bumps the order's ``updated_at`` and emits
``fulfillment.created`` or ``refund.created`` with the new record (which
carries its ``order_id``).
"""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from .errors import ApiError, invalid
from .util import format_us, money, tax_amount

if TYPE_CHECKING:
    from .store import Record, Store

_CENT = Decimal("0.01")
_FULFILMENT_FIELDS = ("lines", "tracking_company", "tracking_number", "reference")
_REFUND_FIELDS = ("lines", "shipping", "restock", "note")
_LINE_FIELDS = ("line_id", "quantity")


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _object(data: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ApiError(400, "Request body must be a JSON object")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise invalid({name: ["unknown field"] for name in unknown})
    return data


def _done(order: Record, kind: str) -> dict[int, int]:
    """Quantity of each line already fulfilled (or refunded)."""
    done: dict[int, int] = {}
    for record in order.get(kind) or ():
        for line in record["lines"]:
            done[line["line_id"]] = done.get(line["line_id"], 0) + line["quantity"]
    return done


def _requested(
    order: Record, items: Any, kind: str, errors: dict[str, list[str]]
) -> list[tuple[Record, int]]:
    """``(order line, quantity)`` pairs of the request, checked against what
    was ordered and what ``kind`` (fulfillments, refunds) already took."""
    lines = {line["id"]: line for line in order["lines"]}
    done = _done(order, kind)
    if items is None:
        # Everything left: what a "ship it all" button sends.
        return [
            (line, line["quantity"] - done.get(line["id"], 0))
            for line in order["lines"]
            if line["quantity"] > done.get(line["id"], 0)
        ]
    if not isinstance(items, list):
        _add(errors, "lines", "must be a list")
        return []
    wanted: list[tuple[Record, int]] = []
    asked: dict[int, int] = {}
    for index, item in enumerate(items):
        prefix = f"lines[{index}]"
        if not isinstance(item, dict):
            _add(errors, prefix, "must be an object")
            continue
        for name in sorted(set(item) - set(_LINE_FIELDS)):
            _add(errors, f"{prefix}.{name}", "unknown field")
        line = lines.get(item.get("line_id"))
        quantity = item.get("quantity")
        if line is None:
            _add(errors, f"{prefix}.line_id", "is not a line of this order")
            continue
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            _add(errors, f"{prefix}.quantity", "must be an integer of at least 1")
            continue
        asked[line["id"]] = asked.get(line["id"], 0) + quantity
        left = line["quantity"] - done.get(line["id"], 0)
        if asked[line["id"]] > left:
            verb = "fulfilled" if kind == "fulfillments" else "refunded"
            _add(
                errors,
                f"{prefix}.quantity",
                f"line {line['id']} ({line['sku']}): {line['quantity']} ordered, "
                f"{done.get(line['id'], 0)} {verb} already, "
                f"{asked[line['id']]} more is too many",
            )
            continue
        wanted.append((line, quantity))
    return wanted


def _line_amount(line: Record, quantity: int) -> Decimal:
    gross = Decimal(line["price"]) * quantity
    discount = Decimal(line.get("discount") or 0)
    return (gross * (100 - discount) / 100).quantize(_CENT, ROUND_HALF_UP)


def _refund_line(line: Record, quantity: int) -> dict[str, Any]:
    """A refunded line: its amount (:func:`_line_amount`) and the taxes of
    the order's line on it, computed as the order's were (a tax the price
    does not include is added to the refund's total)."""
    amount = _line_amount(line, quantity)
    taxes = [
        {
            "title": tax["title"],
            "rate": tax["rate"],
            "country": tax["country"],
            "price_included": tax["price_included"],
            "amount": str(tax_amount(amount, tax["rate"], tax["price_included"])),
        }
        for tax in line.get("taxes") or ()
    ]
    return {
        "line_id": line["id"],
        "sku": line["sku"],
        "variant_id": line["variant_id"],
        "quantity": quantity,
        "amount": str(amount),
        "taxes": taxes,
    }


def _save(store: Store, order: Record, kind: str, record: Record, event: str) -> None:
    stamp = store.clock.now_us()
    record["created_at"] = format_us(stamp)
    new_order = copy.deepcopy(order)
    new_order[kind] = [*(order.get(kind) or []), record]
    new_order["updated_at"] = format_us(stamp)
    store.orders.put(order["id"], new_order, stamp)
    store._persist("orders", order["id"], new_order)
    store._emit(event, record)


def list_records(store: Store, order_id: int, kind: str) -> list[Record]:
    """The order's ``fulfillments`` or ``refunds``, oldest first."""
    with store.lock:
        return list(store.get_order(order_id).get(kind) or [])


def create_fulfillment(store: Store, order_id: int, data: Any) -> Record:
    """Ship some lines of an order (all that is left when ``lines`` is
    omitted); 422 beyond what was ordered, 409 on a cancelled order."""
    data = _object(data, _FULFILMENT_FIELDS)
    errors: dict[str, list[str]] = {}
    for name in ("tracking_company", "tracking_number", "reference"):
        value = data.get(name)
        if value is not None and not (isinstance(value, str) and len(value) <= 255):
            _add(errors, name, "must be a string of at most 255 characters")
    with store.lock:
        order = store.get_order(order_id)
        if order["status"] == "cancelled":
            raise ApiError(409, f"Order {order_id} is cancelled: nothing to fulfil")
        wanted = _requested(order, data.get("lines"), "fulfillments", errors)
        if not wanted and not errors:
            _add(errors, "lines", f"order {order_id} has nothing left to fulfil")
        if errors:
            raise invalid(errors)
        fulfillment = {
            "id": store.next_id("fulfillment"),
            "order_id": order_id,
            "status": "success",
            "tracking_company": data.get("tracking_company"),
            "tracking_number": data.get("tracking_number"),
            "reference": data.get("reference"),
            "lines": [
                {"line_id": line["id"], "sku": line["sku"], "quantity": quantity}
                for line, quantity in wanted
            ],
        }
        _save(store, order, "fulfillments", fulfillment, "fulfillment.created")
        return fulfillment


def create_refund(store: Store, order_id: int, data: Any) -> Record:
    """Refund some quantity of some lines and some shipping; 422 beyond what
    was ordered, or when nothing at all is refunded."""
    data = _object(data, _REFUND_FIELDS)
    errors: dict[str, list[str]] = {}
    shipping = Decimal(0)
    try:
        shipping = Decimal(money(data.get("shipping", "0")))
    except ValueError as exc:
        _add(errors, "shipping", str(exc))
    restock = data.get("restock", False)
    if not isinstance(restock, bool):
        _add(errors, "restock", "must be true or false")
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        _add(errors, "note", "must be a string")
    with store.lock:
        order = store.get_order(order_id)
        items = data.get("lines", [])
        wanted = _requested(order, items, "refunds", errors)
        if not wanted and not shipping and not errors:
            _add(errors, "lines", "a refund needs lines or an amount of shipping")
        if errors:
            raise invalid(errors)
        lines = [_refund_line(line, quantity) for line, quantity in wanted]
        total = shipping + sum(
            (
                Decimal(x["amount"])
                + sum(
                    (
                        Decimal(t["amount"])
                        for t in x["taxes"]
                        if not t["price_included"]
                    ),
                    Decimal(0),
                )
                for x in lines
            ),
            Decimal(0),
        )
        refund = {
            "id": store.next_id("refund"),
            "order_id": order_id,
            "restock": restock,
            "note": note,
            "lines": lines,
            "shipping": str(shipping.quantize(_CENT)),
            "total": str(total.quantize(_CENT)),
        }
        _save(store, order, "refunds", refund, "refund.created")
        return refund
