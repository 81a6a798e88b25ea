# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What one more event costs in a webhook job: the queries of a job of 10
``product.updated`` events against a job of 5, for products already bound
whose price changed on the platform (a burst's events, issue 19)."""

import collections
import json
import logging

from odoo.sql_db import Cursor
from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import run_jobs

from .test_webhook_intake_job import IntakeCase

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestWebhookJobQueries(IntakeCase):
    seed_records = 16
    imported = 15

    def burst(self, product_ids, prefix):
        """Change the products' prices on the platform, receive their
        ``product.updated`` deliveries (one job) and run that job; return
        its events and the queries the job made, by statement."""
        events = []
        for product_id in product_ids:
            self.remote(
                "POST",
                "/admin/simulate/price",
                json={"product_id": product_id, "price": f"{900 + product_id}.00"},
            )
            payload = {"type": "product.updated", "data": {"id": product_id}}
            event, created = self.Inbox._receive(
                self.backend_as_user,
                f"{prefix}{product_id}",
                "product.updated",
                json.dumps(payload),
                {},
                subject=self.backend._webhook_subject("product.updated", payload),
            )
            self.assertTrue(created)
            events.append(event.sudo())
        self.assertEqual(len({e.job_id for e in events}), 1)
        self.env.flush_all()
        statements = collections.Counter()
        execute = Cursor.execute

        def counting(cr, query, params=None, log_exceptions=True):
            text = query.code if hasattr(query, "code") else str(query)
            statements[" ".join(text.split())[:110]] += 1
            return execute(cr, query, params, log_exceptions)

        Cursor.execute = counting
        try:
            run_jobs(self.env, domain=[("id", "=", events[0].job_id.id)])
            self.env.flush_all()
        finally:
            Cursor.execute = execute
        self.assertEqual([e.state for e in events], ["done"] * len(events))
        return events, statements

    def test_one_more_event_costs_few_queries(self):
        _events, five = self.burst(range(1, 6), "q5-")
        events, ten = self.burst(range(6, 16), "q10-")
        per_event = (sum(ten.values()) - sum(five.values())) / 5
        extra = ten - five
        _logger.info(
            "webhook job: %s queries for 5 events, %s for 10, %.1f per event; "
            "most per event: %s",
            sum(five.values()),
            sum(ten.values()),
            per_event,
            extra.most_common(40),
        )
        for event in events:
            binding = self.Binding.search(
                [
                    ("backend_id", "=", self.backend.id),
                    ("external_id", "=", event.subject.split(":")[1]),
                ]
            )
            self.assertEqual(binding.odoo_id.list_price, 900 + int(binding.external_id))
        # Imported together (``_webhook_process_batch``): each more event is
        # its price, its binding's bookkeeping and its own state (21.4 when
        # every event was a product import of its own).
        self.assertLessEqual(per_event, 6, "queries per event of a webhook job")
        # Only what changed is written: not the product's code again.
        self.assertFalse(
            [
                s
                for s in ten
                if s.startswith('UPDATE "product_product" SET "default_code"')
            ],
            "an unchanged SKU is not written again",
        )
