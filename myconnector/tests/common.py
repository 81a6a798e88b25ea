# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Base classes for MyConnector tests: a sandbox platform on loopback and a
backend pointing at it, with fast retries so faults cost little time."""

from decimal import Decimal

import requests

from odoo.addons.generic_connector.tests.common import GenericConnectorCase, run_jobs

from .sandbox import start_sandbox

API_KEY = "demo-api-key"
VARIANT_MODEL = "myconnector.product.product"


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

    def remote_level(self, sku, location_id):
        """The platform's stock level of ``sku`` at its location
        ``location_id``, read over HTTP."""
        items = self.remote(
            "GET",
            "/api/v1/inventory_levels",
            params={"sku": sku, "location_id": location_id},
        )["data"]["items"]
        return items[0]["available"]

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

    def bindings(self, backend=None):
        return self.Binding.search([("backend_id", "=", (backend or self.backend).id)])

    def variant_bindings(self, backend=None, template=None):
        """Variant bindings of ``backend`` (archived ones included)."""
        domain = [("backend_id", "=", (backend or self.backend).id)]
        if template:
            domain.append(("product_tmpl_id", "=", template.id))
        return self.env[VARIANT_MODEL].with_context(active_test=False).search(domain)

    def assertMatchesRemote(self, backend=None):
        """Odoo holds exactly the sandbox's products and variants: names,
        SKUs, prices to the cent, one active variant per remote variant."""
        remote = self.remote_products()
        bindings = self.bindings(backend)
        self.assertEqual(len(bindings), len(remote))
        self.assertEqual(set(bindings.mapped("external_id")), set(remote))
        for binding in bindings:
            product = remote[binding.external_id]
            self.assertEqual(binding.name, product["title"])
            self.assertAlmostEqual(binding.list_price, float(Decimal(product["price"])))
            self.assertEqual(binding.odoo_id.myconnector_bind_ids, binding)
            self.assertVariantsMatch(binding, product["variants"], backend)
        return remote

    def assertVariantsMatch(self, binding, variants, backend=None):
        template = binding.odoo_id
        self.assertEqual(len(template.product_variant_ids), len(variants))
        if len(variants) == 1:
            self.assertEqual(binding.default_code, variants[0]["sku"])
        bound = {
            b.external_id: b
            for b in self.variant_bindings(backend, template)
            if b.active
        }
        self.assertEqual(set(bound), {str(v["id"]) for v in variants})
        for variant in variants:
            odoo_variant = bound[str(variant["id"])]
            self.assertEqual(odoo_variant.default_code, variant["sku"])
            self.assertEqual(
                Decimal(str(round(odoo_variant.lst_price, 2))).quantize(
                    Decimal("0.01")
                ),
                Decimal(variant["price"]),
                f"price of variant {variant['id']}",
            )

    def snapshot(self):
        """What an import can change, per external id."""
        return {
            b.external_id: (b.name, b.list_price, b.default_code, b.remote_updated_at)
            for b in self.bindings()
        }

    def job_results(self, method):
        jobs = self.env["queue.job"].search([("method_name", "=", method)])
        return jobs.mapped("result")
