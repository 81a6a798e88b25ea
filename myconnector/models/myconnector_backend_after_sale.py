# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The backend's settings of what follows an order: shipments and refunds.

Kept apart from ``myconnector_backend.py`` (the same model) so that the
after-sale flow reads as one piece: ``components/fulfilment.py`` and
``components/refund.py`` use these settings.
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
