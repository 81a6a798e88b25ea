# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Import mappers: OCA's, bound to the framework's backend."""

from odoo.addons.component.core import AbstractComponent
from odoo.addons.connector.components.mapper import mapping


class GenericImportMapper(AbstractComponent):
    _name = "generic.import.mapper"
    _inherit = ["base.import.mapper", "generic.base"]
    _usage = "import.mapper"

    @mapping
    def backend_id(self, record):
        return {"backend_id": self.backend_record.id}


class GenericExportMapper(AbstractComponent):
    _name = "generic.export.mapper"
    _inherit = ["base.export.mapper", "generic.base"]
    _usage = "export.mapper"
