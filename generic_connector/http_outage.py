# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook routes answer 503 with ``Retry-After`` while the database is out.

When PostgreSQL is unreachable, Odoo 17 cannot list or open the database,
falls back to its database-free routes and answers 404 (or 500 when the
connection drops in the middle of a request). A webhook sender reads 404 as
"this endpoint is gone" and may disable it; 503 with ``Retry-After`` says
"come back later", which every platform honours. Nothing is acknowledged
that was not committed, so the retry loses nothing.

:func:`answer_unavailable_on` registers a path prefix (a connector's webhook
routes); ``odoo.http.Request._serve_nodb`` and ``_serve_db`` are wrapped once,
when this module is imported, and change nothing for any other path. The
wrappers live in every worker that loaded the addons: Odoo's prefork server
loads the registry of ``db_name`` before forking its workers.

The same 503 answers a server where no database can be chosen for the route
(several databases and neither ``dbfilter`` nor ``db_name``): the delivery is
kept by the platform until an administrator fixes the configuration, where a
404 would have made it give up.
"""

import json
import logging

import psycopg2
import psycopg2.pool

from odoo import http

_logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
DATABASE_ERRORS = (
    psycopg2.OperationalError,
    psycopg2.InterfaceError,
    psycopg2.pool.PoolError,
)
_prefixes = set()


def answer_unavailable_on(prefix):
    """Answer 503 + ``Retry-After`` on paths starting with ``prefix`` while
    no database can serve them."""
    _prefixes.add(prefix)


def _guarded(request):
    path = request.httprequest.path
    return any(path.startswith(prefix) for prefix in _prefixes)


def unavailable_response(reason):
    _logger.warning("Webhook answered 503: %s", reason)
    return http.Response(
        json.dumps({"status": "unavailable, retry later"}),
        status=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        content_type="application/json",
    )


def _serve_nodb(self):
    if _guarded(self):
        return unavailable_response(
            "no database (PostgreSQL unreachable, or no dbfilter/db_name "
            "selecting one)"
        )
    return _serve_nodb.original(self)


def _serve_db(self):
    try:
        return _serve_db.original(self)
    except DATABASE_ERRORS as err:
        if not _guarded(self):
            raise
        return unavailable_response(f"database error {type(err).__name__}: {err}")


def _install():
    request_class = http.Request
    if getattr(request_class._serve_db, "original", None):
        return  # the module was imported again (tests, reloads)
    _serve_nodb.original = request_class._serve_nodb
    _serve_db.original = request_class._serve_db
    request_class._serve_nodb = _serve_nodb
    request_class._serve_db = _serve_db


_install()
