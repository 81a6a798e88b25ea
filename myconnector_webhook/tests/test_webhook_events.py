# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Customer and deletion events, delivered by the sandbox over real HTTP."""

import json
import uuid

from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import run_jobs
from odoo.addons.generic_connector.transport import sign_standard_webhook

from .common import WebhookHttpCase


@tagged("post_install", "-at_install")
class TestWebhookEvents(WebhookHttpCase):
    seed_records = 6

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Customer = cls.env["myconnector.res.partner"]

    def deliver(self, event_type):
        """Wait for the sandbox's deliveries; return the inbox rows of
        ``event_type``, after their jobs ran."""
        self.assertTrue(self.sandbox.wait_for_deliveries(timeout=20))
        events = self.env["generic.webhook"].search([("event_type", "=", event_type)])
        self.assertTrue(events, f"no {event_type} delivered")
        run_jobs(self.env)
        return events

    def test_customer_created_then_updated(self):
        created = self.remote(
            "POST",
            "/api/v1/customers",
            json={
                "email": "ada@example.com",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "phone": "+44 20 0000",
                "addresses": [{"address1": "12 St James's Sq", "city": "London"}],
            },
        )["data"]
        events = self.deliver("customer.created")
        self.assertEqual(events.mapped("state"), ["done"])
        binding = self.Customer.search([("external_id", "=", str(created["id"]))])
        self.assertEqual(binding.name, "Ada Lovelace")
        self.assertEqual(binding.email, "ada@example.com")
        self.assertEqual(binding.child_ids.type, "invoice")
        self.assertEqual(binding.child_ids.city, "London")

        self.remote(
            "PATCH", f"/api/v1/customers/{created['id']}", json={"last_name": "King"}
        )
        events = self.deliver("customer.updated")
        self.assertEqual(events.mapped("state"), ["done"])
        self.assertEqual(binding.name, "Ada King")
        self.assertEqual(
            len(self.Customer.search([("email", "=", "ada@example.com")])), 1
        )

    def test_product_deleted_archives(self):
        self.Binding.import_record(self.backend, "4")
        binding = self.Binding.search([("external_id", "=", "4")])
        template = binding.odoo_id
        self.remote("DELETE", "/api/v1/products/4")
        events = self.deliver("product.deleted")
        self.assertEqual(events.mapped("state"), ["done"])
        self.assertIn("archived", events.result)
        self.assertTrue(template.exists())
        self.assertFalse(template.active)
        self.assertTrue(binding.exists())

    def test_the_timeline_names_the_event_that_applied_a_version(self):
        self.Binding.import_record(self.backend, "2")
        binding = self.Binding.search([("external_id", "=", "2")])
        self.remote("PATCH", "/api/v1/products/2", json={"price": "42.00"})
        event = self.deliver("product.updated")
        self.assertEqual(event.state, "done")
        newest, created = self.env["generic.binding.version"].search(
            [("binding_model", "=", binding._name), ("binding_id", "=", binding.id)]
        )
        self.assertEqual((created.outcome, newest.outcome), ("created", "updated"))
        self.assertFalse(created.webhook_id)
        self.assertEqual(newest.webhook_id, event)
        self.assertEqual(newest.run_id.trigger, "webhook")
        self.assertEqual(newest.job_uuid, event.job_id.uuid)
        self.assertEqual(json.loads(newest.diff)["list_price"][1], 42.0)

    def test_unknown_event_ignored(self):
        body = json.dumps(
            {"id": "evt_unknown", "type": "loyalty.points", "data": {"id": 1}}
        ).encode()
        headers = sign_standard_webhook(
            self.backend.webhook_secret, f"evt_{uuid.uuid4().hex}", body
        )
        headers["Content-Type"] = "application/json"
        url = f"/myconnector/webhook/{self.backend.webhook_token}"
        self.assertEqual(
            self.url_open(url, data=body, headers=headers).status_code, 202
        )
        run_jobs(self.env)
        event = self.env["generic.webhook"].search(
            [("event_type", "=", "loyalty.points")]
        )
        self.assertEqual(event.state, "ignored")
