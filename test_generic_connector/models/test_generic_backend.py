# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The test connector's backend: one resource, contact tags, imported
incrementally from ``categories_imported_until``, declared and nothing
else: its action, job, run, count and channel come from the framework."""

from odoo import _, api, fields, models

from odoo.addons.generic_connector.resources import Resource

CATEGORY_MODEL = "test.generic.category"
PRODUCT_MODEL = "test.generic.product.template"
VARIANT_MODEL = "test.generic.product.variant"


class TestGenericBackend(models.Model):
    _name = "test.generic.backend"
    _inherit = "generic.backend"
    _description = "Generic Connector Test Backend"

    categories_imported_until = fields.Char(readonly=True, copy=False)
    category_binding_count = fields.Integer(compute="_compute_resource_counts")
    bind_tags_by_name = fields.Boolean(
        help="A new remote tag binds the unbound tag of the same name."
    )

    @api.model
    def _connector_resources(self):
        return super()._connector_resources() + (
            Resource(
                "categories",
                CATEGORY_MODEL,
                _("Import tags"),
                watermark="categories_imported_until",
                count_field="category_binding_count",
                match_fields=("name",),
                match_switch="bind_tags_by_name",
                bulk=True,
            ),
        )
