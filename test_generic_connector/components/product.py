# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The test connector's products with variants: what a connector whose
variants are combinations of named options declares (one attribute per
option name, barcodes), and nothing more."""

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping
from odoo.addons.generic_connector.components.product import parse_price

from ..models.test_generic_backend import PRODUCT_MODEL, VARIANT_MODEL


class ProductVariantImporter(Component):
    _name = "test.generic.product.variant.importer"
    _inherit = ["generic.variant.importer", "test.generic.base"]
    _apply_on = PRODUCT_MODEL

    _variant_model = VARIANT_MODEL
    _product_label = "Test product"
    _attribute_name = "Test %s"
    _variant_barcode_key = "barcode"


class ProductImportMapper(Component):
    _name = "test.generic.product.import.mapper"
    _inherit = ["generic.product.import.mapper", "test.generic.base"]
    _apply_on = PRODUCT_MODEL

    direct = [("name", "name")]

    @mapping
    def list_price(self, record):
        return {"list_price": float(parse_price(record, "Test product"))}


class ProductRecordImporter(Component):
    _name = "test.generic.product.record.importer"
    _inherit = ["generic.product.record.importer", "test.generic.base"]
    _apply_on = PRODUCT_MODEL
