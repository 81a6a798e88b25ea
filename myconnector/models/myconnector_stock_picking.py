# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The binding of a delivery to a fulfilment (a shipment) on the platform.

Both ways: a delivery of a bound order validated in Odoo becomes one remote
fulfilment of what it shipped (``export_fulfillment``, a job); a fulfilment
made on the platform is bound to the delivery it validated in Odoo (when the
backend says so). A delivery bound to a fulfilment is never sent again, so
a retried job, or the import of a fulfilment Odoo sent, makes nothing twice.
"""

from odoo import _, fields, models

from odoo.addons.generic_connector.jobs import job_errors


class MyConnectorStockPicking(models.Model):
    _name = "myconnector.stock.picking"
    _inherit = ["generic.binding", "myconnector.order.child.binding"]
    _inherits = {"stock.picking": "odoo_id"}
    _description = "MyConnector Fulfilment"

    odoo_id = fields.Many2one(
        "stock.picking", string="Delivery", required=True, ondelete="cascade"
    )
    remote_tracking_number = fields.Char(readonly=True)
    remote_carrier = fields.Char(readonly=True)

    def _export_fulfillment_later(self):
        """Schedule ``export_fulfillment`` once per binding."""
        self._delay_once(
            "fulfillment",
            "export_fulfillment",
            (),
            lambda binding: _(
                "Send delivery %(picking)s to MyConnector as a fulfilment",
                picking=binding.odoo_id.name,
            ),
        )

    def export_fulfillment(self):
        """Job: create the remote fulfilment of this delivery's shipped lines.
        Safe to run twice: a bound delivery is not sent again, and one the
        platform already has (a job that ended before Odoo saved the
        binding) is found by its reference and bound."""
        self.env["generic.export.pending"]._release(self.env.context.get("job_uuid"))
        if not self.exists():
            return _("Nothing to export: the binding no longer exists")
        self.ensure_one()
        with self.backend_id.work_on(self._name) as work, job_errors():
            return work.component(usage="fulfillment.exporter").run(self)
