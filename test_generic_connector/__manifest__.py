# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Generic Connector Tests",
    "summary": "Tests of generic_connector on its own: a minimal connector on "
    "contact tags, with canned remote answers",
    "version": "17.0.1.0.0",
    "category": "Hidden",
    "website": "https://github.com/myconnector/odoo-connector-suite",
    "author": "MyConnector Suite contributors, Odoo Community Association (OCA)",
    "license": "LGPL-3",
    "depends": ["generic_connector"],
    "data": ["security/ir.model.access.csv"],
    "installable": True,
}
