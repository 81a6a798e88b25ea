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
from odoo.addons.generic_connector.exceptions import RemoteDataError

# Odoo keeps prices as floats: beyond this they lose their cents.
MAX_PRICE = Decimal(10) ** 12


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

    @mapping
    def name(self, record):
        title = record.get("title")
        if not isinstance(title, str) or not title.strip():
            raise RemoteDataError(
                f"MyConnector product {record.get('id')} has no title ({title!r})"
            )
        return {"name": title.strip()}

    @mapping
    def texts(self, record):
        values = {}
        for remote, field in (
            ("description", "description_sale"),
            ("sku", "default_code"),
        ):
            value = record.get(remote)
            if value is not None and not isinstance(value, str):
                raise RemoteDataError(
                    f"MyConnector product {record.get('id')} has a {remote} that "
                    f"is not text: {value!r:.80}"
                )
            values[field] = value or False
        return values

    @mapping
    def list_price(self, record):
        raw = record.get("price")
        try:
            if isinstance(raw, bool) or not isinstance(raw, str | int | float):
                raise InvalidOperation
            price = Decimal(str(raw))
            if not price.is_finite() or abs(price) >= MAX_PRICE:
                raise InvalidOperation
        except InvalidOperation as err:
            raise RemoteDataError(
                f"MyConnector product {record.get('id')} has an invalid price "
                f"{raw!r:.80}"
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
