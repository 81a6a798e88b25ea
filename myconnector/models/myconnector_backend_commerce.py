# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The backend's commerce settings, kept apart from ``myconnector_backend.py``
(the same model) so that each flow reads as one piece:

* what follows an order, shipments and refunds (``components/fulfilment.py``
  and ``components/refund.py``);
* what a product import brings besides the product, its images and its
  category (``components/product_catalog.py``; off by default: each image is
  a download, each unknown category a read of the category tree).
"""

from odoo import fields, models


class MyConnectorBackend(models.Model):
    _inherit = "myconnector.backend"

    fulfillment_carrier = fields.Char(
        string="Default Carrier",
        help="Carrier sent with a shipment whose delivery names none (neither "
        "its MyConnector carrier nor, with Delivery installed, its shipping "
        "method).",
    )
    fulfillment_validates_delivery = fields.Boolean(
        string="Platform Shipments Validate Deliveries",
        help="A shipment made on the platform (a fulfilment Odoo did not send) "
        "validates the order's delivery in Odoo for the quantities shipped; "
        "what is left goes to a backorder. Off: Odoo's deliveries are only "
        "validated in Odoo.",
    )

    # Catalogue: images and categories
    import_images = fields.Boolean(
        help="Import products' and variants' images; an image is downloaded "
        "again only when its checksum changes.",
    )
    import_categories = fields.Boolean(
        help="Put imported products in the platform's categories (made as "
        "product categories, and eCommerce categories when eCommerce is "
        "installed).",
    )
