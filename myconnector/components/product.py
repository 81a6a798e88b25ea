# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Products: the REST and GraphQL adapters, the import mapper, the importers.

The platform serves products at ``/api/v1/products`` in the wrapped envelope
(``{"status": "success", "data": {...}}``), paged by ``page``/``per_page`` and
filtered by ``updated_since``, and at ``/graphql`` as a Relay connection with
a nested ``variants`` connection. Both adapters give the same record (the
GraphQL one is flattened to the REST shape), so the mapper and the importers
do not know which protocol the backend chose. Prices are decimal strings.

A product's import creates, updates and archives its variants in the same
job (``generic.product.record.importer``): one ``product.product`` per remote
variant, told apart by one value of the *MyConnector Option* attribute per
variant title (:class:`ProductVariantImporter`), bound by
``myconnector.product.product``.
"""

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping
from odoo.addons.generic_connector.components.product import (
    parse_price as generic_parse_price,
)
from odoo.addons.generic_connector.exceptions import RemoteDataError
from odoo.addons.generic_connector.transport import (
    NestedConnection,
    flatten_connections,
)

VARIANT_MODEL = "myconnector.product.product"
_VARIANT_FIELDS = "id title sku price stock"
_PRODUCT_FIELDS = (
    "id title description sku price currency status createdAt updatedAt "
    f"variants(first: 2) {{ edges {{ node {{ {_VARIANT_FIELDS} }} }} "
    "pageInfo { hasNextPage endCursor } }"
)


def parse_price(record, label="product"):
    """The record's ``price`` as a finite ``Decimal``; :class:`RemoteDataError`
    naming the record when it is not one (the record then fails alone)."""
    return generic_parse_price(record, f"MyConnector {label}")


class ProductAdapter(Component):
    _name = "myconnector.product.adapter"
    _inherit = ["generic.rest.adapter", "myconnector.base"]
    _apply_on = "myconnector.product.template"

    _resource_path = "/api/v1/products"
    _pagination = "offset"
    _items_path = "data.items"
    _total_path = "data.total"  # the walk knows what it should fetch
    _record_path = "data"
    # Full loads may read one bulk export file (JSON Lines, the same
    # records, variants nested) instead of the pages.
    _bulk_path = "/api/v1/bulk_operations"
    _bulk_resource = "products"


class ProductGraphQLAdapter(Component):
    """Products over GraphQL. Two variants ride with each product; the rest
    of a product's variants are fetched in batched follow-up queries."""

    _name = "myconnector.product.graphql.adapter"
    _inherit = ["generic.graphql.adapter", "myconnector.base"]
    _apply_on = "myconnector.product.template"

    _list_query = (
        "query($first: Int, $after: String, $updatedSince: String) {"
        " products(first: $first, after: $after, updatedSince: $updatedSince) {"
        f" edges {{ node {{ {_PRODUCT_FIELDS} }} }}"
        " pageInfo { hasNextPage endCursor } } }"
    )
    _connection_path = "products"
    _get_query = f"query($id: ID!) {{ product(id: $id) {{ {_PRODUCT_FIELDS} }} }}"
    _get_path = "product"
    _nested = (NestedConnection("product", "variants", _VARIANT_FIELDS, 20, 20),)
    _filter_variables = {"updated_since": "updatedSince"}


class ProductSOAPAdapter(Component):
    """Products over SOAP (``GetProducts``, paged by page number). The
    service has no filter by date and no single-product operation: an
    incremental run reads every product (the importer skips those not
    newer), and a webhook re-fetch needs REST or GraphQL."""

    _name = "myconnector.product.soap.adapter"
    _inherit = ["generic.soap.adapter", "myconnector.base"]
    _apply_on = "myconnector.product.template"

    _list_operation = "GetProducts"
    _items_path = "products.Product"
    _total_path = "total"
    _idempotent = frozenset({"GetProducts"})

    def _to_record(self, result):
        record = flatten_connections(result)
        record["variants"] = (record.get("variants") or {}).get("variant") or []
        return record


class ProductVariantImporter(Component):
    """The platform's variants: one value of the *MyConnector Option*
    attribute per variant title (``generic.variant.importer``)."""

    _name = "myconnector.product.variant.importer"
    _inherit = ["generic.variant.importer", "myconnector.base"]
    _apply_on = "myconnector.product.template"

    _variant_model = VARIANT_MODEL
    _product_label = "MyConnector product"
    _option_attribute = "myconnector.product_attribute_option"


class ProductImportMapper(Component):
    _name = "myconnector.product.import.mapper"
    _inherit = ["generic.product.import.mapper", "myconnector.base"]
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
        return {"list_price": float(parse_price(record))}


class ProductRecordImporter(Component):
    _name = "myconnector.product.record.importer"
    _inherit = ["generic.product.record.importer", "myconnector.base"]
    _apply_on = "myconnector.product.template"


class ProductBatchImporter(Component):
    _name = "myconnector.product.batch.importer"
    _inherit = ["generic.batch.importer", "myconnector.base"]
    _apply_on = "myconnector.product.template"
