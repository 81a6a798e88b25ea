# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The MyConnector backend: one platform account, and its resources.

Its resources are declared once (``_connector_resources``): the framework
derives their import actions and jobs, schedulers, counts, smart buttons and
queue channels (``generic.backend.resources``). An import run is a driver
job that walks the remote pages and enqueues chunk jobs, then a finalising
job that moves the resource's watermark (``products_imported_until``...)
once every chunk is done, and never if one fails. The inventory run
(``_import_inventory``) has the same chunk jobs and finalising job, without
a watermark: levels are always read in full.
"""

import uuid

from odoo import _, api, fields, models

from odoo.addons.generic_connector.jobs import job_errors
from odoo.addons.generic_connector.resources import Resource
from odoo.addons.generic_connector.timestamps import to_odoo_datetime

PRODUCT_MODEL = "myconnector.product.template"
VARIANT_MODEL = "myconnector.product.product"
CUSTOMER_MODEL = "myconnector.res.partner"
ORDER_MODEL = "myconnector.sale.order"
INVENTORY_MODEL = "stock.quant"
WATERMARKS = (
    "products_imported_until",
    "customers_imported_until",
    "orders_imported_until",
)


class MyConnectorBackend(models.Model):
    _name = "myconnector.backend"
    _inherit = ["generic.backend", "generic.inventory.backend"]
    _description = "MyConnector Backend"
    _job_channel_parent = "root.myconnector"

    test_connection_path = fields.Char(default="/api/v1/products?per_page=1")
    product_protocol = fields.Selection(
        [("rest", "REST"), ("graphql", "GraphQL"), ("soap", "SOAP")],
        default="rest",
        required=True,
        help="How products are read: REST (/api/v1/products, paged by page "
        "number), GraphQL (/graphql, Relay cursors, nested variants, query "
        "cost budget) or SOAP (GetProducts: full walks only, no single-product "
        "read for webhooks). Importers, mappers and jobs are the same whichever.",
        tracking=True,
    )
    inventory_protocol = fields.Selection(
        [("soap", "SOAP"), ("rest", "REST")],
        default="soap",
        required=True,
        help="How inventory levels are read and written: SOAP (GetInventory, "
        "UpdateInventory, HTTP Basic: set a username and password) or REST "
        "(/api/v1/inventory_levels).",
        tracking=True,
    )
    inventory_location_ids = fields.One2many(
        "myconnector.inventory.location", "backend_id", string="Location Mapping"
    )
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
    orders_imported_until = fields.Char(
        readonly=True,
        copy=False,
        help="Remote time up to which orders are imported: the next "
        "incremental import asks for orders updated since then.",
    )
    order_confirm_statuses = fields.Char(
        default="paid,fulfilled",
        help="Remote order statuses (comma-separated) that confirm the order "
        "in Odoo.",
        tracking=True,
    )
    order_cancel_statuses = fields.Char(
        default="cancelled",
        help="Remote order statuses (comma-separated) that cancel the order "
        "in Odoo (unless it is delivered already). Other statuses leave a new "
        "order as a quotation.",
        tracking=True,
    )
    order_tax_id = fields.Many2one(
        "account.tax",
        string="Order Tax",
        domain=[("type_tax_use", "=", "sale")],
        help="Tax put on every imported order line. A tax included in price "
        "keeps the order's total equal to the platform's (its prices are what "
        "the customer paid); a tax excluded from price is added on top. Empty: "
        "lines carry no tax.",
        tracking=True,
    )
    order_user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        default=lambda self: self._default_order_user(),
        domain=[("share", "=", False)],
        tracking=True,
        help="Salesperson of the orders this backend imports: they are in "
        "their *My Quotations*. Empty: Odoo's default (the customer's "
        "salesperson, else the importing user).",
    )
    order_team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        compute="_compute_order_team_id",
        store=True,
        readonly=False,
        tracking=True,
        help="Sales team of the orders this backend imports; by default the "
        "salesperson's.",
    )
    customer_bind_by_email = fields.Boolean(
        string="Bind customers by email",
        help="A remote customer not bound yet is bound to the Odoo contact "
        "(a company or person without a parent and without a binding of this "
        "backend) with the same email, instead of creating a new contact. Off: "
        "imports never touch a contact they did not create.",
        tracking=True,
    )
    product_bind_by_code = fields.Boolean(
        string="Bind products by SKU or barcode",
        default=True,
        help="A remote product not bound yet is bound to the Odoo product "
        "without a binding of this backend that has its SKU (internal "
        "reference), else its barcode, instead of creating a duplicate: what "
        "a first import onto an existing catalogue needs. Plan the import to "
        "see which products it binds before it does.",
        tracking=True,
    )
    products_imported_until_at = fields.Datetime(
        compute="_compute_imported_until_at",
        string="Products imported until",
        help="The watermark of product imports, in your time zone.",
    )
    customers_imported_until_at = fields.Datetime(
        compute="_compute_imported_until_at",
        string="Customers imported until",
        help="The watermark of customer imports, in your time zone.",
    )
    orders_imported_until_at = fields.Datetime(
        compute="_compute_imported_until_at",
        string="Orders imported until",
        help="The watermark of order imports, in your time zone.",
    )
    import_interval = fields.Integer(
        string="Import every (minutes)",
        default=15,
        tracking=True,
        help="How often the scheduler imports this backend's products, "
        "customers and orders incrementally; 0 to import only by hand or by "
        "webhook. The scheduler wakes up every 5 minutes.",
    )
    product_binding_count = fields.Integer(compute="_compute_resource_counts")
    customer_binding_count = fields.Integer(compute="_compute_resource_counts")
    order_binding_count = fields.Integer(compute="_compute_resource_counts")

    @api.model
    def _connector_resources(self):
        scheduled = {"interval": 15, "interval_field": "import_interval"}
        return super()._connector_resources() + (
            Resource(
                "products",
                PRODUCT_MODEL,
                _("Import products"),
                watermark="products_imported_until",
                import_method="_import_products",
                bulk=True,
                count_field="product_binding_count",
                action="myconnector.myconnector_product_template_action",
                match_fields=("default_code", "barcode"),
                match_switch="product_bind_by_code",
                **scheduled,
            ),
            Resource(
                "customers",
                CUSTOMER_MODEL,
                _("Import customers"),
                watermark="customers_imported_until",
                import_method="_import_customers",
                bulk=True,
                count_field="customer_binding_count",
                action="myconnector.myconnector_res_partner_action",
                match_fields=("email",),
                match_switch="customer_bind_by_email",
                **scheduled,
            ),
            Resource(
                "orders",
                ORDER_MODEL,
                _("Import orders"),
                watermark="orders_imported_until",
                import_method="_import_orders",
                bulk=True,
                count_field="order_binding_count",
                action="myconnector.myconnector_sale_order_action",
                # An order is Odoo's once confirmed (deliveries, invoices):
                # missing ones come back by the incremental import.
                reconcile=False,
                **scheduled,
            ),
            Resource(
                "inventory",
                INVENTORY_MODEL,
                _("Import inventory"),
                import_method="_import_inventory",
            ),
        )

    def _order_status_action(self, remote_status):
        """``"confirm"``, ``"cancel"`` or ``None`` for a remote order status,
        per the backend's status mapping."""
        self.ensure_one()

        def statuses(text):
            return {s.strip() for s in (text or "").split(",") if s.strip()}

        if remote_status in statuses(self.order_cancel_statuses):
            return "cancel"
        if remote_status in statuses(self.order_confirm_statuses):
            return "confirm"
        return None

    @api.model
    def _default_order_user(self):
        """The user setting the backend up; the administrator when that is
        the superuser (a script, ``odoo-bin shell``): no one logs in as it."""
        user = self.env.user
        if user._is_superuser():
            user = self.env.ref("base.user_admin", raise_if_not_found=False) or user
        return user

    @api.depends("order_user_id", "company_id")
    def _compute_order_team_id(self):
        Team = self.env["crm.team"]
        for backend in self:
            user = backend.order_user_id
            backend.order_team_id = (
                Team._get_default_team_id(
                    user_id=user.id,
                    domain=[("company_id", "in", [False, backend.company_id.id])],
                )
                if user
                else False
            )

    @api.depends(
        "products_imported_until", "customers_imported_until", "orders_imported_until"
    )
    def _compute_imported_until_at(self):
        """The watermarks (canonical UTC strings) as datetimes, shown in the
        user's time zone."""
        for backend in self:
            for name in WATERMARKS:
                backend[f"{name}_at"] = to_odoo_datetime(backend[name])

    def _adapter_usage(self, model_name):
        if model_name == PRODUCT_MODEL and self.product_protocol != "rest":
            return f"backend.adapter.{self.product_protocol}"
        if model_name == INVENTORY_MODEL and self.inventory_protocol == "soap":
            return "backend.adapter.soap"
        return super()._adapter_usage(model_name)

    # The names the tours, tests, benchmarks and scripts call.

    def action_import_products(self):
        return self._action_import("products")

    def action_import_customers(self):
        return self._action_import("customers")

    def action_import_orders(self):
        return self._action_import("orders")

    def action_import_inventory(self):
        return self._action_import("inventory")

    def action_reimport_products(self):
        return self._action_reimport("products")

    def _import_inventory(self):
        """Job: the driver of an inventory run: one chunk job per
        ``import_chunk_size`` variants, and the job that closes the run once
        they are all done (``_sync_finalize``, without a watermark)."""
        self.ensure_one()
        run_key = self.env.context.get("job_uuid") or str(uuid.uuid4())
        run = self.env["generic.sync.run"]._start(
            self, run_key=run_key, resource=INVENTORY_MODEL
        )
        run._note(protocol=self.inventory_protocol)
        bindings = self.env[VARIANT_MODEL].search([("backend_id", "=", self.id)])
        size = max(self.import_chunk_size, 1)
        jobs = []
        for start in range(0, len(bindings), size):
            chunk = bindings[start : start + size]
            jobs.append(
                self.with_delay(
                    description=_(
                        "Import inventory of %(count)s variant(s) from %(name)s",
                        count=len(chunk),
                        name=self.name,
                    ),
                    **self._job_options(INVENTORY_MODEL),
                )._import_inventory_chunk(chunk, run_key=run_key)
            )
        if jobs:
            jobs.append(
                self.with_delay(
                    description=_(
                        "Finish inventory import from %(name)s", name=self.name
                    ),
                    **self._job_options(INVENTORY_MODEL),
                )._sync_finalize(None, None, [j.uuid for j in jobs], run_key)
            )
        run._adopt(jobs)
        return _("%(count)s variant(s) to read", count=len(bindings))

    def _import_inventory_chunk(self, variant_bindings, run_key=None):
        """Job: set the quants of ``variant_bindings`` to the remote levels
        (safe to run twice: a quant already right is left alone), counted in
        the run ``run_key`` (or the context's: a webhook's)."""
        self.ensure_one()
        run = self.env["generic.sync.run"]._for_key(run_key)
        with (
            self.work_on(INVENTORY_MODEL) as work,
            job_errors(),
            run._counting_calls() as stats,
        ):
            importer = work.component(usage="inventory.importer")
            message = importer.run(variant_bindings.exists())
        run._tally(stats, **importer.counts)
        return message

    # The job methods, by the names their job functions (retry patterns)
    # and the runs already in the queue know them.

    def _import_products(self, since=None):
        return self._import_resource("products", since)

    def _import_customers(self, since=None):
        return self._import_resource("customers", since)

    def _import_orders(self, since=None):
        """Customers and products an order needs are imported with it."""
        return self._import_resource("orders", since)
