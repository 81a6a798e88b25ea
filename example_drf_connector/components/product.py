# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The shop's products, declared on the framework's components: a list of
stubs, each product's detail, prices and stock records read with it, its
children the variants (keyed by ``upc``), its stock records the quants."""

from odoo.addons.component.core import AbstractComponent, Component
from odoo.addons.connector.components.mapper import mapping
from odoo.addons.generic_connector.components.product import parse_price

from ..models.example_backend import PRODUCT_MODEL, VARIANT_MODEL


class ExampleDrfBase(AbstractComponent):
    _name = "example.drf.base"
    _inherit = "generic.base"
    _collection = "example.drf.backend"


class ExampleDrfBinder(Component):
    _name = "example.drf.binder"
    _inherit = ["generic.binder", "example.drf.base"]
    _apply_on = [PRODUCT_MODEL, VARIANT_MODEL]


class ProductAdapter(Component):
    _name = "example.drf.product.adapter"
    _inherit = ["generic.rest.adapter", "example.drf.base"]
    _apply_on = PRODUCT_MODEL

    _resource_path = "/drf/api/products/"
    _pagination = "drf"
    _items_path = "results"
    _record_path = None
    _list_returns = "stubs"
    _sub_resources = {
        "prices": "/drf/api/products/{id}/price/",
        "stockrecords": "/drf/api/products/{id}/stockrecords/",
    }

    def _to_record(self, record):
        """A standalone product is its own one variant; each variant gets
        its price from the price rows (by ``upc``), the product the lowest."""
        prices = {row["upc"]: row["excl_tax"] for row in record["prices"]}
        variants = [
            dict(child, price=prices.get(child["upc"]))
            for child in record["children"] or [record]
        ]
        priced = [v["price"] for v in variants if v["price"] is not None]
        low = min(priced, key=float, default=None)
        return dict(record, variants=variants, price=low)


class ProductImportMapper(Component):
    _name = "example.drf.product.import.mapper"
    _inherit = ["generic.product.import.mapper", "example.drf.base"]
    _apply_on = PRODUCT_MODEL

    direct = [("title", "name"), ("description", "description_sale")]

    @mapping
    def list_price(self, record):
        return {"list_price": float(parse_price(record, "Shop product"))}


class ProductRecordImporter(Component):
    _name = "example.drf.product.record.importer"
    _inherit = ["generic.product.record.importer", "example.drf.base"]
    _apply_on = PRODUCT_MODEL

    # No updated_at: a product whose values, variants and stock are those
    # last synced is skipped.
    _skip_unchanged_digest = True
    _digest_keys = ("variants", "stockrecords")
    _levels_key = "stockrecords"


class ProductBatchImporter(Component):
    _name = "example.drf.product.batch.importer"
    _inherit = ["generic.batch.importer", "example.drf.base"]
    _apply_on = PRODUCT_MODEL


class ProductVariantImporter(Component):
    _name = "example.drf.product.variant.importer"
    _inherit = ["generic.variant.importer", "example.drf.base"]
    _apply_on = PRODUCT_MODEL

    _variant_model = VARIANT_MODEL
    _product_label = "Shop product"
    _option_attribute = "example_drf_connector.product_attribute_option"
    _variant_id_key = "upc"
    _variant_sku_key = "upc"


class InventoryImporter(Component):
    _name = "example.drf.inventory.importer"
    _inherit = ["generic.inventory.importer", "example.drf.base"]

    _level_model = "example.drf.stock.level"
    _variant_key_field = "external_id"
    _level_variant_key = "upc"
    _level_location_key = "location"
    _level_available_key = "num_in_stock"
