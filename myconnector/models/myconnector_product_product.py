# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The binding of an Odoo product variant to a MyConnector variant.

Unique per backend on the remote variant id (``generic.binding``). Its
``odoo_id`` is ``ondelete="restrict"``: when a variant disappears remotely
and its attribute value is taken off the template, Odoo cannot delete a bound
variant and archives it instead (``product.product._unlink_or_archive``), so
its history (moves, order lines, the binding itself) is kept.
"""

from odoo import _, fields, models

from odoo.addons.generic_connector.components.core import job_errors


class MyConnectorProductProduct(models.Model):
    _name = "myconnector.product.product"
    _inherit = "generic.binding"
    _inherits = {"product.product": "odoo_id"}
    _description = "MyConnector Product Variant"

    odoo_id = fields.Many2one(
        "product.product", string="Product Variant", required=True, ondelete="restrict"
    )
    backend_id = fields.Many2one(
        "myconnector.backend", required=True, ondelete="restrict", index=True
    )

    def export_stock_level(self, location):
        """Job: set the platform's level of this variant at the remote
        location mapped to ``location`` to its on-hand quantity there.

        Safe to run twice: it sends the quantity at run time, an absolute
        value. The stock listener enqueues it through
        ``_export_stock_later``.
        """
        self.env["generic.export.pending"]._release(self.env.context.get("job_uuid"))
        if not self.exists():
            return _("Nothing to export: the binding no longer exists")
        self.ensure_one()
        with self.backend_id.work_on("stock.quant") as work, job_errors():
            return work.component(usage="inventory.exporter").run(self, location)

    def _export_stock_later(self, location):
        """Schedule ``export_stock_level(location)`` once per binding: stock
        moves in a row make one export, which sends the quantity then."""
        self._delay_once(
            f"stock:{location.id}",
            "export_stock_level",
            (location,),
            lambda binding: _(
                "Export stock of %(sku)s at %(location)s",
                sku=binding.default_code,
                location=location.display_name,
            ),
        )
