# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The connections of the shared stores, one per database, purpose and process.

The rate budget, the OAuth2 token and the sync runs' call counts live in
tables of the Odoo database (``transport.pgstore.SCHEMA``), read and written
through connections of their own in autocommit, never through a job's cursor
(see ``pgstore``). This module opens them with the parameters Odoo uses for
that database, so every worker of every host that serves the database shares
the same state. Each process holds at most two per database: one for the
rate buckets and the call counts (one short statement each), one for the
OAuth2 tokens (whose refresh keeps a transaction open while it fetches).
"""

import threading

from odoo.sql_db import connection_info_for

from .transport import PgBucketStore, PgCallCounter, PgConnection, PgTokenStore

_lock = threading.Lock()
_connections = {}


def _connection(dbname, purpose):
    with _lock:
        connection = _connections.get((dbname, purpose))
        if connection is None:
            params = connection_info_for(dbname)[1]
            connection = _connections[(dbname, purpose)] = PgConnection(**params)
        return connection


def shared_connection(dbname):
    """The autocommit connection of database ``dbname`` for short reads and
    writes outside any job's transaction (it sees every commit)."""
    return _connection(dbname, "rate")


def bucket_store(dbname):
    """The rate-bucket store of database ``dbname``."""
    return PgBucketStore(shared_connection(dbname))


def token_store(dbname):
    """The OAuth2 token store of database ``dbname``."""
    return PgTokenStore(_connection(dbname, "oauth2"))


def call_counter(dbname):
    """The sync runs' call counts of database ``dbname``."""
    return PgCallCounter(shared_connection(dbname))
