# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fields shared by several MyConnector bindings, declared once.

* ``myconnector.image.binding``: the remote image's checksum (downloaded
  again only when it differs) and why it could not be imported; on the
  product and variant bindings (``components/product_catalog.py``).
* ``myconnector.order.child.binding``: a binding of what follows an order
  (a delivery's fulfilment, a refund's credit note): its backend and its
  order's binding.
"""

from odoo import fields, models


class MyConnectorImageBinding(models.AbstractModel):
    _name = "myconnector.image.binding"
    _description = "MyConnector Binding with an Image"

    image_checksum = fields.Char(
        copy=False,
        readonly=True,
        help="Checksum of the remote image last imported: the image is "
        "downloaded again only when the remote one differs.",
    )
    image_error = fields.Char(
        copy=False,
        readonly=True,
        help="Why the remote image could not be imported (empty when it was).",
    )


class MyConnectorOrderChildBinding(models.AbstractModel):
    _name = "myconnector.order.child.binding"
    _description = "MyConnector Binding of what Follows an Order"

    backend_id = fields.Many2one(
        "myconnector.backend", required=True, ondelete="restrict", index=True
    )
    order_binding_id = fields.Many2one(
        "myconnector.sale.order",
        string="MyConnector Order",
        required=True,
        ondelete="cascade",
        index=True,
    )
