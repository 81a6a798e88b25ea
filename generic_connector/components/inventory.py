# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Inventory: remote levels per variant and location, in and out.

The connector gives an inventory adapter (``_apply_on = "stock.quant"``)
with two methods, ``levels(key)``, the variant's level at each remote
location (records with a location id and an available quantity), and
``set_level(key, location_id, available)``, which sets one and returns the
level set; ``key`` is the variant binding's field named by
``_variant_key_field`` (its SKU by default). It then declares one importer,
one exporter and one listener inheriting these, with its stock level model
(``generic.stock.level``) and its variant bindings' field on
``product.product``. The backend inherits ``generic.inventory.backend``.

The importer writes each level into the ``stock.quant`` of the Odoo location
mapped to the remote location (an inventory adjustment, so the change is a
stock move with its history); the exporter pushes a variant's on-hand
quantity at an Odoo location to the remote location mapped to it. Both read
and set what a location holds by itself (:func:`own_quantity`).

A level equal to the one we last sent is the remote's echo of our write,
and the import leaves the quants alone (``generic.stock.level``), so a write
and its echo cannot amplify each other, nor undo a move made in Odoo since.
"""

from odoo import SUPERUSER_ID, _
from odoo.exceptions import UserError

from odoo.addons.component.core import AbstractComponent
from odoo.addons.component_event import skip_if

from ..stock import NO_INVENTORY_DATE, own_quantity
from .listener import no_export


class GenericInventorySynchronizer(AbstractComponent):
    """What the importer and exporter declare alike."""

    _name = "generic.inventory.synchronizer"
    _inherit = "generic.synchronizer"
    _apply_on = "stock.quant"

    #: the ``generic.stock.level`` model of the connector
    _level_model = None
    #: the variant binding's field the adapter knows the variant by
    _variant_key_field = "default_code"
    #: keys of a remote level
    _level_location_key = "location_id"
    _level_available_key = "available"
    #: the key of a remote level naming its variant, when levels are read
    #: with their products (``run_rows``), matched with ``_variant_key_field``
    _level_variant_key = None


class GenericInventoryImporter(AbstractComponent):
    """Import the remote levels of variants into ``stock.quant``."""

    _name = "generic.inventory.importer"
    _inherit = ["base.importer", "generic.inventory.synchronizer"]
    _usage = "inventory.importer"

    def run_rows(self, rows):
        """Import ``rows``, levels read with their products (each naming its
        variant by ``_level_variant_key``), as :meth:`run` does, with no call
        to the remote; levels of variants not bound are ignored."""
        by_key = {}
        for row in rows:
            by_key.setdefault(str(row[self._level_variant_key]), []).append(row)
        level_model = self.env[self._level_model]
        bindings = self.env[level_model._fields["binding_id"].comodel_name].search(
            [
                ("backend_id", "=", self.backend_record.id),
                (self._variant_key_field, "in", list(by_key)),
            ]
        )
        levels = {b.id: by_key[str(b[self._variant_key_field])] for b in bindings}
        return self.run(bindings, given=levels)

    def run(self, variant_bindings, given=None):
        """Set the quant of each variant at each mapped location to the
        remote level (the sum of the remote locations mapped to it), in one
        inventory adjustment; return a message. A location whose levels are
        all the ones we sent last (the remote's echo) is left alone. The
        levels are read from the adapter (``levels(key)``), unless given
        (``given``: ``{binding id: remote levels}``).

        ``self.counts`` tells ``fetched`` (variants whose levels were read)
        and, per variant, ``updated`` (a quant changed) and ``skipped`` (none
        did, or the variant is not storable).
        """
        storable = variant_bindings.filtered(lambda b: b.detailed_type == "product")
        skipped = variant_bindings - storable
        levels = self.env[self._level_model]
        sent = levels._sent_levels(storable)
        received = []
        quants = self.env["stock.quant"]
        self.counts = {"fetched": len(storable), "updated": 0, "skipped": len(skipped)}
        for binding in storable:
            totals, changed = {}, set()
            remote_levels = (
                given[binding.id]
                if given is not None
                else self.backend_adapter.levels(binding[self._variant_key_field])
            )
            for level in remote_levels:
                remote = int(level[self._level_location_key])
                available = level[self._level_available_key]
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
        # Stock read from the remote is not sent back to it. Applied as the
        # superuser: Odoo keeps this for stock managers, and the webhooks'
        # integration user (who runs this job) is not one; what it applies
        # is the remote level, not a user's choice. The locations' last
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


class GenericInventoryExporter(AbstractComponent):
    """Push a variant's on-hand quantity at an Odoo location to the remote."""

    _name = "generic.inventory.exporter"
    _inherit = ["base.exporter", "generic.inventory.synchronizer"]
    _usage = "inventory.exporter"

    def run(self, variant_binding, location):
        """Set the remote level to what ``location`` holds by itself, and
        remember it as sent (its echo then changes nothing)."""
        remote_location = self.backend_record._remote_location_for(location)
        quantity = int(own_quantity(variant_binding.odoo_id, location))
        level = self.backend_adapter.set_level(
            variant_binding[self._variant_key_field], remote_location, quantity
        )
        self.env[self._level_model]._record(
            "sent",
            [(variant_binding.id, remote_location, level[self._level_available_key])],
        )
        return _(
            "%(sku)s at remote location %(loc)s set to %(qty)s",
            sku=variant_binding.default_code,
            loc=remote_location,
            qty=level[self._level_available_key],
        )


class GenericStockQuantListener(AbstractComponent):
    """Stock out: a change of on-hand quantity in a mapped location schedules
    one debounced ``export_stock_level`` job per bound variant
    (``_export_stock_later``), which sends the quantity on hand at run time.

    It watches ``stock.quant`` (created, or its ``quantity`` written: every
    validated move and inventory adjustment ends there). The inventory
    import carries ``connector_no_export``: its quants are not sent back.
    """

    _name = "generic.stock.quant.listener"
    _inherit = "base.connector.listener"
    _apply_on = "stock.quant"

    #: the field of ``product.product`` holding the connector's variant bindings
    _binding_field = None
    #: the connector's ``generic.inventory.location`` model
    _location_model = None

    @skip_if(no_export)
    def on_record_create(self, record, fields=None):
        self._stock_changed(record)

    @skip_if(no_export)
    def on_record_write(self, record, fields=None):
        if "quantity" in (fields or ()):
            self._stock_changed(record)

    def _stock_changed(self, quants):
        quants = quants.sudo()
        bindings = quants.product_id[self._binding_field]
        if not bindings:
            return
        mappings = (
            self.env[self._location_model]
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
            for binding in quant.product_id[self._binding_field]:
                if (binding.backend_id.id, quant.location_id.id) in mapped:
                    binding._export_stock_later(quant.location_id)
