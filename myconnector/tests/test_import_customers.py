# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import MyConnectorCase


@tagged("post_install", "-at_install")
class TestImportCustomers(MyConnectorCase):
    seed_records = 200  # and so 100 customers

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Customer = cls.env["myconnector.res.partner"]

    def customers(self):
        return self.Customer.search([("backend_id", "=", self.backend.id)])

    def remote_customers(self):
        data = self.remote("GET", "/api/v1/customers", params={"per_page": 250})
        return {str(c["id"]): c for c in data["data"]["items"]}

    def snapshot(self):
        return {
            b.external_id: (
                b.name,
                b.email,
                b.phone,
                b.remote_updated_at,
                tuple(
                    (c.type, c.street, c.city, c.zip, c.country_id.code, c.active)
                    for c in b.child_ids.sorted("id")
                ),
            )
            for b in self.customers()
        }

    def assertMatchesRemote(self):
        remote = self.remote_customers()
        bindings = self.customers()
        self.assertEqual(set(bindings.mapped("external_id")), set(remote))
        for binding in bindings:
            customer = remote[binding.external_id]
            self.assertEqual(
                binding.name, f"{customer['first_name']} {customer['last_name']}"
            )
            self.assertEqual(binding.email, customer["email"])
            self.assertEqual(binding.phone, customer["phone"])
            children = binding.child_ids
            self.assertEqual(len(children), len(customer["addresses"]))
            for address in customer["addresses"]:
                child = children.filtered(
                    lambda c, a=address: c.myconnector_address_ref == str(a["id"])
                )
                self.assertEqual(
                    child.type, "invoice" if address["default"] else "delivery"
                )
                self.assertEqual(child.street, address["address1"])
                self.assertEqual(child.city, address["city"])
                self.assertEqual(child.zip, address["zip"])
                self.assertEqual(child.country_id.code, address["country_code"])
        return remote

    def test_import_again_incremental(self):
        self.backend.action_import_customers()
        self.assertEqual(self.run_jobs()["failed"], 0)
        remote = self.assertMatchesRemote()
        self.assertEqual(len(remote), 100)
        chunks = self.env["queue.job"].search([("method_name", "=", "import_chunk")])
        self.assertEqual(len(chunks), 2)
        self.assertTrue(self.backend.customers_imported_until)
        self.assertFalse(self.backend.products_imported_until)
        before = self.snapshot()

        # Again: nothing changed, nothing imported.
        self.backend.action_import_customers()
        self.run_jobs()
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(
            len(self.env["queue.job"].search([("method_name", "=", "import_chunk")])),
            2,
        )
        # A forced full import skips them all.
        self.backend.with_delay()._import_customers(since=None)
        self.run_jobs()
        self.assertEqual(self.snapshot(), before)

        # Five customers change remotely: exactly those change in Odoo; one
        # gains a delivery address, another loses its only address.
        changed = ["11", "12", "13", "14", "15"]
        for external_id in changed:
            self.remote(
                "PATCH",
                f"/api/v1/customers/{external_id}",
                json={"first_name": f"New{external_id}"},
            )
        address = remote["12"]["addresses"][0]
        self.remote(
            "PATCH",
            "/api/v1/customers/12",
            json={
                "addresses": [
                    {"id": address["id"], "city": "Lyon"},
                    {"address1": "1 Dock Road", "city": "Oslo", "zip": "0150"},
                ]
            },
        )
        self.remote("PATCH", "/api/v1/customers/13", json={"addresses": []})
        self.backend.action_import_customers()
        self.assertEqual(self.run_jobs()["failed"], 0)
        after = self.snapshot()
        self.assertEqual(sorted(k for k in after if after[k] != before[k]), changed)
        self.assertMatchesRemote()
        twelve = self.customers().filtered(lambda b: b.external_id == "12")
        self.assertEqual(
            sorted(twelve.child_ids.mapped("type")), ["delivery", "invoice"]
        )
        self.assertEqual(
            twelve.child_ids.filtered(lambda c: c.type == "invoice").city, "Lyon"
        )
        # The removed address is archived, not deleted.
        thirteen = self.customers().filtered(lambda b: b.external_id == "13")
        self.assertFalse(thirteen.child_ids)
        archived = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("parent_id", "=", thirteen.odoo_id.id)])
        )
        self.assertEqual(len(archived), 1)
        self.assertFalse(archived.active)


