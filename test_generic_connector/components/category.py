# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The test connector's components: the framework's, declared on the test
collection and nothing more. The adapter is the tests' ``MockAdapter``."""

from odoo.addons.component.core import AbstractComponent, Component

from ..models.test_generic_backend import CATEGORY_MODEL, PRODUCT_MODEL, VARIANT_MODEL


class TestGenericBase(AbstractComponent):
    _name = "test.generic.base"
    _inherit = "generic.base"
    _collection = "test.generic.backend"


class TestGenericBinder(Component):
    _name = "test.generic.binder"
    _inherit = ["generic.binder", "test.generic.base"]
    _apply_on = [CATEGORY_MODEL, PRODUCT_MODEL, VARIANT_MODEL]


class CategoryImportMapper(Component):
    _name = "test.generic.category.import.mapper"
    _inherit = ["generic.import.mapper", "test.generic.base"]
    _apply_on = CATEGORY_MODEL

    direct = [("name", "name")]


class CategoryExportMapper(Component):
    _name = "test.generic.category.export.mapper"
    _inherit = ["generic.export.mapper", "test.generic.base"]
    _apply_on = CATEGORY_MODEL

    direct = [("name", "name")]


class CategoryRecordImporter(Component):
    _name = "test.generic.category.record.importer"
    _inherit = ["generic.record.importer", "test.generic.base"]
    _apply_on = CATEGORY_MODEL


class CategoryBatchImporter(Component):
    _name = "test.generic.category.batch.importer"
    _inherit = ["generic.batch.importer", "test.generic.base"]
    _apply_on = CATEGORY_MODEL


class CategoryRecordExporter(Component):
    _name = "test.generic.category.record.exporter"
    _inherit = ["generic.record.exporter", "test.generic.base"]
    _apply_on = CATEGORY_MODEL
