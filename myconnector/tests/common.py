# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Base classes for MyConnector tests: a sandbox platform on loopback and a
backend pointing at it, with fast retries so faults cost little time."""

import requests

from odoo.addons.generic_connector.tests.common import (
    GenericConnectorCase,
    run_jobs,
    start_sandbox,
)

API_KEY = "demo-api-key"


class MyConnectorCase(GenericConnectorCase):
    seed_records = 20
    sandbox_options = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = start_sandbox(
            cls, seed_records=cls.seed_records, **cls.sandbox_options
        )
        cls.api = requests.Session()
        cls.api.headers["X-API-Key"] = API_KEY
        cls.backend = cls.env["myconnector.backend"].create(
            {
                "name": "Sandbox",
                "base_url": cls.sandbox.url,
                "auth_type": "api_key",
                "api_key": API_KEY,
                "retry_backoff": 0.01,
                "retry_after_cap": 2,
                "connect_timeout": 2,
                "read_timeout": 5,
            }
        )
        cls.Binding = cls.env["myconnector.product.template"]

    def run_jobs(self, **kwargs):
        return run_jobs(self.env, **kwargs)

    def remote(self, method, path, **kwargs):
        """Call the sandbox's REST API directly (the test plays the platform)."""
        response = self.api.request(
            method, self.sandbox.url + path, timeout=10, **kwargs
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def remote_products(self):
        """Every product the sandbox has, by id (as strings)."""
        products, page = {}, 1
        while True:
            data = self.remote(
                "GET", "/api/v1/products", params={"page": page, "per_page": 250}
            )["data"]
            products.update({str(p["id"]): p for p in data["items"]})
            if len(products) >= data["total"] or not data["items"]:
                return products
            page += 1

    def bindings(self):
        return self.Binding.search([("backend_id", "=", self.backend.id)])

    def snapshot(self):
        """What an import can change, per external id."""
        return {
            b.external_id: (b.name, b.list_price, b.default_code, b.remote_updated_at)
            for b in self.bindings()
        }

    def job_results(self, method):
        jobs = self.env["queue.job"].search([("method_name", "=", method)])
        return jobs.mapped("result")
