# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Importers: one record, and a whole resource in chunks.

``GenericRecordImporter`` (usage ``record.importer``) imports one remote
record: it takes a transaction-level advisory lock on the record (two jobs on
the same record do not race: the second retries), fetches the record unless
it was given, skips it when its ``updated_at`` is not newer than what the
binding last saw, waits (retries) while a change made in Odoo waits for its
export, imports its dependencies, maps it, creates or writes the binding and
binds it, and adds the version it applied to the binding's timeline
(``generic.binding.version``: the diff of the synced fields, the payload).
Running it twice changes nothing the second time.

``GenericBatchImporter`` (usage ``batch.importer``) walks the remote pages
lazily (one page in memory), or for a full walk the records of a bulk export
file, streamed (``GenericAdapter.iterate_bulk``, when the backend reads the
resource in bulk), and enqueues one job per chunk of records, with
the records' data, not one job per record. A chunk job imports its records one
by one, each inside a savepoint: a record whose data is bad is rolled back
alone and handed to its own ``import_record`` job, which fails visibly with
the reason, while the rest of the chunk is kept (the ``chunk.importer``,
``chunk_importer.py``).
"""

import json
import logging
from datetime import date

from odoo import _, fields

from odoo.addons.component.core import AbstractComponent
from odoo.addons.queue_job.exception import RetryableJobError

from ..digest import values_digest
from ..exceptions import RemoteDataError, check_storable
from ..jobs import JOB_DATA_FIELDS, EnqueuedJob
from ..timestamps import canonical_timestamp
from ..transport.graphql import ERRORS_KEY

_logger = logging.getLogger(__name__)

#: Decimals a float keeps in a timeline's diff: more than Odoo's precisions.
FLOAT_DIGITS = 6


class GenericSynchronizer(AbstractComponent):
    """Shared by importers and exporters: the adapter is the one of the
    protocol the backend chose for the resource
    (``generic.backend._adapter_usage``)."""

    _name = "generic.synchronizer"
    _inherit = ["base.synchronizer", "generic.base"]

    @property
    def _base_backend_adapter_usage(self):
        return self.backend_record._adapter_usage(self.model._name)


class GenericRecordImporter(AbstractComponent):
    _name = "generic.record.importer"
    _inherit = ["base.importer", "generic.synchronizer"]
    _usage = "record.importer"

    _updated_at_field = "updated_at"
    #: skip a record whose mapped values are those the binding last synced
    #: (their digest, ``sync_digest``): for APIs with no trustworthy
    #: ``updated_at``, whose runs walk everything
    _skip_unchanged_digest = False
    #: remote keys whose data join that digest: the parts of a record used
    #: beyond its mapper (its variants, its stock levels), whose change
    #: alone must not be skipped
    _digest_keys = ()
    #: whether the chunk importer may create this resource's new bindings
    #: with one ``create()`` of the whole chunk (``_values_bound``); False
    #: when ``_create`` does more than create (binds an existing record...)
    _batch_create = True
    #: whether the chunk importer may write this resource's bound records
    #: first and run their ``_after_import`` together, in
    #: ``_after_import_batch`` (all or none: a failure there imports the
    #: records one by one)
    _batch_update = False

    #: whether a new record may bind an Odoo record another backend bound
    #: (a contact is one person whatever the shop); False where a binding
    #: shapes its record (a template's options and variants are its
    #: backend's): such a record is matched only while nothing binds it
    _match_bound_elsewhere = False

    #: what the last ``run`` did: "created", "updated" or "skipped"
    outcome = None
    #: whether the last ``_prepare`` was forced (the data applied whatever
    #: the binding says it already has)
    force = False
    #: the message of the last ``_finish``
    message = None
    #: the fields of the prepared record a reconcile compares
    synced_fields = ()
    #: set by a plan (``chunk.importer``'s ``plan``): ``_prepare`` decides,
    #: nothing is written, so no lock is taken (a plan of 10,000 records
    #: would hold 10,000 in one transaction)
    planning = False
    #: a planned new record's mapped values (``values()``), matched later
    planned_values = None

    def run(self, external_id, data=None, force=False):
        """Import one record; return a short message of what was done."""
        map_record = self._prepare(external_id, data=data, force=force)
        if map_record is None:
            return _("Skipped %(id)s: already up to date", id=self.external_id)
        return self._finish(map_record)

    def _prepare(self, external_id, data=None, force=False):
        """Everything before the write: lock, fetch, checks, dependencies,
        mapping. Return the map record, or None (``outcome`` "skipped") when
        the binding already reflects the data; ``self.binding`` is the
        existing binding (empty when the record is new)."""
        self.external_id = str(external_id)
        self.outcome = None
        self.force = force
        if not self.planning:
            self._lock()
        self.remote_record = (
            data if data is not None else self.backend_adapter.get(external_id)
        )
        self.remote_updated_at = self._check_remote_record()
        self.binding = binding = self._existing_binding()
        if binding and not force and not binding._is_newer(self.remote_updated_at):
            self.outcome = "skipped"
            return None
        if binding:
            self._check_no_pending_export(binding)
        self._import_dependencies()
        map_record = self.mapper.map_record(self.remote_record)
        values = map_record.values()
        self.synced_fields = self.model._synced_fields(values, self._odoo_owned())
        # Written with the values, so that the next run and a reconcile can
        # tell what changed since.
        digest = self._sync_digest(values, self.remote_record)
        map_record.update(sync_digest=digest)
        if (
            self._skip_unchanged_digest
            and not force
            and binding
            and binding.sync_digest == digest
        ):
            self.outcome = "skipped"
            return None
        return map_record

    def _sync_digest(self, values, remote_record):
        """The ``sync_digest`` of mapped ``values`` of ``remote_record``,
        with its remote keys ``_digest_keys`` (the parts used beyond the
        mapper, whose change alone is a change)."""
        digested = dict(values)
        if self._digest_keys:
            digested[" remote"] = {
                key: remote_record.get(key) for key in self._digest_keys
            }
        return values_digest(digested)

    def _odoo_owned(self):
        """The fields Odoo owns of this resource (its declaration's
        ``odoo_owned``): written when a record is created, never after."""
        resource = self.backend_record._resource_of_model(self.model._name)
        return resource.odoo_owned if resource else ()

    def _existing_binding(self):
        """The binding of ``external_id``: from the chunk's one search when
        it read it (``chunk_cache["bindings"]``, each entry used once, so a
        record seen twice in a chunk is searched again), else searched.

        Not the binder's ``prefetch``, which keeps found bindings only: the
        chunk's new records, most of a first import, would each be searched
        again (one query per product in B1)."""
        cache = getattr(self.work, "chunk_cache", None) or {}
        prefetched = cache.get("bindings") or {}
        if self.external_id in prefetched:
            return prefetched.pop(self.external_id)
        return self.binder.to_internal(self.external_id)

    def _finish(self, map_record, after_import=True):
        """Write or create the binding of a prepared record, bind it and run
        ``_after_import`` (unless ``after_import`` is False: the chunk then
        runs it with its other records', ``_after_import_batch``, and
        records their timeline versions, ``version_row``, together); return
        the message of ``run``."""
        binding = self.binding
        if binding:
            values = map_record.values()
            before = self._synced_values(binding, values)
            self._update(binding, values)
            self.outcome, verb = "updated", _("Updated")
        else:
            values, before = map_record.values(for_create=True), {}
            binding = self._create(values)
            self.outcome, verb = "created", _("Created")
        self.binder.bind(
            self.external_id,
            binding,
            remote_updated_at=self.remote_updated_at,
            remote_record=self.remote_record,
        )
        self.version_row = self._version(binding, values, before)
        if after_import:
            self.env["generic.binding.version"]._record(
                [self.version_row],
                size=self.backend_record.timeline_size
                if self.outcome == "updated"
                else 0,
            )
        self.message = _("%(verb)s %(id)s", verb=verb, id=self.external_id)
        if after_import:
            self._after_import(binding)
            self.model._note_odoo_values([(binding, self.synced_fields)])
        return self.message

    def _synced_values(self, binding, values):
        """``{field: value}`` of ``binding`` for the synced fields among
        ``values``, as :func:`_comparable` (before they are written)."""
        return {
            name: _comparable(binding._fields[name], binding[name])
            for name in self._diffed_fields(binding, values)
        }

    def _diffed_fields(self, binding, values):
        """The fields of ``values`` a version's diff shows: the mapped ones,
        not the binding's own bookkeeping, nor x2many commands."""
        own = self.env["generic.binding"]._fields
        return [
            name
            for name in values
            if name in binding._fields
            and name not in own
            and binding._fields[name].type not in ("one2many", "many2many")
        ]

    def _version(self, binding, values, before):
        """The timeline row (``generic.binding.version._record``) of the
        ``values`` just written on ``binding``, whose synced values were
        ``before`` (empty for a new binding)."""
        synced = {
            name: _comparable(binding._fields[name], values[name])
            for name in self._diffed_fields(binding, values)
        }
        diff = {
            name: [before.get(name), new]
            for name, new in synced.items()
            if before.get(name) != new
        }
        backend = self.backend_record
        context = self.env.context
        run = getattr(self.work, "sync_run", None)
        return {
            "binding_model": binding._name,
            "binding_id": binding.id,
            "backend_model": backend._name,
            "backend_id": backend.id,
            "company_id": backend.company_id.id or None,
            "external_id": self.external_id,
            "outcome": self.outcome,
            "digest": values_digest(synced),
            "diff": json.dumps(diff, separators=(",", ":"), default=str),
            "payload": json.dumps(self.remote_record, separators=(",", ":")),
            "remote_updated_at": canonical_timestamp(self.remote_updated_at) or None,
            "run_id": run.id if run else None,
            "webhook_id": context.get("sync_webhook_id")
            or (getattr(self.work, "webhook_ids", None) or {}).get(self.external_id),
            "job_uuid": context.get("job_uuid"),
            "replay_of_id": context.get("binding_version_replay_of"),
        }

    def _values_bound(self, map_record):
        """``create()`` values of a prepared new record, bound already (the
        fields ``bind`` would write, in the same statement)."""
        values = map_record.values(for_create=True)
        values.update(
            self.binder._bind_values(
                self.external_id,
                self.model,
                remote_updated_at=self.remote_updated_at,
                remote_record=self.remote_record,
            )
        )
        return values

    def _created_in_batch(self, binding):
        """The chunk created and bound this prepared record's ``binding``
        (its ``_after_import`` runs with the others', in
        ``_after_import_batch``)."""
        self.binding = binding
        self.outcome = "created"
        self.message = _("%(verb)s %(id)s", verb=_("Created"), id=self.external_id)

    def _check_remote_record(self):
        """Raise :class:`RemoteDataError` for a record that cannot be stored
        (not an object, text PostgreSQL refuses, a bad ``updated_at``);
        return its ``updated_at``."""
        where = f"{self.model._description} {self.external_id}"
        if not isinstance(self.remote_record, dict):
            raise RemoteDataError(f"{where} is not a JSON object")
        check_storable(self.remote_record, where)
        if self.remote_record.get(ERRORS_KEY):
            # A GraphQL page answered this record with errors: it fails here,
            # alone, and is fetched again in its own job.
            raise RemoteDataError(
                _(
                    "Remote record %(id)s came with errors: %(errors)s",
                    id=self.external_id,
                    errors="; ".join(self.remote_record[ERRORS_KEY]),
                )
            )
        updated_at = self.remote_record.get(self._updated_at_field)
        try:
            canonical_timestamp(updated_at)
        except ValueError as err:
            raise RemoteDataError(
                f"{where} has an invalid {self._updated_at_field}: {err}"
            ) from err
        return updated_at

    def _lock(self):
        self.lock_record(self.external_id)

    def _check_no_pending_export(self, binding):
        """Retry later when a change made in Odoo waits for its export: the
        export goes first, so that a remote change of the same values is
        detected as a conflict (and imported then) instead of silently
        replacing Odoo's pending change. A chunk asks for all its bindings
        at once (``chunk_cache["export_waiting"]``)."""
        known = (getattr(self.work, "chunk_cache", None) or {}).get("export_waiting")
        if known and binding.id in known:
            waiting = known[binding.id]
        else:
            waiting = self.env["generic.export.pending"]._waiting(binding)
        if waiting:
            raise RetryableJobError(
                _(
                    "%(id)s has a change made in Odoo waiting for its export: "
                    "imported after it",
                    id=self.external_id,
                ),
                seconds=max(self.backend_record.export_delay, 1),
                ignore_retry=True,
            )

    def _create(self, values):
        """Create the binding, of the existing Odoo record the new remote
        record matches (``_matches``) when there is one."""
        match = self._matches([(self.external_id, values)])[0]
        if match:
            values = dict(values, odoo_id=match.id)
        return self.model.with_context(connector_no_export=True).create(values)

    def _matches(self, items):
        """For each new record ``(external id, mapped values)`` of
        ``items``, the unbound Odoo record it is (empty when none): the one
        an applied plan decided (``work.planned``, ``{binding model:
        {external id: Odoo id or False}}``; the work's dependencies, of
        other models, match as usual), else the first with the same value of
        the backend's match fields for the resource (``_match_fields``), in
        their order. Each Odoo record is matched once, so two remote records
        never bind the same one."""
        odoo = self.env[self.model._fields["odoo_id"].comodel_name]
        planned = (getattr(self.work, "planned", None) or {}).get(self.model._name)
        if planned is not None:
            return [odoo.browse(planned.get(ext) or ()) for ext, _values in items]
        found = [odoo.browse()] * len(items)
        for field in self.backend_record._match_fields(self.model._name):
            self._match_on(field, items, found)
        return found

    def _match_on(self, field, items, found):
        """Fill the empty places of ``found`` with the candidates whose
        ``field`` is the item's, each candidate once."""
        keys = {self._match_key(field, v.get(field)) for _e, v in items} - {None}
        if not keys:
            return
        by_key = {}
        for candidate in self._match_candidates(field, sorted(keys)).sorted("id"):
            by_key.setdefault(self._match_key(field, candidate[field]), candidate)
        taken = {record.id for record in found if record}
        for index, (_ext, values) in enumerate(items):
            match = by_key.get(self._match_key(field, values.get(field)))
            if not found[index] and match and match.id not in taken:
                found[index] = match
                taken.add(match.id)

    def _match_candidates(self, field, keys):
        """The Odoo records with ``field`` in ``keys`` that a new record may
        bind: not bound already (``_match_bound_elsewhere``)."""
        odoo = self.env[self.model._fields["odoo_id"].comodel_name]
        candidates = odoo.search(self._match_domain(field, keys))
        bound = [("odoo_id", "in", candidates.ids)]
        if self._match_bound_elsewhere:
            bound.append(("backend_id", "=", self.backend_record.id))
        return (
            candidates
            - self.model.with_context(active_test=False).search(bound).odoo_id
        )

    def _match_domain(self, field, keys):
        """The domain of the Odoo records whose ``field`` is one of
        ``keys`` (override for a case-insensitive or scoped match)."""
        return [(field, "in", keys)]

    def _match_key(self, field, value):
        """``value`` of ``field`` as matches compare it; None: no match
        on an empty value."""
        return value or None

    def _update(self, binding, values):
        """Write the mapped ``values`` on an existing binding, but for the
        fields Odoo owns (override to refuse or log a change Odoo must not
        take)."""
        odoo_owned = self._odoo_owned()
        values = {k: v for k, v in values.items() if k not in odoo_owned}
        values = self._changed_values(binding, values)
        if values:
            binding.with_context(connector_no_export=True).write(values)

    def _changed_values(self, binding, values):
        """``values`` but for the synced fields that already hold them.

        Writing a field again costs Odoo its whole write (inverses of the
        template's fields onto its variants, recomputations, cache
        invalidations) though nothing changes: a price change of a product
        must write its price, not its name, code and category again. The
        values read here are those ``_finish`` read for the timeline."""
        same = {
            name
            for name in self._diffed_fields(binding, values)
            if _comparable(binding._fields[name], binding[name])
            == _comparable(binding._fields[name], values[name])
        }
        return {k: v for k, v in values.items() if k not in same}

    def _import_dependencies(self):
        """Import the records this one needs first (override), with
        ``_import_dependency``."""

    def _import_dependency(self, external_id, binding_model, always=False):
        """Import the remote record ``external_id`` of ``binding_model`` in
        this job, unless it is bound already (``always``: import anyway; it
        is still skipped when not newer). Returns its binding."""
        binder = self.binder_for(binding_model)
        if always or not binder.to_internal(external_id):
            importer = self.component(usage="record.importer", model_name=binding_model)
            importer.run(external_id)
        return binder.to_internal(external_id)

    def _after_import(self, binding):
        """Hook after the binding is written and bound (override)."""

    def _prefetch_chunk(self, records):
        """Hook before a chunk prepares its ``records`` (remote data, not yet
        checked): read what they share in a few queries, for the rest of the
        chunk, e.g. their dependencies' bindings with the binder's
        ``prefetch``. Nothing by default."""

    def _before_update_batch(self, importers):
        """Hook before the chunk writes its prepared bound records
        (``_batch_update``): ``importers`` are their record importers, each
        with its ``binding``. Read here what their writes will read one by
        one (``self`` is one of them): by default, the Odoo records'
        bindings (a write of the Odoo record finds them, when a field of the
        binding depends on it), for all at once."""
        bindings = self.model.browse([imp.binding.id for imp in importers])
        odoo = bindings.odoo_id.sudo().with_context(active_test=False)
        inverses = [
            name
            for name, field in odoo._fields.items()
            if field.type == "one2many"
            and field.comodel_name == self.model._name
            and field.inverse_name == "odoo_id"
        ]
        for name in inverses:
            odoo.mapped(name)

    def _after_import_batch(self, importers):
        """Hook after one ``create()`` made the bindings of the chunk's new
        records, and after the chunk wrote its bound records when the
        importer declares ``_batch_update``: ``importers`` are their record
        importers, each with its ``binding`` and ``remote_record`` (``self``
        is one of them).

        Runs each one's ``_after_import``; override to do the chunk's work in
        a few statements instead of a few per record. It runs in the chunk's
        savepoint: when it raises, the chunk imports those records one by
        one, through ``_after_import``, so both must do the same.
        """
        for importer in importers:
            importer._after_import(importer.binding)


