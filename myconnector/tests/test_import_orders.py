# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import Counter
from contextlib import ExitStack
from decimal import Decimal
from unittest.mock import patch

from odoo import SUPERUSER_ID
from odoo.tests import tagged

from .common import MyConnectorCase

EXPORT_METHODS = ("export_record", "export_stock_level", "export_order_status")
STATES = {
    "pending": "draft",
    "paid": "sale",
    "fulfilled": "sale",
    "cancelled": "cancel",
}


class OrderCaseMixin:
    """Helpers of the order tests (the sandbox plays the platform)."""

    def orders(self):
        return self.env["myconnector.sale.order"].search(
            [("backend_id", "=", self.backend.id)]
        )

    def remote_orders(self):
        orders, page = {}, 1
        while True:
            data = self.remote(
                "GET", "/api/v1/orders", params={"page": page, "per_page": 250}
            )["data"]
            orders.update({str(o["id"]): o for o in data["items"]})
            if len(orders) >= data["total"] or not data["items"]:
                return orders
            page += 1

    def export_jobs(self):
        return self.env["queue.job"].search([("method_name", "in", EXPORT_METHODS)])

    def assertOrderMatches(self, binding, remote, check_state=True):
        order = binding.odoo_id
        self.assertEqual(
            f"{order.amount_total:.2f}", remote["total"], f"total of {remote['id']}"
        )
        self.assertEqual(order.client_order_ref, remote["number"])
        self.assertEqual(order.currency_id.name, remote["currency"])
        customer = self.env["myconnector.res.partner"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("external_id", "=", str(remote["customer_id"])),
            ]
        )
        self.assertEqual(order.partner_id, customer.odoo_id)
        lines = {line.myconnector_line_ref: line for line in order.order_line}
        self.assertEqual(set(lines), {str(x["id"]) for x in remote["lines"]})
        for item in remote["lines"]:
            line = lines[str(item["id"])]
            self.assertEqual(line.product_id.default_code, item["sku"])
            self.assertEqual(line.product_uom_qty, item["quantity"])
            self.assertEqual(f"{line.price_unit:.2f}", item["price"])
            self.assertEqual(
                Decimal(f"{line.discount:.2f}"), Decimal(item.get("discount") or 0)
            )
        if check_state:
            self.assertEqual(order.state, STATES[remote["status"]], remote["id"])
        self.assertEqual(binding.remote_status, remote["status"])

    def snapshot(self):
        return {
            b.external_id: (
                b.remote_updated_at,
                b.state,
                round(b.amount_total, 2),
                b.remote_change_note,
                tuple(
                    (x.myconnector_line_ref, x.product_uom_qty, round(x.price_unit, 2))
                    for x in b.order_line.sorted("id")
                ),
            )
            for b in self.orders()
        }


