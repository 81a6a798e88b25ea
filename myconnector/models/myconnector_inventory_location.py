# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Which Odoo stock location a MyConnector location stands for
(``generic.inventory.location``)."""

from odoo import fields, models


class MyConnectorInventoryLocation(models.Model):
    _name = "myconnector.inventory.location"
    _inherit = "generic.inventory.location"
    _description = "MyConnector Inventory Location"

    backend_id = fields.Many2one(
        "myconnector.backend", required=True, ondelete="cascade", index=True
    )
    remote_location_id = fields.Integer(
        help="The platform's id of the location (locationId / location_id)."
    )
