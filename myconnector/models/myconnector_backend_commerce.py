# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The backend's commerce settings, kept apart from ``myconnector_backend.py``
(the same model) so that each flow reads as one piece:

* how orders carrying payments and taxes are confirmed, invoiced and paid:
  gateways, the taxes table, the totals guard (``components/order_payment.py``);
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

    # Payments: gateways, taxes, totals guard
    payment_gateway_ids = fields.One2many(
        "myconnector.payment.gateway",
        "backend_id",
        string="Payment Gateways",
        help="How orders paid through each gateway are confirmed, invoiced "
        "and paid. A gateway seen in an order gets a line to complete.",
    )
    tax_map_ids = fields.One2many(
        "myconnector.tax.map",
        "backend_id",
        string="Taxes",
        help="The Odoo tax of each platform tax (rate, country, price "
        "included). A tax seen in an order gets a line to complete.",
    )
    order_rounding_tolerance = fields.Float(
        string="Rounding tolerance per line",
        default=0.01,
        digits=(16, 2),
        help="An order whose Odoo total differs from the platform's by at most "
        "this much per line gets a rounding line and proceeds; a larger "
        "difference holds the order with both totals and an activity.",
    )
