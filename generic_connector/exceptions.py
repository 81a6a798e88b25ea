# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The framework's error for malformed remote data. Plain Python."""


class RemoteDataError(ValueError):
    """A remote record the connector cannot import as it is.

    The message names the record, the field and what is wrong with it, for
    the admin who reads the failed job. A ``ValueError``, so code that
    catches data errors broadly keeps working. Importers and mappers raise
    it; the chunk job isolates the record in its own job, which fails with
    this message.
    """


def failure_kind(err):
    """Where the fix of a record that failed with ``err`` belongs:
    ``"remote"`` when its remote data is wrong (:class:`RemoteDataError`),
    ``"odoo"`` for anything else raised while importing it (a constraint, an
    archived or inactive record, a missing setting)."""
    return "remote" if isinstance(err, RemoteDataError) else "odoo"


def check_storable(value, where):
    """Raise :class:`RemoteDataError` if ``value`` (JSON-like data) holds text
    PostgreSQL refuses: a NUL character or an unpaired surrogate."""
    if isinstance(value, dict):
        for key, item in value.items():
            check_storable(key, where)
            check_storable(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_storable(item, f"{where}[{index}]")
    elif isinstance(value, str):
        reason = unstorable_reason(value)
        if reason:
            raise RemoteDataError(f"{where} {reason}")


def unstorable_reason(text):
    """Why PostgreSQL would refuse ``text`` (psycopg2 raises on a NUL; an
    unpaired surrogate cannot be encoded), or None."""
    if "\x00" in text:
        return "contains a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode"
    return None
