# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Which Odoo stock location a remote inventory location stands for
(abstract: a connector's mapping adds its ``backend_id``).

A remote location without a row lands in the backend's default location; a
row maps it elsewhere. Exports read the table backwards: the stock of an
Odoo location goes to the remote location mapped to it
(``generic.inventory.backend``).
"""

from odoo import fields, models


class GenericInventoryLocation(models.AbstractModel):
    _name = "generic.inventory.location"
    _description = "Generic Inventory Location (abstract)"
    _order = "backend_id, remote_location_id"

    remote_location_id = fields.Integer(
        string="Remote Location ID",
        required=True,
        help="The remote system's id of the location.",
    )
    name = fields.Char(help="The remote system's name of the location, for reference.")
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
