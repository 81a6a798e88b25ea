# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The backend's taxes table: a platform tax (rate, country, included in the
price or not) and the Odoo tax its order lines get.

Lines are created, unmapped, for the taxes seen in imported orders (one per
``key``); an order with an unmapped tax is held until the line has its tax.
"""

from odoo import api, fields, models


def tax_key(rate, country, included):
    """The identity of a platform tax: ``"21.0000|BE|incl"``."""
    return f"{float(rate or 0):.4f}|{(country or '').upper()}|" + (
        "incl" if included else "excl"
    )


class MyConnectorTaxMap(models.Model):
    _name = "myconnector.tax.map"
    _description = "MyConnector Tax Mapping"
    _order = "backend_id, country_code, rate"

    backend_id = fields.Many2one(
        "myconnector.backend", required=True, ondelete="cascade", index=True
    )
    # Stored and writable: ``find_or_create`` creates a line by its key alone.
    key = fields.Char(compute="_compute_key", store=True, readonly=False)
    name = fields.Char(string="Title", help="The tax's title on the platform.")
    rate = fields.Float(digits=(16, 4), help="A percentage.")
    country_code = fields.Char(string="Country", size=2)
    price_included = fields.Boolean()
    tax_id = fields.Many2one(
        "account.tax",
        string="Odoo Tax",
        domain=[("type_tax_use", "=", "sale")],
        help="The tax the order lines get. Empty: orders with this tax are held.",
    )

    _sql_constraints = [
        (
            "key_uniq",
            "unique(backend_id, key)",
            "A platform tax is mapped once per backend.",
        )
    ]

    @api.depends("rate", "country_code", "price_included")
    def _compute_key(self):
        for line in self:
            line.key = tax_key(line.rate, line.country_code, line.price_included)
