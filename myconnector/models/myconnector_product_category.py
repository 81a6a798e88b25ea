# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The binding of an Odoo product category to a MyConnector category.

The platform's categories are a tree; each is a ``product.category`` under
its parent, bound by the remote id (``myconnector.product.category.importer``
makes them while importing products). With ``website_sale`` installed, each
also has an eCommerce category (``product.public.category``), kept by id:
this addon does not depend on ``website_sale``.
"""

from odoo import fields, models


class MyConnectorProductCategory(models.Model):
    _name = "myconnector.product.category"
    _inherit = "generic.binding"
    _inherits = {"product.category": "odoo_id"}
    _description = "MyConnector Category"

    odoo_id = fields.Many2one(
        "product.category", required=True, ondelete="cascade", index=True
    )
    backend_id = fields.Many2one(
        "myconnector.backend", required=True, ondelete="cascade", index=True
    )
    public_category_ref = fields.Integer(
        string="eCommerce Category ID",
        copy=False,
        help="The product.public.category made for this category when "
        "eCommerce (website_sale) is installed.",
    )
