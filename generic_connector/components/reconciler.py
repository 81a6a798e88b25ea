# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The reconciler: the platform's records against the bindings, repaired.

Webhooks get lost, people edit records behind the connector, and an
``updated_at`` does not always move. ``GenericReconciler`` (usage
``reconciler``) walks every remote record as cheaply as the adapter lists
them (``list_versions``), compares each with its binding, and sorts every
difference into a class (``generic.sync.run.drift``):

* *missing in Odoo*: no binding: imported;
* *gone on the platform*: a binding the complete walk did not list: archived,
  or flagged under the backend's ``reconcile_gone_policy`` (never when the
  walk was short of the total the remote announced, or listed nothing);
* *changed on the platform*: a newer ``updated_at``, or a content whose
  digest is not the binding's ``sync_digest`` (a change its timestamp did
  not show): imported;
* *changed in Odoo*: the synced fields' current values no longer have the
  binding's ``odoo_digest`` (an edit made behind the connector): restored
  from the platform, the owner of those fields;
* *changed on both sides*: imported, the platform owning the fields.

An Odoo-side edit of a field the resource declares *shared* is never
overwritten: it waits for a person. Fields Odoo owns are not compared.

The content comes from the list itself when its pages carry whole records
(``lists_whole_records``): no per-record read. A list of stubs is compared
by ``updated_at``, and only the stubs without one are read.

