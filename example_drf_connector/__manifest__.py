# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Example DRF Connector",
    "summary": "generic_connector's example: a Django REST framework shop's "
    "products, variants and stock, declared (installed by the tests only)",
    "version": "17.0.1.0.0",
    "category": "Hidden",
    "website": "https://github.com/myconnector/odoo-connector-suite",
    "author": "MyConnector Suite contributors, Odoo Community Association (OCA)",
    "license": "LGPL-3",
    "depends": ["generic_connector"],
    "data": ["security/ir.model.access.csv", "data/product_attribute.xml"],
    "installable": True,
}
