# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Prometheus endpoint, scraped over HTTP and parsed with
``prometheus_client``'s own parser: off by default, token-protected, and
per-backend figures that follow what the connector did."""

from prometheus_client.parser import text_string_to_metric_families

from odoo.tests import tagged

from .common import WebhookHttpCase

URL = "/generic_connector/metrics"
TOKEN = "scrape-me-7f3a"


@tagged("post_install", "-at_install")
class TestMetrics(WebhookHttpCase):
    seed_records = 5

    def scrape(self, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.url_open(URL, headers=headers)

    def samples(self):
        """``{(sample name, labels as a sorted tuple): value}`` of a scrape."""
        response = self.scrape(TOKEN)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("text/plain"))
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
        }

    def backend_labels(self, **extra):
        labels = {
            "backend_model": self.backend._name,
            "backend_id": str(self.backend.id),
            **extra,
        }
        return tuple(sorted(labels.items()))

    def test_off_by_default_then_token_protected(self):
        self.assertEqual(self.scrape().status_code, 404)
        self.assertEqual(self.scrape(TOKEN).status_code, 404)
        self.env["ir.config_parameter"].set_param(
            "generic_connector.metrics_token", TOKEN
        )
        response = self.scrape()
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.headers["WWW-Authenticate"], 'Bearer realm="metrics"')
        self.assertEqual(self.scrape("wrong-token").status_code, 403)
        self.assertEqual(self.scrape(TOKEN).status_code, 200)

    def test_scraped_figures_follow_the_connector(self):
        self.env["ir.config_parameter"].set_param(
            "generic_connector.metrics_token", TOKEN
        )
        self.backend.action_import_products()
        self.assertEqual(self.run_jobs()["failed"], 0)
        self.remote("PATCH", "/api/v1/products/1", json={"price": "9.99"})
        self.assertTrue(self.sandbox.wait_for_deliveries(timeout=20))
        samples = self.samples()
        backend = self.backend_labels()
        products = self.backend_labels(resource="myconnector.product.template")
        run = self.env["generic.sync.run"].search(
            [("backend_id", "=", self.backend.id), ("trigger", "!=", "webhook")]
        )
        calls = samples[("connector_http_calls_total", products)]
        self.assertEqual(calls, sum(run.mapped("http_calls")))
        self.assertGreater(samples[("connector_http_calls_total", products)], 0)
        self.assertEqual(samples[("connector_throttled_total", products)], 0)
        self.assertEqual(samples[("connector_webhook_backlog", backend)], 1)
        self.assertEqual(
            samples[("connector_webhook_refusals_total", self.backend_labels())], 0
        )
        last_received = "connector_webhook_last_received_timestamp_seconds"
        self.assertGreater(samples[(last_received, backend)], 0)
        channel = f"{self.backend._job_channel()}.webhook"
        self.assertEqual(samples[("connector_queue_depth", (("channel", channel),))], 1)
        for quantile in ("0.5", "0.95"):
            key = self.backend_labels(quantile=quantile)
            self.assertIn(("connector_webhook_lag_seconds", key), samples)

        # A refused delivery counts, by backend.
        self.post(b"{}", {"X-Webhook-Signature": "bad"})
        samples = self.samples()
        self.assertEqual(
            samples[("connector_webhook_refusals_total", self.backend_labels())], 1
        )

    def test_drift_by_class_after_a_reconcile(self):
        self.env["ir.config_parameter"].set_param(
            "generic_connector.metrics_token", TOKEN
        )
        self.backend.action_import_products()
        self.assertEqual(self.run_jobs()["failed"], 0)
        binding = self.env["myconnector.product.template"].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", "2")]
        )
        # An edit behind the connector's back: no export, the platform keeps
        # its price, which the reconcile restores.
        binding.odoo_id.with_context(connector_no_export=True).list_price = 9999
        self.backend.with_context(connector_resource="products").action_reconcile()
        self.assertEqual(self.run_jobs()["failed"], 0)
        edited = self.backend_labels(
            resource="myconnector.product.template",
            **{"class": "changed_odoo", "repair": "restored"},
        )
        self.assertEqual(self.samples()[("connector_drift_total", edited)], 1)
