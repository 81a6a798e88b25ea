# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Plan before apply, and first imports that bind the existing catalogue.

A database already holds 100 of the platform's 250 products, by SKU: the
plan says 150 to create and 100 to bind and writes nothing; *Apply* does
exactly that, with no duplicate. Outside plans too, a new remote product
binds the unbound Odoo product with its SKU, a customer the contact with its
email, when the backend says so.
"""

from odoo.tests import tagged

from .common import MyConnectorCase


@tagged("post_install", "-at_install")
class TestImportPlan(MyConnectorCase):
    seed_records = 250

    def setUp(self):
        super().setUp()
        self.Template = self.env["product.template"].with_context(active_test=False)
        remote = self.remote_products()
        # The first 100 remote products, as someone entered them in Odoo
        # before the connector (another name, another price).
        self.existing = {
            product["sku"]: self.Template.create(
                {"name": f"Ours {sku}", "default_code": sku, "list_price": 1.0}
            )
            for product in sorted(remote.values(), key=lambda p: p["id"])[:100]
            for sku in [product["sku"]]
        }

    def written(self):
        """What a plan must not change: templates, variants, bindings,
        attribute values."""
        return {
            model: self.env[model].with_context(active_test=False).search_count([])
            for model in (
                "product.template",
                "product.product",
                "product.attribute.value",
                "myconnector.product.template",
                "myconnector.product.product",
            )
        }

    def plan_products(self):
        action = self.backend.with_context(
            connector_resource="products"
        ).action_plan_import()
        plan = self.env["generic.import.plan"].browse(action["res_id"])
        self.assertEqual(plan.state, "planning")
        self.run_jobs()
        self.assertEqual(plan.state, "ready")
        return plan

    def counts(self, plan):
        return {
            action: plan[f"{action}_count"]
            for action in ("create", "bind", "update", "skip", "archive", "fail")
        }

    def test_plan_writes_nothing_then_apply_does_exactly_it(self):
        before = self.written()
        plan = self.plan_products()
        self.assertEqual(
            self.counts(plan),
            {
                "create": 150,
                "bind": 100,
                "update": 0,
                "skip": 0,
                "archive": 0,
                "fail": 0,
            },
        )
        self.assertEqual(self.written(), before, "the plan wrote records")
        bind_lines = plan.line_ids.filtered(lambda line: line.action == "bind")
        skus = {
            line.external_id: self.remote_products()[line.external_id]["sku"]
            for line in bind_lines
        }
        self.assertEqual(
            {line.res_id for line in bind_lines},
            {template.id for template in self.existing.values()},
        )
        for line in bind_lines:
            self.assertEqual(line.res_id, self.existing[skus[line.external_id]].id)

        plan.action_apply()
        self.run_jobs()
        self.assertEqual(plan.run_id.state, "done", plan.run_id.message)
        after = self.written()
        self.assertEqual(
            after["product.template"], before["product.template"] + 150, "duplicates"
        )
        self.assertEqual(after["myconnector.product.template"], 250)
        for sku, template in self.existing.items():
            self.assertEqual(len(template.myconnector_bind_ids), 1, sku)
            self.assertNotEqual(template.name, f"Ours {sku}", "not imported onto it")
        coded = self.Template.search([("default_code", "!=", False)])
        self.assertEqual(
            len(set(coded.mapped("default_code"))), len(coded), "two share a SKU"
        )
        self.assertEqual(plan.run_id.created, 250)
        self.assertEqual(self.backend.products_imported_until, plan.watermark)
        self.assertMatchesRemote()

    def test_a_change_after_the_plan_is_read_by_the_next_import(self):
        """Apply imports what the plan read; the watermark moves to the
        plan's walk, so the next incremental import reads the change."""
        plan = self.plan_products()
        self.remote("PATCH", "/api/v1/products/3", json={"price": "3.33"})
        plan.action_apply()
        self.run_jobs()
        binding = self.bindings().filtered(lambda b: b.external_id == "3")
        self.assertNotEqual(binding.list_price, 3.33, "Apply read the remote again")
        self.backend.action_import_products()
        self.run_jobs()
        self.assertEqual(binding.list_price, 3.33)

    def test_plan_after_apply_reads_from_its_watermark(self):
        plan = self.plan_products()
        plan.action_apply()
        self.run_jobs()
        self.remote("PATCH", "/api/v1/products/3", json={"price": "3.33"})
        again = self.plan_products()
        self.assertEqual(again.since, plan.watermark)
        self.assertEqual(
            self.counts(again),
            {"create": 0, "bind": 0, "update": 1, "skip": 0, "archive": 0, "fail": 0},
        )
        self.assertEqual(again.line_ids.external_id, "3")


@tagged("post_install", "-at_install")
class TestBindExisting(MyConnectorCase):
    """An import without a plan binds existing records too."""

    seed_records = 6

    def setUp(self):
        super().setUp()
        self.Template = self.env["product.template"].with_context(active_test=False)
        remote = self.remote_products()
        self.ours = self.Template.create(
            [
                {"name": "Ours 1", "default_code": remote["1"]["sku"]},
                {"name": "Ours 2", "default_code": remote["2"]["sku"]},
            ]
        )

    def test_import_binds_products_by_sku(self):
        before = self.Template.search_count([])
        self.backend.action_import_products()
        self.run_jobs()
        self.assertEqual(self.Template.search_count([]), before + 4, "duplicates")
        self.assertEqual(
            self.ours.myconnector_bind_ids.mapped("external_id"), ["1", "2"]
        )
        self.assertMatchesRemote()

    def test_switched_off_creates_new_products(self):
        self.backend.product_bind_by_code = False
        before = self.Template.search_count([])
        self.backend.action_import_products()
        self.run_jobs()
        self.assertEqual(self.Template.search_count([]), before + 6)
        self.assertFalse(self.ours.myconnector_bind_ids)

    def test_customers_bind_by_email_in_one_batch(self):
        customer = self.remote("GET", "/api/v1/customers/1")["data"]
        contact = self.env["res.partner"].create(
            {"name": "Known", "email": customer["email"].upper()}
        )
        self.backend.customer_bind_by_email = True
        self.backend.action_import_customers()
        self.run_jobs()
        self.assertEqual(contact.myconnector_bind_ids.external_id, "1")
        emails = self.env["res.partner"].search(
            [("email", "=ilike", customer["email"])]
        )
        self.assertEqual(emails, contact, "a duplicate contact was created")

    def test_orders_planned_with_their_dependencies_undone(self):
        """An order's importer imports its customer and products to map it:
        in a plan they are read, then rolled back with the rest."""
        counted = ("sale.order", "res.partner", "product.template")
        before = {model: self.env[model].search_count([]) for model in counted}
        plan = self.env["generic.import.plan"]._start(self.backend, "orders")
        self.run_jobs()
        orders = self.remote("GET", "/api/v1/orders")["data"]["total"]
        self.assertTrue(orders)
        self.assertEqual((plan.create_count, plan.fail_count), (orders, 0))
        self.assertEqual(
            {model: self.env[model].search_count([]) for model in counted}, before
        )
