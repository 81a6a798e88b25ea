# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "MyConnector Webhooks",
    "summary": "Receive MyConnector webhooks: verify, store, acknowledge, "
    "process in a job",
    "version": "17.0.1.0.0",
    "category": "Connector",
    "website": "https://github.com/myconnector/odoo-connector-suite",
    "author": "MyConnector Suite contributors, Odoo Community Association (OCA)",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["myconnector"],
    "data": [
        "data/res_users_data.xml",
        "data/queue_job_data.xml",
        "views/myconnector_backend_views.xml",
    ],
    "assets": {
        "web.assets_tests": ["myconnector_webhook/static/tests/tours/*.js"],
    },
    "installable": True,
}
