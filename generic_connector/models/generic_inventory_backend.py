# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A backend with an inventory (abstract mixin): where remote locations'
levels land, and where an Odoo location's stock is exported to.

The connector's backend inherits it and adds the mapping itself,
``inventory_location_ids``, a One2many of its ``generic.inventory.location``.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class GenericInventoryBackend(models.AbstractModel):
    _name = "generic.inventory.backend"
    _description = "Generic Backend with Inventory (abstract)"

    default_location_id = fields.Many2one(
        "stock.location",
        string="Default Stock Location",
        domain=[("usage", "=", "internal")],
        default=lambda self: self._default_stock_location(),
        help="Where the levels of remote locations not mapped below land.",
    )

    @api.model
    def _default_stock_location(self):
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        return warehouse.lot_stock_id

    def _stock_location_for(self, remote_location_id):
        """The Odoo location of a remote location: mapped, else the default."""
        self.ensure_one()
        mapped = self.inventory_location_ids.filtered(
            lambda m: m.remote_location_id == int(remote_location_id)
        )
        location = mapped[:1].location_id or self.default_location_id
        if not location:
            raise UserError(
                _(
                    "Remote location %(remote)s of %(name)s is not mapped and the "
                    "backend has no default stock location.",
                    remote=remote_location_id,
                    name=self.name,
                )
            )
        return location

    def _remote_location_for(self, location):
        """The remote location an Odoo location's stock is exported to."""
        self.ensure_one()
        mapped = self.inventory_location_ids.filtered(
            lambda m: m.location_id == location
        )
        if not mapped:
            raise UserError(
                _(
                    "%(location)s is mapped to no remote location of %(name)s: add "
                    "it to the backend's location mapping.",
                    location=location.display_name,
                    name=self.name,
                )
            )
        return mapped[0].remote_location_id
