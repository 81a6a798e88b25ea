# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The root component of the MyConnector collection, and its binder."""

from odoo.addons.component.core import AbstractComponent, Component


class MyConnectorBase(AbstractComponent):
    _name = "myconnector.base"
    _inherit = "generic.base"
    _collection = "myconnector.backend"


class MyConnectorBinder(Component):
    _name = "myconnector.binder"
    _inherit = ["generic.binder", "myconnector.base"]
    _apply_on = [
        "myconnector.product.template",
        "myconnector.product.product",
        "myconnector.res.partner",
        "myconnector.sale.order",
    ]