@tagged("post_install", "-at_install")
class TestImportOrders(OrderCaseMixin, MyConnectorCase):
    seed_records = 200  # 200 products, 100 customers, 200 orders

    def test_import_orders_with_dependencies_again_incremental(self):
        self.backend.action_import_orders()
        self.assertEqual(self.run_jobs()["failed"], 0)
        remote = self.remote_orders()
        self.assertEqual(len(remote), 200)
        bindings = self.orders()
        self.assertEqual(set(bindings.mapped("external_id")), set(remote))
        # Customers and products came in as dependencies, in the order jobs.
        customers = self.env["myconnector.res.partner"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(
            set(customers.mapped("external_id")),
            {str(o["customer_id"]) for o in remote.values()},
        )
        self.assertEqual(
            set(self.bindings().mapped("external_id")),
            {str(x["product_id"]) for o in remote.values() for x in o["lines"]},
        )
        self.assertGreaterEqual(len(customers), 80)
        for binding in bindings:
            self.assertOrderMatches(binding, remote[binding.external_id])
        self.assertTrue(
            any(x["discount"] != "0.00" for o in remote.values() for x in o["lines"])
        )
        self.assertEqual(
            set(bindings.mapped("state")), {"draft", "sale", "cancel"}, "statuses"
        )
        self.assertTrue(self.backend.orders_imported_until)
        # The import confirmed and cancelled orders: nothing goes back out.
        self.assertFalse(self.export_jobs())
        before = self.snapshot()

        # Again: nothing changes.
        self.backend.action_import_orders()
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertEqual(self.snapshot(), before)

        # Five orders change remotely: three quotations get a new quantity,
        # one is cancelled, one confirmed order gets a new quantity (logged,
        # not applied). Only those five change in Odoo.
        pending = sorted(
            (o for o in remote.values() if o["status"] == "pending"),
            key=lambda o: o["id"],
        )
        paid = next(o for o in remote.values() if o["status"] == "paid")
        updated = [str(o["id"]) for o in pending[:3]]
        for external_id in updated:
            self.remote(
                "POST",
                "/admin/simulate/order_update",
                json={"order_id": int(external_id)},
            )
        cancelled = str(pending[3]["id"])
        self.remote(
            "POST", "/admin/simulate/order_cancel", json={"order_id": int(cancelled)}
        )
        self.remote(
            "POST", "/admin/simulate/order_update", json={"order_id": paid["id"]}
        )
        self.backend.action_import_orders()
        self.assertEqual(self.run_jobs()["failed"], 0)
        after = self.snapshot()
        changed = sorted(k for k in after if after[k] != before[k])
        self.assertEqual(
            changed,
            sorted([*updated, cancelled, str(paid["id"])]),
            {k: (before[k], after[k]) for k in changed},
        )
        remote = self.remote_orders()
        by_id = {b.external_id: b for b in self.orders()}
        for external_id in [*updated, cancelled]:
            self.assertOrderMatches(by_id[external_id], remote[external_id])
        self.assertEqual(by_id[cancelled].state, "cancel")
        locked = by_id[str(paid["id"])]
        self.assertEqual(locked.state, "sale")
        self.assertNotEqual(
            f"{locked.amount_total:.2f}", remote[str(paid["id"])]["total"]
        )
        self.assertEqual(locked.remote_total, remote[str(paid["id"])]["total"])
        self.assertIn("not applied", locked.remote_change_note)
        self.assertIn("not applied", locked.odoo_id.message_ids[:1].body.striptags())
        self.assertFalse(self.export_jobs())


@tagged("post_install", "-at_install")
class TestOrderChunkLookups(OrderCaseMixin, MyConnectorCase):
    seed_records = 30  # 30 products, 15 customers, 30 orders

    def test_chunk_looks_up_its_customers_and_variants_once(self):
        """A chunk of orders reads the bindings of its customers and variants
        in one search each, not two or three per order and line."""
        self.backend.action_import_customers()
        self.backend.action_import_products()
        self.assertEqual(self.run_jobs()["failed"], 0)
        records = list(self.remote_orders().values())[:20]
        searches = Counter()
        with ExitStack() as stack:
            for model in ("myconnector.res.partner", "myconnector.product.product"):
                cls = type(self.env[model])

                def counting(
                    this, domain, *args, _model=model, _search=cls.search, **kw
                ):
                    if any(term[0] == "external_id" for term in domain):
                        searches[_model] += 1
                    return _search(this, domain, *args, **kw)

                stack.enter_context(patch.object(cls, "search", counting))
            result = self.env["myconnector.sale.order"].import_chunk(
                self.backend, records
            )
        self.assertIn("created: 20", result)
        self.assertEqual(
            searches, {"myconnector.res.partner": 1, "myconnector.product.product": 1}
        )
        by_id = {b.external_id: b for b in self.orders()}
        for record in records:
            self.assertOrderMatches(by_id[str(record["id"])], record)


@tagged("post_install", "-at_install")
class TestOrderTaxesAndStatuses(OrderCaseMixin, MyConnectorCase):
    seed_records = 12

    def make_tax(self, amount, included):
        return self.env["account.tax"].create(
            {
                "name": f"MyConnector test {amount}% {'incl' if included else 'excl'}",
                "amount": amount,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include": included,
            }
        )

    def create_remote_order(self, **fields):
        body = {
            "customer_id": 1,
            "lines": [
                {"sku": "SKU-00001", "quantity": 3, "price": "19.99", "discount": "10"},
                {"sku": "SKU-00002", "quantity": 1, "price": "0.05", "discount": "50"},
                {"sku": "SKU-00003", "quantity": 7, "price": "3.33"},
            ],
        }
        body.update(fields)
        return self.remote("POST", "/api/v1/orders", json=body)["data"]

    def import_order(self, order):
        self.env["myconnector.sale.order"].import_record(self.backend, order["id"])
        return self.orders().filtered(lambda b: b.external_id == str(order["id"]))

    def test_cron_runs_order_import(self):
        cron = self.env.ref("myconnector.ir_cron_import_orders")
        self.assertTrue(cron.active)
        cron.method_direct_trigger()
        cron.method_direct_trigger()  # a run not started yet is not doubled
        runs = (
            self.env["queue.job"]
            .search([("method_name", "=", "_import_orders")])
            .filtered(lambda j: j.records == self.backend)
        )
        self.assertEqual(len(runs), 1)
        self.assertEqual(
            runs.channel, f"root.myconnector.backend_{self.backend.id}.orders"
        )
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertEqual(self.backend.order_binding_count, 12)
        self.assertTrue(self.backend.orders_imported_until)
        self.assertFalse(self.backend.customers_imported_until)
        action = self.backend.with_context(
            connector_resource="orders"
        ).action_view_bindings()
        self.assertEqual(action["res_model"], "myconnector.sale.order")
        self.assertEqual(
            self.env[action["res_model"]].search(action["domain"]), self.orders()
        )
        # The next run asks for what changed since the watermark: nothing.
        self.backend.action_import_orders()
        self.run_jobs()
        self.assertFalse(
            self.env["queue.job"].search(
                [("method_name", "=", "import_chunk"), ("state", "!=", "done")]
            )
        )
        self.assertEqual(
            len(self.env["queue.job"].search([("method_name", "=", "import_chunk")])),
            1,
        )

    def test_orders_get_the_backends_salesperson_and_team(self):
        seller = self.env["res.users"].create(
            {
                "name": "Shop Seller",
                "login": "shop-seller",
                "groups_id": [(4, self.env.ref("sales_team.group_sale_salesman").id)],
            }
        )
        team = self.env["crm.team"].create({"name": "Web shop", "user_id": seller.id})
        self.backend.order_user_id = seller
        self.assertEqual(self.backend.order_team_id, team)
        binding = self.import_order(self.create_remote_order())
        self.assertEqual((binding.user_id, binding.team_id), (seller, team))
        # "My Quotations" of the salesperson lists it.
        mine = (
            self.env["sale.order"]
            .with_user(seller)
            .search([("user_id", "=", seller.id)])
        )
        self.assertIn(binding.odoo_id, mine)

    def test_scripted_backend_sells_as_the_administrator(self):
        # The demo's backend is created in ``odoo-bin shell``, as the superuser.
        backend = self.backend.copy({"name": "Scripted", "webhook_token": "scripted"})
        fresh = self.env["myconnector.backend"].with_user(SUPERUSER_ID)
        self.assertEqual(fresh._default_order_user(), self.env.ref("base.user_admin"))
        self.assertTrue(backend.order_team_id)

    def test_note_of_a_change_to_a_confirmed_order_in_words(self):
        order = self.create_remote_order(
            lines=[{"sku": "SKU-00001", "quantity": 3, "price": "19.99"}]
        )
        binding = self.import_order(order)
        binding.odoo_id.action_confirm()
        self.remote(
            "POST", "/admin/simulate/order_update", json={"order_id": order["id"]}
        )
        self.import_order(order)
        note = binding.remote_change_note
        self.assertIn("not applied because the order is confirmed in Odoo", note)
        self.assertIn("SKU-00001 x ", note)
        self.assertNotIn("%", note)  # no discount: none shown, not "(-0.00%)"
        # The platform's total as money, in the order's currency.
        self.assertAlmostEqual(
            binding.remote_amount_total, float(binding.remote_total), places=2
        )

    def test_tax_included_keeps_the_platform_total(self):
        self.backend.order_tax_id = self.make_tax(21, included=True)
        order = self.create_remote_order()
        binding = self.import_order(order)
        self.assertOrderMatches(binding, order)
        self.assertGreater(binding.amount_tax, 0)
        self.assertEqual(binding.order_line.tax_id, self.backend.order_tax_id)

    def test_default_tax_excluded_is_added(self):
        self.backend.order_tax_id = self.make_tax(10, included=False)
        order = self.create_remote_order()
        binding = self.import_order(order)
        self.assertEqual(f"{binding.amount_untaxed:.2f}", order["total"])
        self.assertAlmostEqual(
            binding.amount_total, binding.amount_untaxed + binding.amount_tax
        )
        self.assertGreater(binding.amount_tax, 0)

    def test_status_mapping_is_configurable(self):
        self.backend.order_confirm_statuses = "fulfilled"
        paid = self.import_order(self.create_remote_order(status="paid"))
        self.assertEqual(paid.state, "draft")
        fulfilled = self.import_order(self.create_remote_order(status="fulfilled"))
        self.assertEqual(fulfilled.state, "sale")

    def test_foreign_currency_gets_a_pricelist(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        binding = self.import_order(self.create_remote_order(currency="EUR"))
        self.assertEqual(binding.currency_id, eur)
        self.assertEqual(binding.pricelist_id.currency_id, eur)
        again = self.import_order(self.create_remote_order(currency="EUR"))
        self.assertEqual(again.pricelist_id, binding.pricelist_id)

    def test_malformed_order_fails_alone_in_its_chunk(self):
        good = self.create_remote_order()
        bad = dict(self.create_remote_order(), id=99999)
        bad["lines"] = [dict(bad["lines"][0], discount="lots")]
        Order = self.env["myconnector.sale.order"]
        message = Order.import_chunk(self.backend, [good, bad])
        self.assertIn("99999", message)
        self.assertEqual(self.orders().mapped("external_id"), [str(good["id"])])
        isolated = self.env["queue.job"].search([("method_name", "=", "import_record")])
        self.assertEqual(len(isolated), 1)

    def test_unknown_currency_fails_alone_with_its_reason(self):
        order = self.create_remote_order(currency="XTS")
        with self.assertRaisesRegex(ValueError, "currency XTS"):
            self.import_order(order)
        self.assertFalse(self.orders())

    def test_new_customer_and_product_imported_with_the_order(self):
        customer = self.remote(
            "POST",
            "/api/v1/customers",
            json={"email": "new@example.com", "first_name": "New"},
        )["data"]
        product = self.remote(
            "POST",
            "/api/v1/products",
            json={"title": "Brand new", "price": "7.50", "sku": "NEW-1"},
        )["data"]
        order = self.create_remote_order(
            customer_id=customer["id"], lines=[{"sku": "NEW-1", "quantity": 2}]
        )
        binding = self.import_order(order)
        self.assertOrderMatches(binding, order)
        self.assertEqual(binding.partner_id.email, "new@example.com")
        self.assertEqual(
            self.bindings()
            .filtered(lambda b: b.external_id == str(product["id"]))
            .name,
            "Brand new",
        )
