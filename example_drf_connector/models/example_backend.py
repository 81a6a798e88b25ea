# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The shop's backend: one resource, its products (with their variants and
stock), read in full on every run since the shop has no "changed since"
filter: unchanged products are skipped by digest, unlisted ones archived."""

from odoo import _, api, fields, models

from odoo.addons.generic_connector.resources import Resource

PRODUCT_MODEL = "example.drf.product.template"
VARIANT_MODEL = "example.drf.product.variant"


class ExampleDrfBackend(models.Model):
    _name = "example.drf.backend"
    _inherit = ["generic.backend", "generic.inventory.backend"]
    _description = "Example DRF Shop Backend"

    # Django REST framework's TokenAuthentication: "Authorization: Token <key>".
    api_key_header = fields.Char(default="Authorization")
    api_key_prefix = fields.Char(default="Token")
    inventory_location_ids = fields.One2many(
        "example.drf.inventory.location", "backend_id", string="Stock Locations"
    )
    product_binding_count = fields.Integer(compute="_compute_resource_counts")

    @api.model
    def _connector_resources(self):
        return super()._connector_resources() + (
            Resource(
                "products",
                PRODUCT_MODEL,
                _("Import products"),
                interval=60,
                count_field="product_binding_count",
            ),
        )
