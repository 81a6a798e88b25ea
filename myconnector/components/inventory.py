# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Inventory: levels per variant and location, over SOAP or REST.

Two adapters with one interface, chosen by the backend's
``inventory_protocol``: ``levels(sku)`` gives the variant's level at each
remote location as ``{"variant_id", "sku", "location_id", "available",
"updated_at"}``, and ``set_level(sku, location_id, available)`` sets one.
SOAP calls ``GetInventory`` / ``UpdateInventory``; REST reads
``/api/v1/inventory_levels`` and posts to ``/api/v1/inventory_levels/set``.

The importer writes each level into the ``stock.quant`` of the Odoo location
mapped to the remote location (an inventory adjustment, so the change is a
stock move with its history); the exporter pushes a variant's on-hand
quantity at an Odoo location to the remote location mapped to it. Both read
and set what a location holds by itself (:func:`own_quantity`), never its
child locations' stock.

The platform echoes each level we set as an ``inventory.updated`` event: a
level equal to the one we last sent is that echo, and the import leaves the
quants alone (``myconnector.stock.level``), so a write and its echo cannot
amplify each other, nor undo a move made in Odoo since the write.
"""

from odoo import SUPERUSER_ID, _
from odoo.exceptions import UserError

from odoo.addons.component.core import Component

INVENTORY_MODEL = "stock.quant"
# Context key: an inventory applied by the import leaves the location's
# last inventory date alone (see ``stock.location.write``).
NO_INVENTORY_DATE = "myconnector_no_inventory_date"
_SOAP_KEYS = {
    "variantId": "variant_id",
    "locationId": "location_id",
    "updatedAt": "updated_at",
}


def own_quantity(product, location):
    """On-hand quantity of ``product`` at ``location`` by itself, its child
    locations not counted: what the platform's level of the remote location
    mapped to ``location`` stands for, both ways."""
    [(quantity,)] = (
        product.env["stock.quant"]
        .sudo()
        ._read_group(
            [("product_id", "=", product.id), ("location_id", "=", location.id)],
            [],
            ["quantity:sum"],
        )
    )
    return quantity or 0


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
    """Import the remote levels of variants into ``stock.quant``."""

    _name = "myconnector.inventory.importer"
    _inherit = ["base.importer", "generic.synchronizer", "myconnector.base"]
    _apply_on = INVENTORY_MODEL
    _usage = "inventory.importer"

    def run(self, variant_bindings):
        """Set the quant of each variant at each mapped location to the
        remote level (the sum of the remote locations mapped to it), in one
        inventory adjustment; return a message. A location whose levels are
        all the ones we sent last (the platform's echo) is left alone.

        ``self.counts`` tells ``fetched`` (variants whose levels were read)
        and, per variant, ``updated`` (a quant changed) and ``skipped`` (none
        did, or the variant is not storable).
        """
        storable = variant_bindings.filtered(lambda b: b.detailed_type == "product")
        skipped = variant_bindings - storable
        levels = self.env["myconnector.stock.level"]
        sent = levels._sent_levels(storable)
        received = []
        quants = self.env["stock.quant"]
        self.counts = {"fetched": len(storable), "updated": 0, "skipped": len(skipped)}
        for binding in storable:
            totals, changed = {}, set()
            for level in self.backend_adapter.levels(binding.default_code):
                remote, available = int(level["location_id"]), level["available"]
                location = self.backend_record._stock_location_for(remote)
                totals[location] = totals.get(location, 0) + available
                if sent.get((binding.id, remote)) != available:
                    changed.add(location)
                    received.append((binding.id, remote, available))
            counted = self.env["stock.quant"]
            for location in changed:
                counted |= self._counted(binding.odoo_id, location, totals[location])
            quants |= counted
            self.counts["updated" if counted else "skipped"] += 1
        levels._record("received", received)
        self._apply(quants)
        message = _("%(count)s quant(s) changed", count=len(quants))
        if skipped:
            # Stock is only kept for storable products: a product made a
            # consumable or a service in Odoo keeps no quants.
            message += _(
                "; not storable, skipped: %(skus)s",
                skus=", ".join(skipped.mapped("default_code")),
            )
        return message

    def _apply(self, quants):
        """Apply the counted ``quants``: one inventory adjustment."""
        # Stock read from the platform is not sent back to it. Applied as
        # the superuser: Odoo keeps this for stock managers, and the webhooks'
        # integration user (who runs this job) is not one; what it applies
        # is the platform's level, not a user's choice. The locations' last
        # inventory date is not touched: a synchronised level is no count
        # made there, and parallel chunk jobs would all write that one row.
        quants = quants.with_user(SUPERUSER_ID).with_context(
            connector_no_export=True, **{NO_INVENTORY_DATE: True}
        )
        if quants and quants.action_apply_inventory() is not None:
            raise UserError(
                _(
                    "Inventory conflict on %(quants)s: the stock changed while it "
                    "was counted; run the inventory import again.",
                    quants=", ".join(quants.mapped("display_name")),
                )
            )

    def _counted(self, product, location, quantity):
        """The quant of ``product`` at ``location`` with ``quantity`` counted
        (to be applied), or nothing when it already holds that quantity (a
        second run changes nothing)."""
        Quant = self.env["stock.quant"]
        if own_quantity(product, location) == quantity:
            return Quant
        return Quant.with_context(inventory_mode=True, connector_no_export=True).create(
            {
                "product_id": product.id,
                "location_id": location.id,
                "inventory_quantity": quantity,
            }
        )


class InventoryExporter(Component):
    """Push a variant's on-hand quantity at an Odoo location to the platform."""

    _name = "myconnector.inventory.exporter"
    _inherit = ["base.exporter", "generic.synchronizer", "myconnector.base"]
    _apply_on = INVENTORY_MODEL
    _usage = "inventory.exporter"

    def run(self, variant_binding, location):
        """Set the remote level to what ``location`` holds by itself, and
        remember it as sent (its echo then changes nothing)."""
        remote_location = self.backend_record._remote_location_for(location)
        quantity = int(own_quantity(variant_binding.odoo_id, location))
        level = self.backend_adapter.set_level(
            variant_binding.default_code, remote_location, quantity
        )
        self.env["myconnector.stock.level"]._record(
            "sent", [(variant_binding.id, remote_location, level["available"])]
        )
        return _(
            "%(sku)s at remote location %(loc)s set to %(qty)s",
            sku=level.get("sku"),
            loc=level.get("location_id"),
            qty=level.get("available"),
        )