def _comparable(field, value):
    """``value`` of ``field`` (as read, or as mapped) in the form a diff
    compares and stores: ids for relations, text for dates, None for
    empty."""
    if hasattr(value, "_name"):  # a record
        return value.id or None
    if isinstance(value, date):
        kind = fields.Datetime if field.type == "datetime" else fields.Date
        return kind.to_string(value)
    if (value is False and field.type != "boolean") or value == "":
        return None
    if isinstance(value, float):
        # As the field stores it, without the float's noise (223.73, not
        # 223.73000000000002 read back).
        return round(value, FLOAT_DIGITS)
    return value


class GenericBatchImporter(AbstractComponent):
    _name = "generic.batch.importer"
    _inherit = ["base.importer", "generic.synchronizer"]
    _usage = "batch.importer"

    #: records the last ``run`` read from the remote
    fetched = 0
    #: the total the remote announced during the last ``run`` (None: it did
    #: not say); more than ``fetched`` when the walk ended short of it
    announced = None
    #: whether the last ``run`` read a bulk export rather than pages
    bulk = False

    def run(self, filters=None, job_options=None, run_key=None, listed=None):
        """Enqueue chunk jobs for every remote record matching ``filters``.

        ``run_key`` ties the chunk jobs, and the jobs they isolate bad records
        in, to the run, so that its end can be told (``_sync_finalize``).
        ``listed``, a set, receives the external id of every record walked:
        after a full walk, what is bound but not listed was deleted remotely.

        Returns ``(jobs, first_response)``: the enqueued jobs, and the first
        page's HTTP response (its ``Date`` header is the remote clock at the
        start of the run, a watermark free of clock skew).
        """
        size = max(self.backend_record.import_chunk_size, 1)
        jobs, chunk, first_response = [], [], None
        self.fetched, self.announced = 0, None
        for page in self._walk(filters):
            if first_response is None:
                first_response = page.response
            if getattr(page, "total", None) is not None:
                self.announced = page.total
            for record in page.items:
                self.fetched += 1
                if listed is not None:
                    listed.add(str(record.get("id")))
                chunk.append(record)
                if len(chunk) >= size:
                    jobs.append(self._enqueued(chunk, job_options, run_key))
                    chunk = []
        if chunk:
            jobs.append(self._enqueued(chunk, job_options, run_key))
        return jobs, first_response

    def _enqueued(self, records, job_options, run_key):
        """Enqueue the chunk ``records``; return its job by its uuid alone
        (:class:`EnqueuedJob`). A ``Job`` keeps its arguments, and Odoo's
        cache the stored job's: a walk keeping them kept every record it
        read (532 MB in the worker walking 100,000 products). The walk's
        memory is a page's, whatever the catalogue's size."""
        job = self._enqueue_chunk(records, job_options, run_key)
        self.env["queue.job"].invalidate_model(JOB_DATA_FIELDS)
        return EnqueuedJob(job.uuid)

    def _walk(self, filters):
        """The pages ``run`` reads: a bulk export's for a full walk (no
        ``filters``: a first load, a *Full re-import*) of a resource this
        backend reads in bulk (``_bulk_export_for``) with an adapter that
        supports it, the list pages otherwise. Sets ``bulk``."""
        adapter = self.backend_adapter
        self.bulk = bool(
            not filters
            and self.backend_record._bulk_export_for(self.model._name)
            and adapter.supports_bulk()
        )
        return adapter.iterate_bulk() if self.bulk else adapter.iterate_pages(filters)

    def shortfall(self):
        """What the last ``run`` missed of the total the remote announced, as
        a sentence for the run's message; None when nothing is missing (or
        the remote announced no total)."""
        if self.announced is None or self.fetched >= self.announced:
            return None
        if self.bulk:
            return _(
                "The bulk export announced %(total)s record(s) but its file "
                "held %(fetched)s (fetched %(fetched)s of %(total)s announced): "
                "the file was cut short or had unreadable lines. Nothing is "
                "archived and the watermark stays, so the next run reads them "
                "again.",
                total=self.announced,
                fetched=self.fetched,
            )
        return _(
            "The remote announced %(total)s record(s) but the walk fetched "
            "%(fetched)s (fetched %(fetched)s of %(total)s announced): records "
            "may have been added, deleted or skipped while it ran. The watermark "
            "stays, so the next run reads them again.",
            total=self.announced,
            fetched=self.fetched,
        )

    def _enqueue_chunk(self, records, job_options, run_key):
        ids = [str(r.get("id")) for r in records]
        description = _(
            "Import %(count)s %(model)s (%(first)s..%(last)s)",
            count=len(records),
            model=self.model._description,
            first=ids[0],
            last=ids[-1],
        )
        return self.model.with_delay(
            description=description, **(job_options or {})
        ).import_chunk(self.backend_record, records, run_key=run_key)