Repairs are imports: the listed records go to ``import_chunk`` jobs of the
run, those whose ``updated_at`` is not newer with their binding's
``remote_updated_at`` forgotten, so the importer applies them again.
Registered in no collection: every connector uses it as it is.
"""

from odoo import _

from odoo.addons.component.core import Component

from ..digest import values_digest
from ..exceptions import RemoteDataError

IMPORTING = ("imported", "restored")


class GenericReconciler(Component):
    _name = "generic.reconciler"
    _inherit = ["base.importer", "generic.synchronizer"]
    _usage = "reconciler"

    _updated_at_field = "updated_at"

    def run(self, sync_run, run_key, job_options=None):
        """Reconcile the resource of ``self.model``; list every drift in
        ``sync_run`` and return the import jobs that repair it.
        ``fetched``, ``announced`` and ``archived`` say what the walk saw
        and did."""
        self.fetched, self.announced, self.archived = 0, None, 0
        self.resource = self.backend_record._resource_of_model(self.model._name)
        bindings = {
            binding.external_id: binding
            for binding in self.model.with_context(active_test=False).search(
                [("backend_id", "=", self.backend_record.id)]
            )
        }
        rows, records, seen = [], [], set()
        for record, whole in self._listed():
            external_id = str(record.get("id"))
            seen.add(external_id)
            row = self._compare(record, whole, bindings.get(external_id))
            if row:
                rows.append(dict(row, external_id=external_id))
                if row["repair"] in IMPORTING:
                    records.append(record)
        rows += self._gone([b for k, b in bindings.items() if k not in seen])
        self._forget_versions(rows, bindings)
        self.env["generic.sync.run.drift"]._record(sync_run, rows)
        return self._enqueue(records, job_options, run_key)

    # The walk ----------------------------------------------------------------

    def _listed(self):
        """``(record, whole)`` of each remote record: ``whole`` when its
        content can be compared (a whole listed record, or a stub read
        because it carries no ``updated_at``)."""
        adapter = self.backend_adapter
        whole = adapter.lists_whole_records()
        for page in adapter.list_versions():
            if getattr(page, "total", None) is not None:
                self.announced = page.total
            self.fetched += len(page.items)
            if whole:
                yield from ((record, True) for record in page.items)
                continue
            unversioned = [r for r in page.items if not r.get(self._updated_at_field)]
            read, _gone = (
                adapter.complete_records(unversioned) if unversioned else ((), ())
            )
            yield from ((r, False) for r in page.items if r.get(self._updated_at_field))
            yield from ((r, True) for r in read)

    def _complete_walk(self):
        """Whether the walk listed every remote record: it listed some, and
        not fewer than the total the remote announced."""
        return self.fetched > 0 and (
            self.announced is None or self.fetched >= self.announced
        )

    def shortfall(self):
        """Why gone records were not archived, for the run; None when the
        walk was complete."""
        if self._complete_walk():
            return None
        return _(
            "The reconcile listed %(fetched)s record(s) of %(total)s announced: "
            "records it did not see were not taken for deleted. Run it again.",
            fetched=self.fetched,
            total=self.announced if self.announced is not None else "?",
        )

    # The comparison ----------------------------------------------------------

    def _compare(self, record, whole, binding):
        """The drift row of one listed ``record`` against its ``binding``
        (``drift_class``, ``repair``, ``field_names``...), or None when they
        agree."""
        if not binding:
            return self._row(binding, "missing_odoo", "imported")
        if "active" in binding._fields and not binding.active:
            # Archived in Odoo: a person's decision, or a deletion the
            # platform undid; not the reconcile's to revive.
            return None
        updated_at = record.get(self._updated_at_field)
        platform_moved = bool(updated_at and binding.remote_updated_at) and (
            binding._is_newer(updated_at)
        )
        odoo_moved, diff = False, []
        if whole:
            platform_moved_content, odoo_moved, diff = self._compare_content(
                record, binding
            )
            platform_moved = platform_moved or platform_moved_content
        if not platform_moved and not (odoo_moved and diff):
            return None
        return self._classify(binding, platform_moved, odoo_moved, diff)

    def _compare_content(self, record, binding):
        """``(platform moved, Odoo moved, fields that differ)`` of a whole
        ``record`` against its ``binding``'s digests and current values."""
        try:
            values = self.mapper.map_record(record).values()
        except RemoteDataError:
            # Bad data: its import fails alone and says why.
            return True, False, []
        odoo_owned = self.resource.odoo_owned if self.resource else ()
        names = self.model._synced_fields(values, odoo_owned)
        theirs = self.model._comparable(values, names)
        ours = binding._current_values(names)
        diff = sorted(name for name in names if theirs[name] != ours[name])
        if not binding.sync_digest:
            # Imported before digests were kept: whatever differs is the
            # platform's to set.
            return bool(diff), False, diff
        importer = self.component(usage="record.importer")
        platform_moved = importer._sync_digest(values, record) != binding.sync_digest
        odoo_moved = bool(binding.odoo_digest) and (
            values_digest(ours) != binding.odoo_digest
        )
        return platform_moved, odoo_moved, diff

    def _classify(self, binding, platform_moved, odoo_moved, diff):
        if platform_moved and odoo_moved:
            drift_class = "changed_both"
        else:
            drift_class = "changed_platform" if platform_moved else "changed_odoo"
        shared = [
            name
            for name in diff
            if odoo_moved and self.resource and self.resource.owner(name) == "shared"
        ]
        if shared:
            return self._row(binding, drift_class, "waiting", shared)
        repair = "restored" if odoo_moved else "imported"
        return self._row(binding, drift_class, repair, diff)

    def _gone(self, missing):
        """The rows of the active ``missing`` bindings, archived by the
        backend's policy when the walk was complete, else flagged."""
        missing = [b for b in missing if "active" not in b._fields or b.active]
        if not missing:
            return []
        archive = (
            self._complete_walk()
            and self.backend_record.reconcile_gone_policy == "archive"
            and "active" in self.model._fields
        )
        if archive:
            gone = self.model.browse([b.id for b in missing])
            gone.with_context(connector_no_export=True).write({"active": False})
            self.archived = len(gone)
        note = None if archive else self.shortfall()
        return [
            dict(
                self._row(b, "gone_platform", "archived" if archive else "waiting"),
                external_id=b.external_id,
                note=note,
            )
            for b in missing
        ]

    def _row(self, binding, drift_class, repair, field_names=()):
        return {
            "binding_model": self.model._name,
            "binding_id": binding.id if binding else False,
            "drift_class": drift_class,
            "repair": repair,
            "field_names": ", ".join(field_names) or False,
        }

    # The repairs -------------------------------------------------------------

    def _forget_versions(self, rows, bindings):
        """Forget the ``remote_updated_at`` of the bindings to import again:
        the importer would skip a record whose ``updated_at`` did not move
        (a silent change, an Odoo-side edit to undo) as not newer."""
        ids = [
            row["binding_id"]
            for row in rows
            if row["repair"] in IMPORTING and row["binding_id"]
        ]
        if ids:
            self.model.browse(ids).with_context(connector_no_export=True).write(
                {"remote_updated_at": False}
            )

    def _enqueue(self, records, job_options, run_key):
        """The ``import_chunk`` jobs of ``records``, by the batch importer's
        chunks."""
        batch = self.component(usage="batch.importer")
        size = max(self.backend_record.import_chunk_size, 1)
        return [
            batch._enqueue_chunk(records[start : start + size], job_options, run_key)
            for start in range(0, len(records), size)
        ]
