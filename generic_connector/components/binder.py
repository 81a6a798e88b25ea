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
