# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stock locations: the inventory import leaves their last inventory date.

Applying an inventory (``stock.quant._apply_inventory``) writes the
location's ``last_inventory_date``. The import applies the remote levels
in parallel chunk jobs, each at the same mapped locations: every one of them
would update the same ``stock.location`` rows, and all but the first meet a
serialization failure and retry. A level synchronised from a remote is
no count made at the location either, so under the import's context key
that date is left as it was.
"""

from odoo import models

from ..stock import NO_INVENTORY_DATE


class StockLocation(models.Model):
    _inherit = "stock.location"

    def write(self, vals):
        if self.env.context.get(NO_INVENTORY_DATE) and set(vals) == {
            "last_inventory_date"
        }:
            return True
        return super().write(vals)
