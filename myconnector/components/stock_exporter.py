# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stock out: a change of on-hand quantity in a mapped location goes to the
platform's inventory.

The listener watches ``stock.quant`` (created, or its ``quantity`` written:
every validated move and inventory adjustment ends there). For each bound
variant of a changed quant in an Odoo location mapped to a remote location,
the variant binding gets one debounced ``export_stock_level`` job
(``_export_stock_later``), which sends the quantity on hand at run time.

A mapped location stands for what it holds by itself, as the import sets
it: a quant in one of its child locations is not its stock (the child,
when mapped, has its own remote location; unmapped, it is not synchronised).
Counting children would send the parent the child's stock too, and the
import would then write that sum into the parent alone. The inventory
import carries ``connector_no_export``: its quants are not sent back.
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
            .search(
                [
                    ("backend_id", "in", bindings.backend_id.ids),
                    ("location_id", "in", quants.location_id.ids),
                ]
            )
        )
        mapped = {(m.backend_id.id, m.location_id.id) for m in mappings}
        for quant in quants:
            for binding in quant.product_id.myconnector_bind_ids:
                if (binding.backend_id.id, quant.location_id.id) in mapped:
                    binding._export_stock_later(quant.location_id)
