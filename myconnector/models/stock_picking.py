# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Deliveries: their bindings to the platform's fulfilments, and the carrier
and tracking reference a shipment is sent with.

Odoo's own ``carrier_tracking_ref`` and ``carrier_id`` come with the
Delivery addon (``stock_delivery``), which this connector does not depend
on: two small fields hold them here, and the exporter prefers Delivery's
values when that addon is installed and they are set.
"""

from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    myconnector_bind_ids = fields.One2many(
        "myconnector.stock.picking",
        "odoo_id",
        string="MyConnector Fulfilments",
        readonly=True,
    )
    myconnector_carrier = fields.Char(
        string="Carrier",
        copy=False,
        help="Carrier sent to the platform with this shipment (else the "
        "shipping method's name, else the backend's default carrier).",
    )
    myconnector_tracking_ref = fields.Char(
        string="Tracking Reference",
        copy=False,
        help="Tracking number sent to the platform with this shipment; set it "
        "before validating the delivery.",
    )

    def _myconnector_carrier(self, backend):
        """The carrier name sent with this shipment."""
        self.ensure_one()
        carrier = self.myconnector_carrier
        if not carrier and "carrier_id" in self._fields:
            carrier = self.carrier_id.name
        return carrier or backend.fulfillment_carrier or None

    def _myconnector_tracking_ref(self):
        """The tracking reference sent with this shipment."""
        self.ensure_one()
        ref = self.myconnector_tracking_ref
        if not ref and "carrier_tracking_ref" in self._fields:
            ref = self.carrier_tracking_ref
        return ref or None
