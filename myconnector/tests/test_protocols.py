# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Products over REST and over GraphQL give the same Odoo data; variants are
created, repriced and archived by the product's own import job."""

from odoo.tests import tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from .common import API_KEY, MyConnectorCase


class ProtocolCase(MyConnectorCase):
    def backend_over(self, protocol, **values):
        """A second backend on the same sandbox, reading products over
        ``protocol``."""
        return self.env["myconnector.backend"].create(
            {
                "name": f"Sandbox over {protocol}",
                "base_url": self.sandbox.url,
                "auth_type": "api_key",
                "api_key": API_KEY,
                "product_protocol": protocol,
                "retry_backoff": 0.01,
                "retry_after_cap": 30,
                "connect_timeout": 2,
                "read_timeout": 5,
                **values,
            }
        )

    def catalogue(self, backend):
        """Everything an import writes, per remote product id: the template,
        and each variant (archived ones included) by remote variant id."""
        result = {}
        for binding in self.bindings(backend):
            variants = self.variant_bindings(backend, binding.odoo_id)
            result[binding.external_id] = {
                "template": (
                    binding.name,
                    binding.description_sale,
                    binding.default_code,
                    binding.list_price,
                    binding.active,
                    binding.detailed_type,
                    binding.remote_updated_at,
                ),
                "variants": {
                    v.external_id: (
                        v.default_code,
                        round(v.lst_price, 2),
                        v.price_extra,
                        v.active,
                        tuple(v.product_template_attribute_value_ids.mapped("name")),
                    )
                    for v in variants
                },
            }
        return result


@tagged("post_install", "-at_install")
class TestRestAndGraphQLGiveSameData(ProtocolCase):
    seed_records = 250

    def test_same_catalogue_over_both_protocols(self):
        graphql = self.backend_over("graphql")
        (self.backend | graphql).action_import_products()
        outcomes = self.run_jobs()
        self.assertEqual(outcomes["failed"], 0)
        # GraphQL went through /graphql only; REST through /api/v1 only.
        served = self.remote("GET", "/admin/stats")["requests"]
        self.assertEqual(served["GET /api/v1/products"], 3)
        self.assertTrue(served["POST /graphql"])
        self.assertMatchesRemote(self.backend)
        self.assertMatchesRemote(graphql)
        over_rest, over_graphql = self.catalogue(self.backend), self.catalogue(graphql)
        self.assertEqual(len(over_rest), 250)
        for external_id, rest_data in over_rest.items():
            self.assertEqual(over_graphql[external_id], rest_data, external_id)
        multi = [k for k, v in over_rest.items() if len(v["variants"]) > 2]
        self.assertTrue(multi, "some products have more variants than the first page")


@tagged("post_install", "-at_install")
class TestProductsOverSoap(ProtocolCase):
    seed_records = 20

    def test_same_catalogue_over_soap(self):
        soap = self.backend_over(
            "soap",
            username="demo",
            password="demo-password",
            page_size=8,
        )
        (self.backend | soap).action_import_products()
        self.assertEqual(self.run_jobs()["failed"], 0)
        served = self.remote("GET", "/admin/stats")["requests"]
        self.assertEqual(served["POST /soap"], 3)  # 20 products, pages of 8
        self.assertMatchesRemote(soap)
        self.assertEqual(self.catalogue(soap), self.catalogue(self.backend))


@tagged("post_install", "-at_install")
class TestVariantLifecycle(ProtocolCase):
    seed_records = 20

    def test_variants_created_repriced_and_archived(self):
        backend = self.backend_over("graphql")
        remote = self.remote_products()
        external_id = next(k for k, p in remote.items() if len(p["variants"]) == 3)
        # One product by id (what a webhook job does): its third variant is
        # past the first nested page and fetched by a follow-up query.
        self.Binding.with_delay().import_record(backend, external_id)
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.assertEqual(len(self.variant_bindings(backend)), 3)
        backend.with_delay()._import_products()
        self.run_jobs()
        self.assertMatchesRemote(backend)
        template = self.bindings(backend).filtered(
            lambda b: b.external_id == external_id
        )
        first, second, third = remote[external_id]["variants"]

        # Remotely: the second variant is repriced, the third removed.
        self.remote(
            "PATCH",
            f"/api/v1/products/{external_id}",
            json={
                "variants": [
                    {"id": first["id"]},
                    {"id": second["id"], "price": "77.07"},
                ]
            },
        )
        jobs = backend.with_delay()._import_products(
            since=backend.products_imported_until
        )
        self.run_jobs()
        self.assertEqual(jobs.db_record().state, "done")
        self.assertMatchesRemote(backend)
        variants = {
            v.external_id: v for v in self.variant_bindings(backend, template.odoo_id)
        }
        self.assertEqual(len(variants), 3)
        self.assertFalse(variants[str(third["id"])].active)
        self.assertEqual(round(variants[str(second["id"])].lst_price, 2), 77.07)
        self.assertEqual(len(template.product_variant_ids), 2)

        # Importing again changes nothing (the job is safe to run twice).
        before = self.catalogue(backend)
        backend.with_delay()._import_products()
        self.run_jobs()
        self.assertEqual(self.catalogue(backend), before)


@tagged("post_install", "-at_install")
class TestGraphQLPartialAnswer(ProtocolCase):
    """A product whose GraphQL answer carries an error fails alone, with the
    remote's message, while the rest of its page imports."""

    seed_records = 12
    sandbox_options = {"faults": {"/graphql": {"field_error_ids": [3]}}}

    def test_record_with_errors_fails_alone(self):
        backend = self.backend_over("graphql")
        backend.with_delay()._import_products()
        self.run_jobs()
        self.assertEqual(len(self.bindings(backend)), 11)
        failed = self.env["queue.job"].search([("state", "=", "failed")])
        record_job = failed.filtered(lambda j: j.method_name == "import_record")
        self.assertEqual(len(record_job), 1)
        self.assertIn(
            "Could not load the description of product 3", record_job.exc_info
        )
        self.assertFalse(backend.products_imported_until)


@tagged("post_install", "-at_install")
class TestGraphQLCostBudget(ProtocolCase):
    """A bucket that refills slower than a worker may wait: the page size
    shrinks to fit the bucket, then the job is rescheduled for the time the
    bucket needs, instead of blocking the worker."""

    seed_records = 40
    sandbox_options = {"graphql_bucket_size": 100, "graphql_restore_rate": 1}

    def test_long_wait_reschedules_the_job(self):
        backend = self.backend_over("graphql", retry_after_cap=1)
        job = backend.with_delay()._import_products()
        with self.assertRaises(RetryableJobError) as raised:
            Job.load(self.env, job.uuid).perform()
        # The bucket needs longer than the 1 s a worker may wait to hold the
        # next query's cost: the job comes back when it will, not at once.
        self.assertGreater(raised.exception.seconds, 1)
        self.assertRegex(str(raised.exception), "query-cost budget")
        self.assertFalse(self.bindings(backend))
