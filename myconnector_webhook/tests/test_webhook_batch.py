# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The events of one webhook job imported together (issue 19, freshness).

A burst of ``product.updated`` events shares a job; the backend imports the
job's records as one chunk (``_webhook_process_batch``, ``import_records``):
their reads a few in flight, their variants read and written for all. What
the batch cannot import goes one by one, as before: a malformed record fails
alone with its reason; a record the platform deleted is archived."""

from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.generic_connector.components.product import GenericVariantImporter
from odoo.addons.generic_connector.tests.common import run_jobs

from .test_webhook_intake_job import IntakeCase


@tagged("post_install", "-at_install")
class TestWebhookBatch(IntakeCase):
    seed_records = 8
    imported = 7

    def binding(self, product_id):
        return self.Binding.with_context(active_test=False).search(
            [
                ("backend_id", "=", self.backend.id),
                ("external_id", "=", str(product_id)),
            ]
        )

    def run_burst(self, product_ids, prefix):
        events = [self.receive_update(f"{prefix}{i}", i) for i in product_ids]
        self.assertEqual(len({e.job_id for e in events}), 1, "one job")
        run_jobs(self.env, domain=[("id", "=", events[0].job_id.id)])
        return events

    def test_burst_is_imported_together(self):
        for product_id in (1, 2, 3):
            self.remote(
                "POST",
                "/admin/simulate/price",
                json={"product_id": product_id, "price": f"{500 + product_id}.25"},
            )
        events = self.run_burst((1, 2, 3), "b")
        self.assertEqual([e.state for e in events], ["done"] * 3)
        for product_id, event in zip((1, 2, 3), events, strict=True):
            self.assertEqual(
                self.binding(product_id).list_price, 500 + product_id + 0.25
            )
            self.assertEqual(event.result, f"Updated {product_id}")
        tallies = self.env["generic.sync.run.tally"].search(
            [("run_id.trigger", "=", "webhook"), ("key", "like", "%:batch")]
        )
        self.assertEqual(len(tallies), 1, "the job's batch counted once")
        self.assertEqual((tallies.fetched, tallies.updated), (3, 3))
        versions = self.env["generic.binding.version"].search(
            [("webhook_id", "in", [e.id for e in events])]
        )
        self.assertEqual(
            sorted(versions.mapped("webhook_id").ids),
            sorted(e.id for e in events),
            "each record's timeline names its own event",
        )

    def test_variants_change_in_a_batch(self):
        """A variant's SKU changed, another product's price: both land."""
        product = self.remote("GET", "/api/v1/products/2")["data"]
        variants = product["variants"]
        variants[0]["sku"] = "BATCH-SKU-2"
        self.remote(
            "POST",
            "/admin/corrupt",
            json={"product_id": 2, "fields": {"variants": variants}},
        )
        self.remote(
            "POST", "/admin/simulate/price", json={"product_id": 4, "price": "77.00"}
        )
        events = self.run_burst((2, 4), "v")
        self.assertEqual([e.state for e in events], ["done", "done"])
        variant = self.env["myconnector.product.product"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("external_id", "=", str(variants[0]["id"])),
            ]
        )
        self.assertEqual(variant.odoo_id.default_code, "BATCH-SKU-2")
        self.assertEqual(self.binding(4).list_price, 77.0)

    def test_malformed_record_fails_alone(self):
        self.remote(
            "POST", "/admin/simulate/price", json={"product_id": 5, "price": "55.00"}
        )
        self.remote(
            "POST", "/admin/corrupt", json={"product_id": 6, "fields": {"price": "n/a"}}
        )
        self.remote(
            "POST", "/admin/simulate/price", json={"product_id": 7, "price": "77.50"}
        )
        events = self.run_burst((5, 6, 7), "m")
        self.assertEqual([e.state for e in events], ["done", "failed", "done"])
        self.assertIn("invalid price", events[1].error)
        self.assertEqual(self.binding(5).list_price, 55.0)
        self.assertEqual(self.binding(7).list_price, 77.5)
        failure = self.env["generic.sync.run.failure"].search(
            [("webhook_id", "=", events[1].id)]
        )
        self.assertTrue(failure, "the failure is on the run, linked to its event")

    def test_deleted_record_is_archived(self):
        self.remote("DELETE", "/api/v1/products/3")
        self.remote(
            "POST", "/admin/simulate/price", json={"product_id": 1, "price": "11.00"}
        )
        events = self.run_burst((3, 1), "d")
        self.assertEqual([e.state for e in events], ["done", "done"])
        self.assertFalse(self.binding(3).odoo_id.active, "archived, not deleted")
        self.assertEqual(self.binding(1).list_price, 11.0)

    def test_unchanged_variants_are_not_synced_again(self):
        """A price change of a one-variant product moves no variant: its
        variants are not read nor written again, unless Odoo lost them."""
        products = {
            p["id"]: p
            for p in self.remote("GET", "/api/v1/products?per_page=50")["data"]["items"]
            if p["id"] in (1, 4, 5, 7)
        }
        single = next(i for i, p in sorted(products.items()) if len(p["variants"]) == 1)
        several = next(i for i in sorted(products) if i != single)
        first = products[several]["variants"][0]
        extra = {
            "id": several * 100 + 9,
            "title": "Big",
            "sku": f"BIG-{several}",
            "stock": 0,
        }
        synced = []
        original = GenericVariantImporter.run

        def recording(importer, items):
            synced.append(sorted(template.id for template, _record in items))
            return original(importer, items)

        def burst(prefix, cents, variants=None):
            self.remote(
                "POST",
                "/admin/simulate/price",
                json={"product_id": single, "price": f"{single}.{cents}"},
            )
            if variants:
                self.remote(
                    "POST",
                    "/admin/corrupt",
                    json={"product_id": several, "fields": {"variants": variants}},
                )
            else:
                self.remote(
                    "POST",
                    "/admin/simulate/price",
                    json={"product_id": several, "price": f"{several}.{cents}"},
                )
            synced.clear()
            with patch.object(GenericVariantImporter, "run", recording):
                events = self.run_burst((single, several), prefix)
            self.assertEqual([e.state for e in events], ["done", "done"])
            return synced[0] if synced else []

        several_template = self.binding(several).odoo_id
        single_template = self.binding(single).odoo_id
        # A variant more on one product: only its variants are synced.
        variants = [first, dict(extra, price="99.00")]
        self.assertEqual(burst("u1", 11, variants), [several_template.id])
        self.assertEqual(len(several_template.product_variant_ids), 2)
        self.assertEqual(self.binding(single).list_price, single + 0.11)
        # Its price: the other variant's extra price moves, so it is synced.
        self.assertEqual(burst("u2", 22), [several_template.id])
        # Odoo lost a variant (archived here): the next import brings it back.
        variant = single_template.product_variant_ids
        variant.active = False
        self.assertEqual(
            burst("u3", 33), sorted([single_template.id, several_template.id])
        )
        self.assertTrue(variant.active)
