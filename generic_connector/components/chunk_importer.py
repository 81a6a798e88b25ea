# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The chunk importer: the work of one chunk job of a batch import.

``GenericChunkImporter`` (usage ``chunk.importer``) imports a chunk of
remote records (their data, walked by the batch importer). Each record is
prepared by its record importer (checked, skipped when not newer, mapped) in
a savepoint of its own, where an existing binding is written too. The new
records are then created by one ``create()`` of the whole list, bound in the
same statement, so that Odoo's per-create work (variants, caches) is done
once per chunk, and their after-import work is done together too (the record
importer's ``_after_import_batch``). When that batch fails, it is rolled back
and its records are imported one by one instead.

Records listed as stubs, or with parts at sub-resources, are first made
whole by the adapter (``complete_records``); one the remote no longer has is
archived.

Whether a resource's new records may be created in one batch is declared by
its record importer (``_batch_create``): one that binds an existing Odoo
record instead of creating one, say, sets it to False.

A record that fails on its data is rolled back alone and re-run in its own
``import_record`` job, where the failure and its reason stay visible;
network and rate-limit errors retry the whole chunk, which is harmless since
nothing was committed.

A chunk can also be planned (``plan``): each record is decided by its
record importer as the import would (skip, update, bind an existing Odoo
record, create) and nothing is kept; an applied plan then imports the same
records with the same decisions (``work.planned``).

Registered in no collection: every connector uses it as it is.
"""

import contextlib
import json
import logging

from psycopg2 import OperationalError

from odoo import _

from odoo.addons.component.core import Component
from odoo.addons.queue_job.exception import RetryableJobError

from ..exceptions import failure_kind
from ..jobs import bound_concurrently
from ..transport import TransportError

_logger = logging.getLogger(__name__)


class _Discard(Exception):
    """Rolls a plan's savepoint back: a plan keeps nothing it touched."""


class GenericChunkImporter(Component):
    _name = "generic.chunk.importer"
    _inherit = ["base.importer", "generic.base"]
    _usage = "chunk.importer"

    def run(self, records, sync_run, run_key=None, isolate=True, gone=()):
        """Import ``records`` of the run ``run_key``, counted in its
        ``sync_run`` (maybe empty); return the job's message. ``counts``
        holds what was created, updated and skipped; ``outcomes`` ``{external
        id: (outcome, message)}`` what became of each record.

        ``isolate``: a record that fails on its data goes to its own job;
        False keeps it in ``failed`` ``{external id: error}`` instead, for
        the caller to handle (nothing of it is kept). ``gone``: ids of
        records the remote no longer has, archived with the others."""
        self.sync_run, self.run_key, self.isolate = sync_run, run_key, isolate
        self.counts = {"created": 0, "updated": 0, "skipped": 0}
        self.outcomes, self.failed = {}, {}
        #: {external id: remote updated_at} of the records created, updated
        #: or archived: the changes the run found (``_note_changes``)
        self.changed = {}
        self.isolated = []
        records = self._complete(records, gone)
        bindings = self._chunk_bindings(records)
        self.work.chunk_cache["bindings"] = bindings
        self.work.chunk_cache["export_waiting"] = self._export_waiting(bindings)
        self.component(usage="record.importer")._prefetch_chunk(records)
        # The records' locks in one statement; one taken by another job is
        # tried again by its record's importer (which then retries the job).
        self.lock_records([str(record.get("id")) for record in records])
        new, updated = [], []
        for record in records:
            self._import_isolated(record, self._prepare, new, updated)
        if updated and not self._update_in_batch(updated):
            for _importer, _map_record, record in updated:
                self._import_isolated(record, self._import_alone)
        if new and not self._create_in_batch(new):
            for _importer, _values, record in new:
                self._import_isolated(record, self._import_alone)
        self._note_changes()
        return self._message()

    def _note_changes(self):
        """Hand the changes an incremental run found to the backend, which
        tells those no webhook announced (``_webhook_note_misses``)."""
        if self.changed and self.sync_run.watermark_before:
            self.backend_record._webhook_note_misses(
                self.model._name, self.changed, self.sync_run
            )

    def _complete(self, records, gone=()):
        """``records`` made whole by the adapter (stubs completed by their
        detail, sub-resources read: ``complete_records``, a few calls in
        flight at once); a record the remote no longer has (or one of
        ``gone``) is archived and counted as updated."""
        records, missing = self.backend_adapter.complete_records(records)
        for external_id in [*gone, *missing]:
            message = self.model._remote_deleted(self.backend_record, external_id)
            self.changed[str(external_id)] = None
            self.outcomes[str(external_id)] = ("updated", message)
            self.counts["updated"] += 1
        return records

    def _prepare(self, importer, record, new, updated=None):
        """Prepare ``record``: write it when bound (or when its importer
        creates records one by one), else add it to ``new``. A bound record
        whose importer runs the after-import work of several records at
        once (``_batch_update``) is written later, with the others, in
        ``updated``."""
        map_record = importer._prepare(str(record.get("id")), data=record)
        if map_record is None:
            return
        if importer.binding and importer._batch_update and updated is not None:
            updated.append((importer, map_record, record))
        elif importer.binding or not importer._batch_create:
            importer._finish(map_record)
        else:
            new.append((importer, importer._values_bound(map_record), record))

    def _import_alone(self, importer, record):
        importer.message = importer.run(str(record.get("id")), data=record)

    def _update_in_batch(self, updated):
        """Write the prepared bound records ``[(importer, map record,
        record)]``, then run their ``_after_import_batch`` (a product's
        variants: read and written for all at once, not per product), all
        in one savepoint; return False (nothing kept) when any of it fails,
        and the records are then imported one by one."""
        importers = [importer for importer, _map_record, _record in updated]

        def write():
            importers[0]._before_update_batch(importers)
            for importer, map_record, _record in updated:
                importer._finish(map_record, after_import=False)
            self.env["generic.binding.version"]._record(
                [importer.version_row for importer in importers],
                size=self.backend_record.timeline_size,
            )
            importers[0]._after_import_batch(importers)
            self.model._note_odoo_values(
                [(imp.binding, imp.synced_fields) for imp in importers]
            )

        return self._in_batch(write, importers, "updated")

    def _in_batch(self, step, importers, outcome):
        """Run ``step()`` for the prepared records of ``importers`` in one
        savepoint and count them as ``outcome``; return False when it failed
        on the data (nothing kept: the records are then imported one by one).
        Transient errors, and a record bound by another job meanwhile, retry
        the chunk."""
        try:
            with self.env.cr.savepoint():
                step()
        except Exception as err:
            self._data_error(err)
            _logger.info(
                "%s: the batch of %s %s records failed (%s): one by one",
                self.model._name,
                len(importers),
                "new" if outcome == "created" else outcome,
                err,
            )
            return False
        self.counts[outcome] += len(importers)
        for importer in importers:
            self.changed[importer.external_id] = importer.remote_updated_at
            self.outcomes[importer.external_id] = (outcome, importer.message)
        return True

    def _message(self):
        message = _(
            "created: %(created)s, updated: %(updated)s, skipped: %(skipped)s",
            **self.counts,
        )
        if self.isolated:
            message += _(
                "; isolated in their own job: %(ids)s", ids=", ".join(self.isolated)
            )
        return message

    def _chunk_bindings(self, records):
        """``{external id: binding or empty}`` of the chunk's records, read
        in one search (the record importers take them from there)."""
        ids = {str(record.get("id")) for record in records if isinstance(record, dict)}
        found = self.model.with_context(active_test=False).search(
            [
                ("backend_id", "=", self.backend_record.id),
                ("external_id", "in", list(ids)),
            ]
        )
        bindings = dict.fromkeys(ids, self.model.browse())
        bindings.update({binding.external_id: binding for binding in found})
        return bindings

    def _export_waiting(self, bindings):
        """``{binding id: whether a change made in Odoo waits for its
        export}`` of the chunk's bindings (``{external id: binding}``), in
        one query (the record importers' ``_check_no_pending_export``)."""
        found = self.model.browse([b.id for b in bindings.values() if b])
        waiting = self.env["generic.export.pending"]._waiting_ids(found)
        return {binding_id: binding_id in waiting for binding_id in found.ids}

    def _import_isolated(self, record, step, *args):
        """Run ``step(importer, record, *args)`` in a savepoint and count the
        importer's ``outcome``; on a data error, roll the record back alone
        and enqueue its own ``import_record`` job."""
        external_id = str(record.get("id"))
        try:
            with self.env.cr.savepoint():
                importer = self.component(usage="record.importer")
                importer.message = None
                step(importer, record, *args)
                if importer.outcome:
                    self.counts[importer.outcome] += 1
                    self.outcomes[external_id] = (
                        importer.outcome,
                        importer.message
                        or _("Skipped %(id)s: already up to date", id=external_id),
                    )
                if importer.outcome in ("created", "updated"):
                    self.changed[external_id] = importer.remote_updated_at
        except Exception as err:
            self._data_error(err)
            if not self.isolate:
                self.failed[external_id] = err
                return
            _logger.warning(
                "%s %s not imported, isolated in its own job: %s",
                self.model._name,
                external_id,
                err,
            )
            self.isolated.append(external_id)
            self._isolate(external_id, err)

    def _data_error(self, err):
        """Raise ``err`` again unless it is a failure of the data, which
        leaves the chunk to go on: transient errors (network, rate limit,
        the database's) and a record bound by another job meanwhile retry
        the whole chunk (``job_errors``), which kept nothing. What the
        chunk's cache holds may have been rolled back: it is emptied."""
        if isinstance(
            err, RetryableJobError | TransportError | OperationalError
        ) or bound_concurrently(err):
            raise err
        self.work.chunk_cache.clear()

    def _isolate(self, external_id, err):
        """Hand the record ``external_id`` to its own job, in the run."""
        backend, run_key = self.backend_record, self.run_key
        job = self.model.with_delay(
            description=_(
                "Import %(model)s %(id)s (isolated)",
                model=self.model._description,
                id=external_id,
            ),
            identity_key=f"{run_key}:{external_id}" if run_key else None,
            **backend._job_options(self.model._name),
        ).import_record(backend, external_id, run_key=run_key)
        self.sync_run._adopt([job])
        self.sync_run._note_failure(
            error_text(err), external_id, job=job, kind=failure_kind(err)
        )

    def _create_in_batch(self, new):
        """Create the prepared new records ``[(importer, values, record)]``
        with one ``create()``, then run their ``_after_import_batch``, all in
        one savepoint; return False (nothing kept) when any of it fails."""
        importers = [importer for importer, _values, _record in new]

        def create():
            model = self.model.with_context(connector_no_export=True)
            values_list = self._bound_to_matches(new)
            bindings = model.create(values_list)
            rows = []
            for importer, values, binding in zip(
                importers, values_list, bindings, strict=True
            ):
                importer._created_in_batch(binding)
                rows.append(importer._version(binding, values, {}))
            self.env["generic.binding.version"]._record(rows)
            importers[0]._after_import_batch(importers)
            self.model._note_odoo_values(
                [(imp.binding, imp.synced_fields) for imp in importers]
            )

        return self._in_batch(create, importers, "created")

    def _bound_to_matches(self, new):
        """The ``create()`` values of the prepared new records, each with
        the existing Odoo record it matches (``_matches``) as ``odoo_id``."""
        matches = new[0][0]._matches([(imp.external_id, vals) for imp, vals, _r in new])
        return [
            dict(values, odoo_id=match.id) if match else values
            for (_imp, values, _rec), match in zip(new, matches, strict=True)
        ]

    # Plans -------------------------------------------------------------------

    def plan(self, records):
        """What importing ``records`` would do, with nothing written: the
        ``generic.import.plan.line`` values of each (``external_id``,
        ``action``, ``res_id``, ``odoo_name``, ``reason``,
        ``remote_updated_at``, ``remote_data``).

        The record importers decide as in an import, in a savepoint rolled
        back at the end: what one imports to map its record (an order's
        customer) is read, then undone."""
        lines = []
        with contextlib.suppress(_Discard), self.env.cr.savepoint():
            lines = self._plan(records)
            raise _Discard
        return lines

    def _plan(self, records):
        records, gone = self.backend_adapter.complete_records(records)
        self.work.chunk_cache["bindings"] = self._chunk_bindings(records)
        lines = self._plan_archive(gone, _("gone from the platform"))
        new = []
        for record in records:
            importer = self.component(usage="record.importer")
            importer.planning = True
            line = self._plan_record(importer, record)
            if line is None:
                new.append((importer, record))
            else:
                lines.append(line)
        matches = (
            new[0][0]._matches(
                [(imp.external_id, imp.planned_values) for imp, _rec in new]
            )
            if new
            else []
        )
        for (importer, record), match in zip(new, matches, strict=True):
            if match:
                reason = _("same %(field)s", field=self._matched_on(importer, match))
                lines.append(self._plan_line(importer, record, "bind", match, reason))
            else:
                reason = _("no Odoo record matches it")
                lines.append(self._plan_line(importer, record, "create", None, reason))
        return lines

    def _plan_record(self, importer, record):
        """The plan line of ``record`` when its importer skips, updates or
        refuses it; None for a new record (its ``planned_values`` set), which
        is matched with the chunk's others."""
        try:
            with self.env.cr.savepoint():
                map_record = importer._prepare(str(record.get("id")), data=record)
        except (TransportError, OperationalError):
            raise
        except Exception as err:
            return self._plan_line(importer, record, "fail", None, error_text(err))
        if map_record is None:
            reason = _("not changed since the last import")
            return self._plan_line(importer, record, "skip", None, reason)
        if importer.binding:
            reason = _("changed on the platform since the last import")
            odoo = importer.binding.odoo_id
            return self._plan_line(importer, record, "update", odoo, reason)
        importer.planned_values = map_record.values()
        return None

    def _plan_archive(self, external_ids, reason):
        """Plan lines archiving the Odoo records bound to ``external_ids``."""
        bindings = self.model.with_context(active_test=False).search(
            [
                ("backend_id", "=", self.backend_record.id),
                ("external_id", "in", list(external_ids)),
            ]
        )
        return [
            {
                "external_id": binding.external_id,
                "action": "archive",
                "res_id": binding.odoo_id.id,
                "odoo_name": binding.odoo_id.display_name,
                "reason": reason,
            }
            for binding in bindings
        ]

    def _plan_line(self, importer, record, action, odoo, reason):
        return {
            "external_id": str(record.get("id")),
            "action": action,
            "res_id": odoo.id if odoo else False,
            "odoo_name": odoo.display_name if odoo else False,
            "reason": reason[:500],
            "remote_updated_at": getattr(importer, "remote_updated_at", None) or False,
            # Apply imports this data; a skipped or refused record needs none.
            "remote_data": action in ("create", "bind", "update")
            and json.dumps(record),
        }

    def _matched_on(self, importer, match):
        """The match field whose value ``match`` shares with the record."""
        for field in self.backend_record._match_fields(self.model._name):
            key = importer._match_key(field, importer.planned_values.get(field))
            if key is not None and key == importer._match_key(field, match[field]):
                return match._fields[field].string
        return "?"


def error_text(err):
    """What an admin reads about a record that failed: the transport's
    summary when it is one, else the error's own message."""
    return getattr(err, "summary", None) or str(err) or type(err).__name__
