# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Which Odoo stock location a remote inventory location stands for.

A remote location without a row here lands in the backend's default
location; a row maps it elsewhere. Exports read the table backwards: the
stock of an Odoo location goes to the remote location mapped to it.
"""

from odoo import fields, models


class MyConnectorInventoryLocation(models.Model):
    _name = "myconnector.inventory.location"
    _description = "MyConnector Inventory Location"
    _order = "backend_id, remote_location_id"

    backend_id = fields.Many2one(
        "myconnector.backend", required=True, ondelete="cascade", index=True
    )
    remote_location_id = fields.Integer(
        string="Remote Location ID",
        required=True,
        help="The platform's id of the location (locationId / location_id).",
    )
    name = fields.Char(help="The platform's name of the location, for reference.")
    location_id = fields.Many2one(
        "stock.location",
        string="Odoo Location",
        required=True,
        domain=[("usage", "=", "internal")],
        ondelete="restrict",
    )

    _sql_constraints = [
        (
            "remote_uniq",
            "unique(backend_id, remote_location_id)",
            "A remote location is mapped once per backend.",
        ),
    ]
