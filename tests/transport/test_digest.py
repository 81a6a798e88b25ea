"""The digest of mapped values (generic_connector/digest.py): equal values,
equal digests, whatever their order or number type; any change shows."""

from datetime import date, datetime
from decimal import Decimal

from generic_connector.digest import values_digest

VALUES = {
    "name": "Chair",
    "list_price": 19.9,
    "qty": 3,
    "active": True,
    "barcode": None,
    "attribute_value_ids": [(6, 0, [4, 2])],
    "tags": {"b", "a"},
    "date": date(2026, 1, 2),
}


def test_equal_values_have_one_digest_whatever_their_order_or_type():
    reordered = dict(reversed(list(VALUES.items())))
    reordered.update(
        list_price=Decimal("19.90"),
        qty=3.0,
        attribute_value_ids=[[6, 0, [4, 2]]],
        tags={"a", "b"},
    )
    assert values_digest(reordered) == values_digest(VALUES)
    assert len(values_digest(VALUES)) == 64


def test_any_change_of_a_synced_value_changes_the_digest():
    digests = {values_digest(VALUES)}
    for change in (
        {"list_price": 19.91},
        {"qty": 4},
        {"active": False},
        {"barcode": ""},
        {"attribute_value_ids": [(6, 0, [2, 4])]},
        {"tags": {"a"}},
        {"date": datetime(2026, 1, 2, 0, 0)},
        {"name": "chair"},
        {"extra": None},
    ):
        digests.add(values_digest({**VALUES, **change}))
    assert len(digests) == 10


def test_true_and_one_stay_apart():
    assert values_digest({"a": True}) != values_digest({"a": 1})
    assert values_digest({"a": "1"}) != values_digest({"a": 1})
    assert values_digest({"a": "#2"}) != values_digest({"a": 2})
