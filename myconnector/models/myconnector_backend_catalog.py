# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a product import brings besides the product: its images and its
category (off by default: each image is a download, each unknown category a
read of the category tree)."""

from odoo import fields, models


class MyConnectorBackend(models.Model):
    _inherit = "myconnector.backend"

    import_images = fields.Boolean(
        help="Import products' and variants' images; an image is downloaded "
        "again only when its checksum changes.",
    )
    import_categories = fields.Boolean(
        help="Put imported products in the platform's categories (made as "
        "product categories, and eCommerce categories when eCommerce is "
        "installed).",
    )
