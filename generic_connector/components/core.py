# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The root of the framework's components, and the shared lookup rows.

Every component of the framework inherits ``generic.base``. A connector adds
its own root (``_name = "myconnector.base"``, ``_collection`` set to its
backend model) and inherits both.

The job error policy (``job_errors``...) lives in :mod:`..jobs`, which
models import too; it is re-exported here for the connectors that import it
from this module.
"""

import hashlib
import struct

from psycopg2 import IntegrityError
from psycopg2.extensions import TransactionRollbackError

from odoo.addons.component.core import AbstractComponent
from odoo.addons.connector.database import pg_try_advisory_lock
from odoo.addons.queue_job.exception import RetryableJobError

from ..jobs import (  # noqa: F401 (re-exported)
    OUTAGE_RESULTS,
    bound_concurrently,
    job_errors,
)
from ..shared_state import shared_connection


class SharedRowRace(RetryableJobError):
    """Another job is creating, or created after this job began, a shared
    lookup row this job needs: the job is retried (see :func:`find_or_create`),
    without using up its retries, since the other job's commit is all the
    retry needs. Never a record failure: ``import_chunk`` re-raises it."""

    def __init__(self, msg, seconds=2):
        super().__init__(msg, seconds=seconds, ignore_retry=True)


def find_or_create(model, field_name, keys, values=None):
    """``{key: record}`` of the ``model`` rows whose ``field_name`` is each
    of ``keys`` (and whose fields are ``values``, e.g. the attribute of an
    attribute value), created when missing: the shared lookup rows (option
    values, categories, tags, taxes) that chunk jobs running at once may all
    need at the same time. Archived rows count as found.

    Jobs run in REPEATABLE READ: a row another job committed after ours
    began is invisible to every search of ours, so no "search, create, on a
    unique violation search again" can find it, and a table without a unique
    constraint would get a duplicate. What is done instead:

    * the rows our snapshot has are found in one search;
    * each missing key is claimed with a transaction-level advisory lock,
      in sorted order, taken with ``pg_try_advisory_xact_lock``: never
      waited for, since a job that waits for one row while holding another
      is how two chunks deadlock. A key another job holds (it is creating
      that row now) makes this job a :class:`SharedRowRace` retry;
    * with the keys claimed, the same search is asked of the committed
      state, through the shared stores' own connection (autocommit, so it
      sees every commit): a row committed after our snapshot was taken makes
      this job a :class:`SharedRowRace` retry too, before any ``INSERT``
      could fail on it (and log an error);
    * otherwise nobody can be creating those keys: they are created in one
      ``create()`` in a savepoint. Should that still fail on a unique
      violation or a serialization failure (a writer not using this helper),
      the job is retried as usual (a ``RetryableJobError`` counted against
      its retries: a conflict that is not a race must end, and say so).

    The retry runs in a new snapshot, which has the row. So two jobs needing
    the same new row never deadlock on it, never both create it, and never
    fail a record for it: the one that comes second is retried as a whole.
    """
    model = model.with_context(active_test=False)
    values = values or {}
    keys = list(dict.fromkeys(keys))
    domain = [(name, "=", value) for name, value in values.items()]
    found = {}
    if keys:
        existing = model.search(domain + [(field_name, "in", keys)])
        found = {record[field_name]: record for record in existing}
    missing = sorted(key for key in keys if key not in found)
    if not missing:
        return found
    scope = ",".join(f"{name}={value}" for name, value in sorted(values.items()))
    for key in missing:
        if not pg_try_advisory_lock(
            model.env, f"shared_row({model._name},{scope},{field_name}={key})"
        ):
            raise SharedRowRace(f"{model._description} {key!r} is being created")
    code, params = model._search(domain + [(field_name, "in", missing)]).select()
    with shared_connection(model.env.cr.dbname).cursor() as cr:
        cr.execute(f"SELECT EXISTS({code})", params)
        if cr.fetchone()[0]:
            raise SharedRowRace(
                f"{model._description} created by another job meanwhile"
            )
    try:
        with model.env.cr.savepoint():
            created = model.create([{**values, field_name: key} for key in missing])
    except (IntegrityError, TransactionRollbackError) as err:
        raise RetryableJobError(
            f"{model._description} {missing!r:.80} could not be created: {err}",
            seconds=2,
        ) from err
    found.update({record[field_name]: record for record in created})
    return found


class GenericBase(AbstractComponent):
    _name = "generic.base"
    _inherit = "base.connector"
    _collection = None

    def _record_lock_name(self, external_id):
        backend = self.backend_record
        return f"import({backend._name},{backend.id},{self.model._name},{external_id})"

    def lock_record(self, external_id, retry_seconds=2):
        """Take the transaction-level advisory lock of one remote record, or
        retry the job later. Importers and exporters take the same lock, so
        an import and an export of one record never interleave. Nothing to
        do for a record of the chunk's ``lock_records``."""
        cache = getattr(self.work, "chunk_cache", None) or {}
        if str(external_id) in cache.get("locked", ()):
            return
        self.advisory_lock_or_retry(
            self._record_lock_name(external_id), retry_seconds=retry_seconds
        )

    def lock_records(self, external_ids):
        """Take the locks of ``lock_record`` for many records in one
        statement (a chunk's, not one query per record); those taken are
        kept in the chunk's cache, for ``lock_record``. Whether all were."""
        keys = [
            struct.unpack(
                "q", hashlib.sha1(self._record_lock_name(i).encode()).digest()[:8]
            )[0]
            for i in external_ids
        ]
        if not keys:
            return True
        self.env.cr.execute(
            "SELECT k, pg_try_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k",
            (keys,),
        )
        taken = {key for key, acquired in self.env.cr.fetchall() if acquired}
        cache = getattr(self.work, "chunk_cache", None)
        if cache is not None:
            cache.setdefault("locked", set()).update(
                str(i)
                for i, key in zip(external_ids, keys, strict=True)
                if key in taken
            )
        return len(taken) == len(set(keys))
