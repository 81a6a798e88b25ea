# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Product prices out: a price changed in Odoo goes to the platform.

The listener watches ``list_price`` on product templates; each MyConnector
binding of the template gets one debounced export job, which sends
``PATCH /api/v1/products/<id>`` with ``If-Match`` on the ETag the platform
derives from the product's ``updated_at``. The platform's price is a decimal
string (the first variant's price).
"""

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import changed_by, mapping


class ProductExportListener(Component):
    _name = "myconnector.product.export.listener"
    _inherit = "generic.export.listener"
    _apply_on = "product.template"

    _export_fields = ("list_price",)
    _binding_field = "myconnector_bind_ids"


class ProductExportMapper(Component):
    _name = "myconnector.product.export.mapper"
    _inherit = ["generic.export.mapper", "myconnector.base"]
    _apply_on = "myconnector.product.template"

    @changed_by("list_price")
    @mapping
    def price(self, record):
        return {"price": f"{record.list_price:.2f}"}


class ProductRecordExporter(Component):
    _name = "myconnector.product.record.exporter"
    _inherit = ["generic.record.exporter", "myconnector.base"]
    _apply_on = "myconnector.product.template"
