# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The binder of the framework: OCA's, plus the remote ``updated_at``."""

from odoo import fields, tools

from odoo.addons.component.core import AbstractComponent

from ..timestamps import canonical_timestamp


class GenericBinder(AbstractComponent):
    _name = "generic.binder"
    _inherit = ["base.binder", "generic.base"]
    _usage = "binder"

    def bind(self, external_id, binding, remote_updated_at=None, remote_record=None):
        """Link ``binding`` to ``external_id`` and remember the remote
        ``updated_at`` it now reflects, and, from ``remote_record``, the
        remote values an export compares on a conflict (``remote_base``)."""
        result = super().bind(external_id, binding)
        values = self._remote_values(binding, remote_updated_at, remote_record)
        if values:
            binding.with_context(connector_no_export=True).write(values)
        return result

    def to_internal(self, external_id, unwrap=False):
        """OCA's, answered from the chunk's prefetch of this model's bindings
        when the chunk made one (:meth:`prefetch`). Only found bindings are
        kept there: one created since, or not prefetched, is searched."""
        cache = getattr(self.work, "chunk_cache", None)
        found = cache.get(("bindings", self.model._name)) if cache else None
        binding = found.get(tools.ustr(external_id)) if found else None
        if binding is None:
            return super().to_internal(external_id, unwrap=unwrap)
        return binding[self._odoo_field] if unwrap else binding

    def prefetch(self, external_ids):
        """Read the bindings of ``external_ids`` in one search for the rest
        of the chunk (``work.chunk_cache``, emptied when a record is rolled
        back): a chunk's records name the same customers and products again
        and again, each looked up several times."""
        cache = getattr(self.work, "chunk_cache", None)
        wanted = {
            tools.ustr(e) for e in external_ids if isinstance(e, str | int) and e != ""
        }
        if cache is None or not wanted:
            return
        bindings = self.model.with_context(active_test=False).search(
            [
                (self._backend_field, "=", self.backend_record.id),
                (self._external_field, "in", sorted(wanted)),
            ]
        )
        cache.setdefault(("bindings", self.model._name), {}).update(
            {binding[self._external_field]: binding for binding in bindings}
        )

    def _remote_values(self, binding, remote_updated_at, remote_record):
        values = {}
        if remote_updated_at:
            values["remote_updated_at"] = canonical_timestamp(remote_updated_at)
        if remote_record is not None and binding._remote_base_keys:
            values["remote_base"] = binding._remote_base_of(remote_record)
        return values

    def _bind_values(
        self, external_id, model, remote_updated_at=None, remote_record=None
    ):
        """The values ``bind`` writes, for a binding of ``model`` created
        bound (one statement instead of a create and an update)."""
        return dict(
            self._remote_values(model, remote_updated_at, remote_record),
            **{
                self._external_field: tools.ustr(external_id),
                self._sync_date_field: fields.Datetime.now(),
            },
        )
