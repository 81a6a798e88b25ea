# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The backend's payment settings: gateways, taxes table, totals guard.

Kept apart from ``myconnector_backend.py`` (the same model): what orders
carrying payments and taxes need, read by ``myconnector.order.payments``.
"""

from odoo import fields, models


class MyConnectorBackend(models.Model):
    _inherit = "myconnector.backend"

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
