# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The binding of a product variant to a remote variant (abstract), and the
export of its stock level.

Its ``odoo_id`` is ``ondelete="restrict"``: when a variant disappears
remotely and its attribute value is taken off the template, Odoo cannot
delete a bound variant and archives it instead
(``product.product._unlink_or_archive``), so its history (moves, order
lines, the binding itself) is kept. A connector's variant binding inherits
it, adds ``_inherits = {"product.product": "odoo_id"}`` and its
``backend_id``, and declares the job function of ``export_stock_level``.
"""

from odoo import _, fields, models

from ..jobs import job_errors


class GenericProductVariantBinding(models.AbstractModel):
    _name = "generic.product.variant.binding"
    _inherit = "generic.binding"
    _description = "Generic Product Variant Binding (abstract)"

    # Indexed on its own: the variant's bindings are read by product
    # (``product.product``'s binding list), and the (backend, product)
    # unique index does not serve that; without it, each chunk of an import
    # read the whole binding table (100,000 products: 160,000 rows a chunk).
    odoo_id = fields.Many2one(
        "product.product",
        string="Product Variant",
        required=True,
        ondelete="restrict",
        index=True,
    )

    def export_stock_level(self, location):
        """Job: set the remote level of this variant at the remote location
        mapped to ``location`` to its on-hand quantity there.

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