@tagged("post_install", "-at_install")
class TestCustomerCron(MyConnectorCase):
    seed_records = 10

    def test_cron_runs_customer_import(self):
        cron = self.env.ref("myconnector.ir_cron_import_customers")
        self.assertTrue(cron.active)
        cron.method_direct_trigger()
        cron.method_direct_trigger()  # a run not started yet is not doubled
        runs = (
            self.env["queue.job"]
            .search([("method_name", "=", "_import_customers")])
            .filtered(lambda j: j.records == self.backend)
        )
        self.assertEqual(len(runs), 1)
        self.assertEqual(
            runs.channel, f"root.myconnector.backend_{self.backend.id}.customers"
        )
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertEqual(self.backend.customer_binding_count, 5)
        self.assertTrue(self.backend.customers_imported_until)
        action = self.backend.with_context(
            connector_resource="customers"
        ).action_view_bindings()
        self.assertEqual(action["res_model"], "myconnector.res.partner")
        self.assertEqual(
            self.env[action["res_model"]].search_count(action["domain"]), 5
        )


@tagged("post_install", "-at_install")
class TestCustomerDeduplication(MyConnectorCase):
    seed_records = 6

    def setUp(self):
        super().setUp()
        self.Customer = self.env["myconnector.res.partner"]
        self.customer = self.remote("GET", "/api/v1/customers/2")["data"]
        self.existing = self.env["res.partner"].create(
            {"name": "Someone Else", "email": self.customer["email"].upper()}
        )

    def test_same_email_not_bound_by_default(self):
        self.Customer.import_record(self.backend, "2")
        binding = self.Customer.search([("external_id", "=", "2")])
        self.assertNotEqual(binding.odoo_id, self.existing)
        self.assertEqual(self.existing.name, "Someone Else")
        # Importing again reuses the binding: no second contact.
        self.remote("PATCH", "/api/v1/customers/2", json={"last_name": "Changed"})
        self.Customer.import_record(self.backend, "2")
        self.assertEqual(len(self.Customer.search([("external_id", "=", "2")])), 1)
        self.assertTrue(binding.name.endswith("Changed"))
        self.assertEqual(
            self.env["res.partner"].search_count(
                [("email", "=ilike", self.customer["email"])]
            ),
            2,
        )

    def test_bind_by_email_option(self):
        self.backend.customer_bind_by_email = True
        # A child contact with the email is never a match.
        self.env["res.partner"].create(
            {
                "name": "Assistant",
                "parent_id": self.existing.id,
                "email": self.customer["email"],
            }
        )
        self.Customer.import_record(self.backend, "2")
        binding = self.Customer.search([("external_id", "=", "2")])
        self.assertEqual(binding.odoo_id, self.existing)
        self.assertEqual(
            binding.name, f"{self.customer['first_name']} {self.customer['last_name']}"
        )

    def test_deleting_binding_keeps_remote(self):
        self.Customer.import_record(self.backend, "2")
        self.Customer.search([("external_id", "=", "2")]).unlink()
        self.assertEqual(self.remote("GET", "/api/v1/customers/2")["data"]["id"], 2)
        served = self.remote("GET", "/admin/stats")["requests"]
        self.assertNotIn("DELETE /api/v1/customers/2", served)


@tagged("post_install", "-at_install")
class TestRemoteDeletion(MyConnectorCase):
    seed_records = 6

    def test_404_on_refetch_archives_product(self):
        self.Binding.import_record(self.backend, "5")
        binding = self.Binding.search([("external_id", "=", "5")])
        template = binding.odoo_id
        self.remote("DELETE", "/api/v1/products/5")
        result = self.Binding.import_record(self.backend, "5")
        self.assertIn("archived", result)
        self.assertTrue(template.exists())
        self.assertFalse(template.active)
        self.assertTrue(binding.exists())
        # Unknown everywhere: nothing to do, no error.
        self.assertIn("nor in Odoo", self.Binding.import_record(self.backend, "999"))
