# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The MyConnector backend: one platform account, and its imports.

An import run is a job (``_import_products``, ``_import_customers``) that
walks the remote pages and enqueues chunk jobs, then a finalising job that
moves the resource's watermark (``products_imported_until``...) once every
chunk is done, and never if one fails: the next incremental run then starts
from the last run that fully succeeded (``generic.backend._import_run``).
"""

from odoo import _, api, fields, models

PRODUCT_MODEL = "myconnector.product.template"
CUSTOMER_MODEL = "myconnector.res.partner"


class MyConnectorBackend(models.Model):
    _name = "myconnector.backend"
    _inherit = "generic.backend"
    _description = "MyConnector Backend"

    base_url = fields.Char(default="http://127.0.0.1:8070")
    test_connection_path = fields.Char(default="/api/v1/products?per_page=1")
    products_imported_until = fields.Char(
        readonly=True,
        copy=False,
        help="Remote time up to which products are imported: the next "
        "incremental import asks for products updated since then.",
    )
    customers_imported_until = fields.Char(
        readonly=True,
        copy=False,
        help="Remote time up to which customers are imported: the next "
        "incremental import asks for customers updated since then.",
    )
    customer_bind_by_email = fields.Boolean(
        string="Bind customers by email",
        help="A remote customer not bound yet is bound to the Odoo contact "
        "(a company or person without a parent and without a binding of this "
        "backend) with the same email, instead of creating a new contact. Off: "
        "imports never touch a contact they did not create.",
    )
    product_binding_ids = fields.One2many(PRODUCT_MODEL, "backend_id")
    product_binding_count = fields.Integer(compute="_compute_product_binding_count")

    customer_binding_ids = fields.One2many(CUSTOMER_MODEL, "backend_id")
    customer_binding_count = fields.Integer(compute="_compute_customer_binding_count")

    def _binding_counts(self, model_name):
        return dict(
            self.env[model_name]._read_group(
                [("backend_id", "in", self.ids)], ["backend_id"], ["__count"]
            )
        )

    @api.depends("product_binding_ids")
    def _compute_product_binding_count(self):
        counts = self._binding_counts(PRODUCT_MODEL)
        for backend in self:
            backend.product_binding_count = counts.get(backend, 0)

    @api.depends("customer_binding_ids")
    def _compute_customer_binding_count(self):
        counts = self._binding_counts(CUSTOMER_MODEL)
        for backend in self:
            backend.customer_binding_count = counts.get(backend, 0)

    def action_import_products(self):
        """Enqueue an incremental product import (a full one the first time)."""
        return self._enqueue_import(
            "_import_products", _("Import products"), "products_imported_until"
        )

    def action_import_customers(self):
        """Enqueue an incremental customer import (a full one the first time)."""
        return self._enqueue_import(
            "_import_customers", _("Import customers"), "customers_imported_until"
        )

    def _bindings_action(self, xml_id):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        action["domain"] = [("backend_id", "=", self.id)]
        return action

    def action_view_product_bindings(self):
        return self._bindings_action("myconnector.myconnector_product_template_action")

    def action_view_customer_bindings(self):
        return self._bindings_action("myconnector.myconnector_res_partner_action")

    @api.model
    def _scheduler_import_products(self):
        self.search([]).action_import_products()

    @api.model
    def _scheduler_import_customers(self):
        self.search([]).action_import_customers()

    def _import_products(self, since=None):
        """Job: enqueue chunk jobs for products updated since ``since``, and
        the job that moves the watermark when they are all done."""
        return self._import_run(PRODUCT_MODEL, "products_imported_until", since)

    def _import_customers(self, since=None):
        """Job: the customers' import run (see ``_import_products``)."""
        return self._import_run(CUSTOMER_MODEL, "customers_imported_until", since)
