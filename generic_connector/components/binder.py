# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The binder of the framework: OCA's, plus the remote ``updated_at``."""

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
        values = {}
        if remote_updated_at:
            values["remote_updated_at"] = canonical_timestamp(remote_updated_at)
        if remote_record is not None and binding._remote_base_keys:
            values["remote_base"] = binding._remote_base_of(remote_record)
        if values:
            binding.with_context(connector_no_export=True).write(values)
        return result
