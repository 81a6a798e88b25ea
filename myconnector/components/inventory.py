# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Inventory: levels per variant and location, over SOAP or REST.

Two adapters with one interface, chosen by the backend's
``inventory_protocol``: ``levels(sku)`` gives the variant's level at each
remote location as ``{"variant_id", "sku", "location_id", "available",
"updated_at"}``, and ``set_level(sku, location_id, available)`` sets one.
SOAP calls ``GetInventory`` / ``UpdateInventory``; REST reads
``/api/v1/inventory_levels`` and posts to ``/api/v1/inventory_levels/set``.

The importer, the exporter and the stock listener are the framework's
(``generic_connector/components/inventory.py``), declared here: the levels
exchanged are kept in ``myconnector.stock.level``, whose echo suppression
matters here, since the platform echoes each level we set as an
``inventory.updated`` event.
"""

from odoo.addons.component.core import Component

INVENTORY_MODEL = "stock.quant"
_SOAP_KEYS = {
    "variantId": "variant_id",
    "locationId": "location_id",
    "updatedAt": "updated_at",
}


class InventoryAdapter(Component):
    _name = "myconnector.inventory.adapter"
    _inherit = ["generic.rest.adapter", "myconnector.base"]
    _apply_on = INVENTORY_MODEL

    _resource_path = "/api/v1/inventory_levels"
    _items_path = "data.items"
    _total_path = "data.total"  # the walk knows what it should fetch
    _record_path = "data"

    def levels(self, sku):
        return list(self.iterate_all({"sku": sku}))

    def set_level(self, sku, location_id, available):
        payload = self.client.request_json(
            "POST",
            f"{self._resource_path}/set",
            json={"sku": sku, "location_id": location_id, "available": available},
        )
        return payload["data"]


class InventorySOAPAdapter(Component):
    _name = "myconnector.inventory.soap.adapter"
    _inherit = ["generic.soap.adapter", "myconnector.base"]
    _apply_on = INVENTORY_MODEL

    _idempotent = frozenset({"GetInventory", "UpdateInventory"})

    def _to_record(self, result):
        return {_SOAP_KEYS.get(key, key): value for key, value in result.items()}

    def levels(self, sku):
        return [self._to_record(r) for r in self.call("GetInventory", sku=sku) or []]

    def set_level(self, sku, location_id, available):
        return self._to_record(
            self.call(
                "UpdateInventory", sku=sku, locationId=location_id, available=available
            )
        )


class InventoryImporter(Component):
    _name = "myconnector.inventory.importer"
    _inherit = ["generic.inventory.importer", "myconnector.base"]
    _apply_on = INVENTORY_MODEL

    _level_model = "myconnector.stock.level"


class InventoryExporter(Component):
    _name = "myconnector.inventory.exporter"
    _inherit = ["generic.inventory.exporter", "myconnector.base"]
    _apply_on = INVENTORY_MODEL

    _level_model = "myconnector.stock.level"
