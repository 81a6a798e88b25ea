# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Remote timestamps, kept exact.

Odoo's ``Datetime`` fields drop microseconds, so two remote changes within one
second would compare equal and the second would be skipped as "not newer".
Remote ``updated_at`` values are therefore kept as canonical UTC strings,
``YYYY-MM-DDTHH:MM:SS.ffffffZ``, whose text order is their time order.
Plain Python: no Odoo import.
"""

from datetime import datetime, timezone

CANONICAL = "%Y-%m-%dT%H:%M:%S.%fZ"


def parse_timestamp(value):
    """An aware UTC datetime from an ISO 8601 string or a datetime.

    Naive values are taken as UTC. Raises ``ValueError`` on anything else,
    with the value in the message.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as err:
            raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from err
    else:
        raise ValueError(f"not a timestamp: {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def canonical_timestamp(value):
    """The canonical string of a timestamp, or ``False`` for an empty one."""
    if not value:
        return False
    return parse_timestamp(value).strftime(CANONICAL)


def to_odoo_datetime(value):
    """A naive UTC datetime (what an Odoo ``Datetime`` field holds, shown in
    the user's time zone) from a stored timestamp string; ``False`` for an
    empty or unreadable one: display must never fail on a bad value."""
    if not value:
        return False
    try:
        return parse_timestamp(value).replace(tzinfo=None, microsecond=0)
    except ValueError:
        return False
