# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stock out: a change of on-hand quantity in a mapped location goes to the
platform's inventory, through the framework's listener
(``generic.stock.quant.listener``) and the variant binding's debounced
``export_stock_level`` job.
"""

from odoo.addons.component.core import Component


class StockQuantListener(Component):
    _name = "myconnector.stock.quant.listener"
    _inherit = "generic.stock.quant.listener"
    _apply_on = "stock.quant"

    _binding_field = "myconnector_bind_ids"
    _location_model = "myconnector.inventory.location"
