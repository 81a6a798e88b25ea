# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "MyConnector",
    "summary": "Synchronise products, customers, orders and stock with the "
    "MyConnector commerce platform",
    "version": "17.0.1.0.0",
    "category": "Connector",
    "website": "https://github.com/myconnector/odoo-connector-suite",
    "author": "MyConnector Suite contributors, Odoo Community Association (OCA)",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": [
        "generic_connector",
        "account",
        "product",
        "stock",
        "sale_management",
        "sale_stock",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/myconnector_security.xml",
        "data/queue_job_data.xml",
        "data/queue_job_after_sale_data.xml",
        "data/product_attribute_data.xml",
        "data/myconnector_payment_data.xml",
        "views/myconnector_backend_views.xml",
        "views/myconnector_product_template_views.xml",
        "views/myconnector_res_partner_views.xml",
        "views/myconnector_product_product_views.xml",
        "views/myconnector_sale_order_views.xml",
        "views/myconnector_after_sale_views.xml",
        "views/myconnector_payment_views.xml",
        "views/myconnector_menus.xml",
    ],
    "installable": True,
}
