# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A stable digest of the values a record maps to.

Some APIs give no trustworthy "changed since": no filter on the list, no
``updated_at`` on the record, or one that a change of price or stock does not
move. A run then walks everything, and a record is skipped when the values it
maps to are the ones the binding last wrote: their digest is kept on the
binding (``sync_digest``) and compared (see ``GenericRecordImporter``).

The digest depends on the values only: key order, tuples or lists, set order
and number types that compare equal do not change it. Plain Python: no Odoo
import, tested without Odoo.
"""

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal


def values_digest(values):
    """The hex SHA-256 of ``values`` (a dict of mapped field values)."""
    text = json.dumps(
        _plain(values), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value):
    """``value`` as JSON-able data whose text is the same for equal values."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((_plain(item) for item in value), key=repr)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value)).normalize()
        return {"#n": str(number)}  # 2, 2.0 and Decimal("2.00") are one value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return repr(value)
