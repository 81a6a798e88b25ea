# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The binding of an Odoo contact to a MyConnector customer.

The customer's addresses are child contacts of the bound partner, found again
by the remote address id they keep (``myconnector_address_ref``), so a
re-import updates them in place. Deleting a binding forgets the link only:
the remote customer is never deleted from Odoo.
"""

from odoo import fields, models


class MyConnectorResPartner(models.Model):
    _name = "myconnector.res.partner"
    _inherit = "generic.binding"
    _inherits = {"res.partner": "odoo_id"}
    _description = "MyConnector Customer"

    odoo_id = fields.Many2one(
        "res.partner", string="Partner", required=True, ondelete="cascade", index=True
    )
    backend_id = fields.Many2one(
        "myconnector.backend", required=True, ondelete="restrict", index=True
    )
