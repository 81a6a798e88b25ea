# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Generic Connector",
    "summary": "Framework for REST, GraphQL and SOAP connectors on OCA connector "
    "and queue_job: transport, adapters, importers, webhook inbox",
    "version": "17.0.1.2.0",
    "category": "Connector",
    "website": "https://github.com/myconnector/odoo-connector-suite",
    "author": "MyConnector Suite contributors, Odoo Community Association (OCA)",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["connector", "queue_job", "mail", "stock"],
    "external_dependencies": {
        "python": ["prometheus_client", "requests", "tenacity", "zeep"]
    },
    "data": [
        "security/generic_connector_groups.xml",
        "security/ir.model.access.csv",
        "security/generic_webhook_miss_security.xml",
        "security/generic_connector_security.xml",
        "data/queue_job_data.xml",
        "data/ir_cron_data.xml",
        "views/generic_webhook_views.xml",
        "views/generic_sync_run_views.xml",
        "views/generic_webhook_miss_views.xml",
        "views/generic_import_plan_views.xml",
        "views/generic_binding_version_views.xml",
        "views/generic_connector_menus.xml",
    ],
    "assets": {
        "web.assets_backend": ["generic_connector/static/src/js/*.js"],
    },
    "installable": True,
}
