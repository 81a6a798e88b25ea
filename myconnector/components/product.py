# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Products: the REST adapter, the import mapper and the importers.

The platform serves products at ``/api/v1/products`` in the wrapped envelope
(``{"status": "success", "data": {...}}``), paged by ``page``/``per_page`` and
filtered by ``updated_since``. Its prices are decimal strings.
"""

from decimal import Decimal, InvalidOperation

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping, only_create


class ProductAdapter(Component):
    _name = "myconnector.product.adapter"
    _inherit = ["generic.rest.adapter", "myconnector.base"]
    _apply_on = "myconnector.product.template"

    _resource_path = "/api/v1/products"
    _pagination = "offset"
    _items_path = "data.items"
    _record_path = "data"


class ProductImportMapper(Component):
    _name = "myconnector.product.import.mapper"
    _inherit = ["generic.import.mapper", "myconnector.base"]
    _apply_on = "myconnector.product.template"

    direct = [("description", "description_sale"), ("sku", "default_code")]

    @mapping
    def name(self, record):
        title = (record.get("title") or "").strip()
        if not title:
            raise ValueError(f"MyConnector product {record.get('id')} has no title")
        return {"name": title}

    @mapping
    def list_price(self, record):
        raw = record.get("price")
        try:
            price = Decimal(str(raw))
        except InvalidOperation as err:
            raise ValueError(
                f"MyConnector product {record.get('id')} has an invalid price {raw!r}"
            ) from err
        return {"list_price": float(price)}

    @only_create
    @mapping
    def detailed_type(self, record):
        return {"detailed_type": "consu"}


class ProductRecordImporter(Component):
    _name = "myconnector.product.record.importer"
    _inherit = ["generic.record.importer", "myconnector.base"]
    _apply_on = "myconnector.product.template"


class ProductBatchImporter(Component):
    _name = "myconnector.product.batch.importer"
    _inherit = ["generic.batch.importer", "myconnector.base"]
    _apply_on = "myconnector.product.template"
