# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Listeners: a write on a bound Odoo record schedules its export.

A concrete listener names the Odoo model it listens to (``_apply_on``), the
fields whose change is exported (``_export_fields``) and the field leading
from the Odoo record to its bindings (``_binding_field``; ``None`` when the
listened model is the binding itself). A write made by an import carries
``connector_no_export`` and is never exported back.
"""

from odoo.addons.component.core import AbstractComponent
from odoo.addons.component_event import skip_if


def no_export(listener, record, *args, **kwargs):
    """``skip_if`` condition of export listeners: the write came from an
    import (``connector_no_export``) or the record is not exportable."""
    return listener.no_connector_export(record)


class GenericExportListener(AbstractComponent):
    _name = "generic.export.listener"
    _inherit = "base.connector.listener"

    _export_fields = ()
    _binding_field = None

    def _bindings(self, record):
        return record[self._binding_field] if self._binding_field else record

    @skip_if(no_export)
    def on_record_write(self, record, fields=None):
        if set(fields or ()) & set(self._export_fields):
            # The writer may have no connector rights (a salesman changing a
            # price): the write they were allowed to make is what authorises
            # its export, which reads the bindings and runs as superuser.
            bindings_sudo = self._bindings(record.sudo())
            bindings_sudo._export_later(self._export_fields)
