# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The abstract binding between an Odoo record and a remote record.

Concrete bindings ``_inherits`` the Odoo model they bind through ``odoo_id``
and define ``backend_id`` towards their concrete backend, as OCA connector
expects. The uniqueness constraints below are inherited by every concrete
binding table: they, not a job's identity key, are what guarantees that two
jobs importing the same remote record at once cannot both create it.
"""

import json

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..digest import values_digest
from ..jobs import job_errors
from ..timestamps import canonical_timestamp, to_odoo_datetime
from ..transport import NotFoundError

#: The field types a reconcile compares between Odoo and the platform: values
#: a record reads back as they were written.
COMPARABLE_TYPES = frozenset(
    {
        "boolean",
        "char",
        "date",
        "datetime",
        "float",
        "html",
        "integer",
        "many2one",
        "monetary",
        "selection",
        "text",
    }
)

#: The context imports run in: no mail tracking, creation message or follower
#: subscription for what they create or write (the binding keeps the history,
#: and each of those costs queries per record).
IMPORT_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


class GenericBinding(models.AbstractModel):
    _name = "generic.binding"
    _inherit = "external.binding"
    _description = "Generic Connector Binding (abstract)"

    external_id = fields.Char(string="External ID", index=True, copy=False)
    remote_updated_at = fields.Char(
        copy=False,
        help="The remote record's updated_at (canonical UTC, to the "
        "microsecond) when last imported or exported; an import whose data is "
        "not newer is skipped.",
    )
    sync_digest = fields.Char(
        copy=False,
        readonly=True,
        help="Digest of the values last synced from the remote: an unchanged "
        "record is skipped (APIs whose records carry no trustworthy update "
        "time), and a reconcile tells a platform change its updated_at did "
        "not show.",
    )
    odoo_digest = fields.Char(
        copy=False,
        readonly=True,
        help="Digest of the synced fields as the last import wrote them in "
        "Odoo (Odoo-owned fields left out): a reconcile compares it with "
        "Odoo's current values to find edits made behind the connector.",
    )
    remote_updated_at_dt = fields.Datetime(
        compute="_compute_remote_updated_at_dt",
        string="Remote Last Update",
        help="The remote record's last change, in your time zone.",
    )

    remote_base = fields.Text(
        copy=False,
        readonly=True,
        help="JSON: the remote values of the exported keys when Odoo last "
        "synchronised them. An export refused because the record changed "
        "remotely is retried when these keys did not change (another field "
        "did), and is a conflict when they did.",
    )
    export_conflict = fields.Boolean(
        copy=False,
        index=True,
        readonly=True,
        help="An export was refused because the remote record changed since "
        "Odoo last saw it; the remote data was imported instead.",
    )
    conflict_date = fields.Datetime(copy=False, readonly=True)
    conflict_odoo_values = fields.Text(
        copy=False,
        readonly=True,
        help="JSON: the Odoo values the refused export carried (restored and "
        "pushed by Push anyway).",
    )
    conflict_odoo_data = fields.Text(
        string="Odoo's Value",
        copy=False,
        readonly=True,
        help="What Odoo tried to send to the platform.",
    )
    conflict_remote_data = fields.Text(
        string="Platform's Value",
        copy=False,
        readonly=True,
        help="What the platform had instead, now imported into Odoo.",
    )

    version_count = fields.Integer(
        compute="_compute_version_count",
        string="Timeline",
        help="Versions an import applied to this binding (the newest kept).",
    )

    _sql_constraints = [
        (
            "external_uniq",
            "unique(backend_id, external_id)",
            "A remote record can be bound only once per backend.",
        ),
        (
            "odoo_uniq",
            "unique(backend_id, odoo_id)",
            "An Odoo record can be bound only once per backend.",
        ),
    ]

    # Digests of the synced values. ``sync_digest`` covers every value the
    # platform's record maps to (a record whose content moved while its
    # updated_at did not is told by it); ``odoo_digest`` the synced fields
    # as Odoo reads them once the import is done (computed fields and
    # variants settled), so that it can be computed again from the record.

    @api.model
    def _synced_fields(self, values, odoo_owned=()):
        """The fields of mapped ``values`` a reconcile compares: those a
        record reads back as written (relations to many and binary data
        are left out), but for the fields Odoo owns."""
        return [
            name
            for name in values
            if name in self._fields
            and self._fields[name].type in COMPARABLE_TYPES
            and name not in odoo_owned
        ]

    @api.model
    def _comparable(self, values, names):
        """``{field: value}`` of mapped ``values`` for the fields ``names``,
        each as ``_current_values`` gives Odoo's."""
        record = self.browse()
        comparable = {}
        for name in names:
            field = self._fields[name]
            cached = field.convert_to_cache(values[name], record)
            comparable[name] = field.convert_to_write(
                field.convert_to_record(cached, record), record
            )
        return comparable

    def _current_values(self, names):
        """Odoo's current values of the fields ``names``, as ``write`` takes
        them."""
        self.ensure_one()
        return {
            name: self._fields[name].convert_to_write(self[name], self)
            for name in names
        }

    @api.model
    def _note_odoo_values(self, synced):
        """Set the ``odoo_digest`` of each binding of ``synced``, a list of
        ``(binding, field names)`` an import just wrote, from its current
        values: one statement for a whole chunk."""
        rows = [
            (binding.id, values_digest(binding._current_values(names)))
            for binding, names in synced
        ]
        if not rows:
            return
        ids, digests = zip(*rows, strict=True)
        self.env.cr.execute(
            SQL(
                "UPDATE %s AS b SET odoo_digest = v.digest "
                "FROM (SELECT unnest(%s::int[]) AS id, "
                "unnest(%s::varchar[]) AS digest) AS v WHERE b.id = v.id",
                SQL.identifier(self._table),
                list(ids),
                list(digests),
            )
        )
        self.browse(ids).invalidate_recordset(["odoo_digest"])

    @api.depends("remote_updated_at")
    def _compute_remote_updated_at_dt(self):
        for binding in self:
            binding.remote_updated_at_dt = to_odoo_datetime(binding.remote_updated_at)

    def _versions_domain(self):
        return [("binding_model", "=", self._name), ("binding_id", "in", self.ids)]

    def _compute_version_count(self):
        counts = dict(
            self.env["generic.binding.version"]._read_group(
                self._versions_domain(), ["binding_id"], ["__count"]
            )
        )
        for binding in self:
            binding.version_count = counts.get(binding.id, 0)

    def action_view_timeline(self):
        """The versions imports applied to this binding, newest first."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "generic_connector.generic_binding_version_action"
        )
        action.update(
            domain=self._versions_domain(),
            name=_("Timeline of %(name)s", name=self.display_name),
        )
        return action

    #: the remote keys an export writes, kept in ``remote_base`` (override)
    _remote_base_keys = ()

    def _remote_base_of(self, remote_record):
        """``remote_base`` for ``remote_record``."""
        return json.dumps(
            {key: remote_record.get(key) for key in self._remote_base_keys}
        )

    def _remote_base(self):
        self.ensure_one()
        return json.loads(self.remote_base or "{}")

    def _is_newer(self, remote_updated_at):
        """Whether ``remote_updated_at`` is newer than what this binding last
        saw. An empty binding, or remote data without a timestamp, is newer.
        """
        self.ensure_one()
        theirs = canonical_timestamp(remote_updated_at)
        return (
            not (self.remote_updated_at and theirs) or theirs > self.remote_updated_at
        )

    # Jobs. Each is safe to run twice: the record importer skips data that is
    # not newer than the binding's, and the bindings' constraints forbid a
    # second binding of the same remote record.

    @api.model
    def import_batch(
        self, backend, filters=None, job_options=None, run_key=None, listed=None
    ):
        """Enqueue chunk jobs for the remote records matching ``filters``.

        Not a job itself: returns ``(jobs, first_response)`` to the job that
        drives the run (see the connector's backend). The run ``run_key``, if
        any, adopts the jobs and counts the records and calls of the walk.
        ``listed``, a set, receives the external ids the walk listed.
        """
        run = self.env["generic.sync.run"]._for_key(run_key)
        with (
            backend.work_on(self._name) as work,
            job_errors(),
            run._counting_calls() as stats,
        ):
            importer = work.component(usage="batch.importer")
            jobs, first_response = importer.run(
                filters=filters, job_options=job_options, run_key=run_key, listed=listed
            )
            run._note(
                resource=self._name,
                protocol=importer.backend_adapter._protocol,
                bulk_export=importer.bulk,
                shortfall=importer.shortfall(),
            )
        run._adopt(jobs)
        run._tally(stats, fetched=importer.fetched, kind="batch")
        return jobs, first_response

    @api.model
    def import_chunk(self, backend, records, run_key=None, planned=None):
        """Job: import ``records`` (remote data) with the ``chunk.importer``
        component (one ``create()`` for the new records, a bad record
        isolated in its own job), counted in the run ``run_key``.

        ``planned``: an applied plan's decisions, ``{external id: the Odoo
        id a new record binds, or False: create}``, taken instead of the
        record importer's matching (``_matches``).

        The components of the chunk share ``work.chunk_cache``, a dict where
        they may keep lookups (``{key: value}``) for the next records; it is
        emptied when a record is rolled back, which may have undone them.
        """
        run = self.env["generic.sync.run"]._for_key(run_key)
        importing = backend.with_context(**IMPORT_CONTEXT)
        with (
            importing.work_on(
                self._name,
                chunk_cache={},
                planned={self._name: planned},
                sync_run=run,
            ) as work,
            job_errors(),
            run._counting_calls() as stats,
        ):
            importer = work.component(usage="chunk.importer")
            message = importer.run(records, run, run_key=run_key)
        run._tally(stats, **importer.counts)
        return message

    @api.model
    def import_records(self, backend, external_ids, webhook_ids=None):
        """Import the remote records ``external_ids`` together, as a chunk
        (their reads a few in flight at once, one lock statement, their
        after-import work together), counted in the context's run (a
        webhook job's: ``sync_run_key``). Return ``({external id: (outcome,
        message)}, {external id: error})``: the records imported, and those
        that failed on their data, of which nothing is kept: the caller
        imports them one by one, where each fails alone with its reason.

        ``webhook_ids``: ``{external id: generic.webhook id}``, the event
        each record's timeline version names."""
        run = self.env["generic.sync.run"]._for_key(None)
        importing = backend.with_context(**IMPORT_CONTEXT)
        with (
            importing.work_on(
                self._name,
                chunk_cache={},
                planned={self._name: None},
                sync_run=run,
                webhook_ids=webhook_ids or {},
            ) as work,
            job_errors(),
            run._counting_calls() as stats,
        ):
            ids = [str(external_id) for external_id in external_ids]
            records, gone = work.component(usage="backend.adapter").get_many(ids)
            importer = work.component(usage="chunk.importer")
            importer.run(records, run, isolate=False, gone=gone)
            self.env.flush_all()
            run._note(resource=self._name, protocol=importer.backend_adapter._protocol)
        done = importer.outcomes
        counts = dict(importer.counts, fetched=len(done), kind="batch")
        run._tally(stats, **counts)
        return done, importer.failed

    @api.model
    def import_record(self, backend, external_id, force=False, run_key=None, data=None):
        """Job: fetch one remote record and import it. A record the remote
        no longer has (404) is archived in Odoo (see ``_remote_deleted``).
        ``data``: the record's remote data, not fetched (a timeline's
        *Replay*).

        Counted in the run ``run_key``, or the context's ``sync_run_key`` (a
        webhook's run), when there is one.
        """
        run = self.env["generic.sync.run"]._for_key(run_key)
        importing = backend.with_context(**IMPORT_CONTEXT)
        with (
            importing.work_on(self._name, sync_run=run) as work,
            job_errors(),
            run._counting_calls() as stats,
        ):
            importer = work.component(usage="record.importer")
            try:
                message = importer.run(external_id, data=data, force=force)
            except NotFoundError:
                message = self._remote_deleted(backend, external_id)
                importer.outcome = "updated"  # archived
            # Written here, not at the commit: a record another job bound
            # meanwhile is then a retry (job_errors), not a failed job.
            self.env.flush_all()
        run._note(resource=self._name, protocol=importer.backend_adapter._protocol)
        run._tally(stats, fetched=1, **{importer.outcome: 1}, kind="record")
        return message

    @api.model
    def _remote_deleted(self, backend, external_id):
        """The remote record ``external_id`` is gone: archive the Odoo record
        bound to it, never unlink it (orders, moves, invoices may use it).
        The binding stays, so the history of the link is kept."""
        binding = self.with_context(active_test=False).search(
            [("backend_id", "=", backend.id), ("external_id", "=", str(external_id))]
        )
        if not binding:
            return _("%(id)s does not exist remotely nor in Odoo", id=external_id)
        if "active" not in binding._fields:
            return _(
                "%(id)s was deleted remotely; %(model)s cannot be archived, so it "
                "is kept as it is",
                id=external_id,
                model=binding._description,
            )
        binding.with_context(connector_no_export=True).write({"active": False})
        return _("%(id)s was deleted remotely: archived", id=external_id)

    @api.model
    def _archive_unlisted(self, backend, listed_ids):
        """Archive the Odoo records bound on ``backend`` whose external id is
        not in ``listed_ids``, the ids a complete walk of the remote listed:
        the remote deleted them (see ``_remote_deleted``: archived, never
        unlinked). Return how many were archived; a second call with the
        same ids archives nothing more.

        Only for a walk known complete (every page read, nothing short of
        the announced total): an id missing from a broken walk is no deletion.
        """
        if "active" not in self._fields:
            return 0
        gone = self.search(
            [
                ("backend_id", "=", backend.id),
                ("external_id", "not in", list(listed_ids)),
            ]
        )
        gone.with_context(connector_no_export=True).write({"active": False})
        return len(gone)

    # Exports. A write on a bound record schedules one debounced job per
    # binding and field set (see ``generic.export.pending``); the job locks
    # the record, checks the remote did not change, and never commits.

    def _export_later(self, fields_list, force=False):
        """Schedule the export of ``fields_list`` of these bindings, unless a
        job for the same binding and fields already waits: it will read the
        newest values when it runs. The job starts after the backend's
        ``export_delay``, so quick successive writes make one export."""
        fields_list = sorted(set(fields_list))
        self._delay_once(
            ",".join(fields_list) + (":force" if force else ""),
            "export_record",
            (),
            lambda binding: _(
                "Export %(model)s %(name)s (%(fields)s)",
                model=binding._description,
                name=binding.display_name,
                fields=", ".join(fields_list),
            ),
            # The admin's forced push is deliberate: no reason to wait.
            eta=0 if force else None,
            field_names=fields_list,
            force=force,
        )

    def _delay_once(self, key, method, args, description, eta=None, **kwargs):
        """Enqueue the job ``method(*args, **kwargs)`` of each binding, unless
        one with the same ``key`` already waits (``generic.export.pending``).

        The job must release its marker as it starts (``_release``), so a
        change made while it runs gets a new job. ``description`` is called
        with the binding; ``eta`` defaults to the backend's ``export_delay``.
        """
        pending = self.env["generic.export.pending"]
        for binding in self:
            marker_id = pending._claim(binding, key)
            if not marker_id:
                continue
            delay = max(binding.backend_id.export_delay, 0) if eta is None else eta
            job = getattr(
                binding.with_delay(
                    eta=delay,
                    description=description(binding),
                    **binding.backend_id._job_options(binding._name),
                ),
                method,
            )(*args, **kwargs)
            pending._attach(marker_id, job.uuid)

    def export_record(self, field_names=None, force=False):
        """Job: export ``field_names`` (all when ``None``) of this binding.

        ``force`` skips the check that the remote did not change since Odoo
        last saw it (the admin's *Push anyway*). A binding deleted since the
        job was enqueued has nothing to export.
        """
        self.env["generic.export.pending"]._release(self.env.context.get("job_uuid"))
        if not self.exists():
            return _("Nothing to export: the binding no longer exists")
        self.ensure_one()
        with self.backend_id.work_on(self._name) as work, job_errors():
            exporter = work.component(usage="record.exporter")
            return exporter.run(self, fields=field_names, force=force)

    def action_push_anyway(self):
        """Resolve a conflict in Odoo's favour: export the values Odoo had,
        overwriting the platform's (a forced export, in a job)."""
        self.ensure_one()
        if not self.export_conflict:
            return True
        self._export_later(list(self._conflict_values()), force=True)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("Push anyway"),
                "message": _(
                    "Odoo's values of %(name)s go to the platform in a moment "
                    "(an export job); the conflict clears when it is done.",
                    name=self.display_name,
                ),
            },
        }

    def _conflict_values(self):
        """The Odoo values a refused export carried, as ``write`` takes them."""
        self.ensure_one()
        return json.loads(self.conflict_odoo_values or "{}")

    def _set_conflict(self, odoo_values, odoo_data, remote_data):
        self.ensure_one()
        self.with_context(connector_no_export=True).write(
            {
                "export_conflict": True,
                "conflict_date": fields.Datetime.now(),
                "conflict_odoo_values": json.dumps(odoo_values, default=str),
                "conflict_odoo_data": json.dumps(odoo_data, indent=1, default=str),
                "conflict_remote_data": json.dumps(remote_data, indent=1, default=str),
            }
        )

    def _clear_conflict(self):
        self.with_context(connector_no_export=True).write(
            {
                "export_conflict": False,
                "conflict_date": False,
                "conflict_odoo_values": False,
                "conflict_odoo_data": False,
                "conflict_remote_data": False,
            }
        )
