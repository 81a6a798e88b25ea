# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Exporters: one binding's Odoo values to its remote record.

``GenericRecordExporter`` (usage ``record.exporter``) mirrors the record
importer. It takes the record's advisory lock (the importer's: an import and
an export of one record never interleave; the second retries), maps the
binding, and writes the remote record *conditionally*: the adapter sends the
remote ``updated_at`` the binding last saw (``If-Match`` on REST), so a
record changed remotely since is not overwritten. On a refusal (412) the
exporter reads the remote record: when the keys it writes are still what Odoo
last synchronised (``remote_base``; another field changed, say the stock), it
writes again on the new version; when they changed, that is a conflict: the
binding is flagged with both values, and the newer remote data is imported;
the admin's *Push anyway* runs the export again with ``force``, without the
condition. A record without an external id is created.

It never commits, and running it twice is harmless: the second run sends the
same values, conditioned on the ``updated_at`` the first one stored.
"""

from odoo import _

from odoo.addons.component.core import AbstractComponent

from ..transport import ConflictError

PRECONDITION_FAILED = 412


class GenericRecordExporter(AbstractComponent):
    _name = "generic.record.exporter"
    _inherit = ["base.exporter", "generic.base"]
    _usage = "record.exporter"

    _updated_at_field = "updated_at"

    def run(self, binding, fields=None, force=False):
        """Export ``fields`` (all when ``None``) of ``binding``; return a
        short message of what was done."""
        self.binding = binding
        self.external_id = binding.external_id
        self.lock_record(self.external_id or f"odoo-{binding.id}")
        if force and binding.export_conflict:
            self._restore_conflict_values()
        map_record = self.mapper.map_record(binding)
        if not self.external_id:
            remote = self.backend_adapter.create(map_record.values(for_create=True))
            self.external_id = str(remote[self.backend_adapter._id_field])
            message = _("Created %(id)s", id=self.external_id)
        else:
            data = map_record.values(fields=fields)
            if not data:
                return _("Nothing to export")
            expected = None if force else binding.remote_updated_at
            remote, refused = self._write(data, expected)
            if refused:
                return self._on_conflict(fields, data, remote)
            message = _("Updated %(id)s", id=self.external_id)
        self.binder.bind(
            self.external_id,
            binding,
            remote_updated_at=remote.get(self._updated_at_field),
            remote_record=remote,
        )
        if binding.export_conflict:
            binding._clear_conflict()
        return message

    def _write(self, data, expected_version):
        """Update the remote record with ``data`` if it is still at
        ``expected_version``; return ``(remote record, refused)``.

        A refusal (412) because another field changed remotely is retried
        once on the new version; a change of the keys of ``data`` since Odoo
        last synchronised them is a refusal.
        """
        for attempt in (1, 2):
            try:
                remote = self.backend_adapter.update(
                    self.external_id, data, expected_version=expected_version
                )
                return remote, False
            except ConflictError as err:
                if err.status != PRECONDITION_FAILED:
                    raise
            remote = self.backend_adapter.get(self.external_id)
            if attempt == 2 or self._changed_remotely(remote, data):
                break
            expected_version = remote.get(self._updated_at_field)
        return remote, True

    def _changed_remotely(self, remote, data):
        """Whether the remote changed any key of ``data`` since Odoo last
        synchronised it (``remote_base``); without a base, any change is."""
        base = self.binding._remote_base()
        if not all(key in base for key in data):
            return True
        return any(remote.get(key) != base[key] for key in data)

    def _restore_conflict_values(self):
        """Put back the Odoo values the refused export carried: the import
        that followed the conflict replaced them with the remote's."""
        values = self.binding._conflict_values()
        self.binding.with_context(connector_no_export=True).write(values)

    def _on_conflict(self, fields, data, remote):
        """The remote changed the exported keys since Odoo last saw them:
        keep both values on the binding for the admin, import the remote's."""
        binding = self.binding
        if all(remote.get(key) == value for key, value in data.items()):
            # Both sides made the same change: nothing to resolve.
            importer = self.component(usage="record.importer")
            importer.run(self.external_id, data=remote)
            if binding.export_conflict:
                binding._clear_conflict()
            return _("%(id)s already had Odoo's values", id=self.external_id)
        odoo_values = {
            name: binding._fields[name].convert_to_write(binding[name], binding)
            for name in fields or ()
        }
        binding._set_conflict(odoo_values, data, {key: remote.get(key) for key in data})
        importer = self.component(usage="record.importer")
        importer.run(self.external_id, data=remote)
        return _(
            "Conflict: %(id)s changed remotely since Odoo last saw it; nothing "
            "was overwritten, the remote data was imported and the binding is "
            "flagged for the admin",
            id=self.external_id,
        )
