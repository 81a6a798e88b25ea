# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stock out: a change of on-hand quantity in a mapped location goes to the
platform's inventory.

The listener watches ``stock.quant`` (created, or its ``quantity`` written:
every validated move and inventory adjustment ends there). For each bound
variant of a changed quant inside an Odoo location mapped to a remote
location (the location or one of its children), the variant binding gets one
debounced ``export_stock_level`` job (``_export_stock_later``), which sends
the quantity on hand at run time. The inventory import carries
``connector_no_export``: its quants are not sent back.
"""

from odoo.addons.component.core import Component
from odoo.addons.component_event import skip_if
from odoo.addons.generic_connector.components.listener import no_export


class StockQuantListener(Component):
    _name = "myconnector.stock.quant.listener"
    _inherit = "base.connector.listener"
    _apply_on = "stock.quant"

    @skip_if(no_export)
    def on_record_create(self, record, fields=None):
        self._stock_changed(record)

    @skip_if(no_export)
    def on_record_write(self, record, fields=None):
        if "quantity" in (fields or ()):
            self._stock_changed(record)

    def _stock_changed(self, quants):
        quants = quants.sudo()
        bindings = quants.product_id.myconnector_bind_ids
        if not bindings:
            return
        mappings = (
            self.env["myconnector.inventory.location"]
            .sudo()
            .search([("backend_id", "in", bindings.backend_id.ids)])
        )
        for quant in quants:
            path = quant.location_id.parent_path or ""
            for binding in quant.product_id.myconnector_bind_ids:
                for mapping in mappings:
                    if mapping.backend_id == binding.backend_id and path.startswith(
                        mapping.location_id.parent_path
                    ):
                        binding._export_stock_later(mapping.location_id)
