# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The intake's one-statement enqueue writes the job ``with_delay`` would.

``generic.webhook._insert_delivery_with_job`` stores the inbox row, its
receipt and its ``_process`` job in one SQL statement, without queue_job's
ORM path. These tests hold it to queue_job's own row, column by column, so
that a queue_job release that stores something more fails here, not in
production.
"""

import contextlib
import json
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.modules import module as odoo_module
from odoo.tests import tagged

from odoo.addons.generic_connector.tests.common import run_jobs
from odoo.addons.myconnector.tests.common import MyConnectorCase
from odoo.addons.queue_job.exception import RetryableJobError

FASTPATH_LOG = "odoo.addons.generic_connector.queue_job_fastpath"
# Columns that differ between any two jobs, checked apart.
OWN_COLUMNS = {"id", "uuid", "name", "records", "func_string", "date_created"}


class IntakeCase(MyConnectorCase):
    """The inbox and the backend as the webhook's integration user; the
    first ``imported`` products imported."""

    imported = 0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        user = cls.backend.webhook_user_id
        cls.Inbox = cls.env["generic.webhook"].with_user(user)
        cls.backend_as_user = cls.backend.with_user(user)
        for product_id in range(1, cls.imported + 1):
            cls.Binding.import_record(cls.backend, str(product_id))

    def receive_update(self, delivery_id, product_id):
        """Store a ``product.updated`` delivery of ``product_id`` as the
        intake does, with its subject; return the event (as superuser)."""
        payload = {"type": "product.updated", "data": {"id": product_id}}
        event, created = self.Inbox._receive(
            self.backend_as_user,
            delivery_id,
            "product.updated",
            json.dumps(payload),
            {},
            subject=self.backend._webhook_subject("product.updated", payload),
        )
        self.assertTrue(created)
        return event.sudo()


@tagged("post_install", "-at_install")
class TestIntakeJob(IntakeCase):
    seed_records = 2
    maxDiff = None

    def receive(self, delivery_id, fast=True):
        """Store a ``product.updated`` delivery as the intake does (``fast``),
        through ``with_delay`` (False: the path the fast one replaces), or
        by the path the intake chooses (None)."""
        body = json.dumps({"type": "product.updated", "data": {"id": "1"}})
        Inbox = self.Inbox
        patcher = contextlib.nullcontext()
        if fast is False:
            patcher = patch.object(
                type(Inbox), "_fast_job_values", lambda *args, **kwargs: None
            )
        elif fast:
            patcher = patch.object(
                type(Inbox), "_enqueue_job", side_effect=AssertionError
            )
        with patcher:
            event, created = Inbox._receive(
                self.backend_as_user,
                delivery_id,
                "product.updated",
                body,
                {"webhook-id": delivery_id},
            )
        self.assertTrue(created)
        event = event.sudo()
        self.assertTrue(event.job_id, "the inbox row is linked to its job")
        return event

    def job_row(self, job):
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM queue_job WHERE id = %s", (job.id,))
        names = [column.name for column in self.env.cr.description]
        return dict(zip(names, self.env.cr.fetchone(), strict=True))

    def test_fast_path_is_taken(self):
        job_values = self.Inbox._fast_job_values(
            self.backend_as_user, "product.updated", "d1"
        )
        self.assertTrue(job_values)
        self.assertEqual(
            job_values["job_channel"],
            f"root.myconnector.backend_{self.backend.id}.webhook",
        )

    def test_same_job_row_as_with_delay(self):
        fast = self.receive("fast-1")
        slow = self.receive("slow-1", fast=False)
        fast_row, slow_row = self.job_row(fast.job_id), self.job_row(slow.job_id)
        differ = {
            column: (fast_row[column], slow_row[column])
            for column in fast_row.keys() - OWN_COLUMNS
            if fast_row[column] != slow_row[column]
        }
        self.assertFalse(differ, "columns (fast, with_delay) that differ")
        for event, row in ((fast, fast_row), (slow, slow_row)):
            self.assertEqual(
                json.loads(row["records"]),
                {
                    "_type": "odoo_recordset",
                    "model": "generic.webhook",
                    "ids": [event.id],
                    "uid": self.backend.webhook_user_id.id,
                    "su": False,
                    "context": {},
                },
            )
            self.assertEqual(
                row["func_string"], f"generic.webhook({event.id},)._process()"
            )
            self.assertEqual(
                row["name"], f"Webhook product.updated {event.delivery_id}"
            )
        self.assertAlmostEqual(
            fast_row["date_created"],
            fields.Datetime.now(),
            delta=timedelta(minutes=5),
        )
        self.assertEqual(fast.receipt_ids.mapped("webhook_id"), fast)

    def test_fast_job_runs(self):
        event = self.receive("fast-run")
        outcomes = run_jobs(self.env, domain=[("id", "=", event.job_id.id)])
        self.assertEqual(outcomes["done"], 1)
        self.assertEqual(event.job_id.state, "done")
        self.assertEqual(event.state, "done")

    def test_unknown_option_goes_through_with_delay(self):
        """An option the one statement does not write (here ``eta``) is
        honoured, by ``with_delay``."""
        options = {"channel": "root", "eta": 3600}
        with patch.object(
            type(self.backend), "_webhook_job_options", lambda self: options
        ):
            event, _created = self.Inbox._receive(
                self.backend_as_user, "eta-1", "product.updated", "{}", {}
            )
        event = event.sudo()
        self.assertTrue(event.job_id.eta)
        self.assertEqual(event.job_id.channel, "root")

    def test_unknown_queue_job_version_goes_through_with_delay(self):
        """On a queue_job version the one statement was not checked against,
        the intake enqueues with ``with_delay``, says so in the log at start,
        and a redelivery still makes no second job."""
        registry = self.env.registry
        self.addCleanup(
            setattr,
            registry,
            "queue_job_fastpath",
            getattr(registry, "queue_job_fastpath", None),
        )
        manifest = dict(odoo_module.get_manifest("queue_job"), version="17.0.9.0.0")
        with (
            patch.object(odoo_module, "get_manifest", return_value=manifest),
            self.assertLogs(FASTPATH_LOG, "WARNING") as logs,
        ):
            self.env["generic.webhook"]._register_hook()
        self.assertIn("queue_job 17.0.9.0.0", logs.output[0])
        with patch.object(
            type(self.Inbox), "_insert_delivery_with_job", side_effect=AssertionError
        ):
            event = self.receive("unknown-1", fast=None)
            again, created = self.Inbox._receive(
                self.backend_as_user, "unknown-1", "product.updated", "{}", {}
            )
        self.assertFalse(created)
        self.assertEqual(again, event)
        self.assertEqual(
            self.env["queue.job"].search_count([("uuid", "=", event.job_id.uuid)]), 1
        )
        self.assertEqual(event.delivery_count, 2)
        outcomes = run_jobs(self.env, domain=[("id", "=", event.job_id.id)])
        self.assertEqual(outcomes["done"], 1)
        self.assertEqual(event.state, "done")

    def test_redelivery_makes_no_second_job(self):
        event = self.receive("again-1")
        jobs = self.env["queue.job"].search_count([])
        again, created = self.Inbox._receive(
            self.backend_as_user, "again-1", "product.updated", "{}", {}
        )
        self.assertFalse(created)
        self.assertEqual(again, event)
        self.assertEqual(self.env["queue.job"].search_count([]), jobs)
        self.assertEqual(event.delivery_count, 2)

    def test_backend_cache_outlives_a_product_create(self):
        """A new product clears Odoo's default cache in every worker; the
        intake's lookup of the backend by token is not in it."""
        Backend = self.env["myconnector.backend"]
        token = self.backend.webhook_token
        intake = Backend._webhook_intake(token)
        self.assertEqual(intake.backend_id, self.backend.id)
        self.env["product.product"].create({"name": "Clears the default cache"})
        with self.assertQueryCount(0):
            self.assertEqual(Backend._webhook_intake(token), intake)
        # A change of what the intake reads clears it.
        self.backend.webhook_secret = "whsec_" + "c2Vjb25kLXNlY3JldA=="
        with self.assertQueryCount(1):
            self.assertEqual(
                Backend._webhook_intake(token).secret, self.backend.webhook_secret
            )


@tagged("post_install", "-at_install")
class TestBurstCoveredByOneJob(IntakeCase):
    """A delivery about a record whose previous event still waits for its job
    is covered by that job, which reads the record after both arrived."""

    seed_records = 3

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Binding.import_record(cls.backend, "1")

    def receive(self, delivery_id, product_id, event_type="product.updated"):
        payload = {"type": event_type, "data": {"id": product_id}}
        event, created = self.Inbox._receive(
            self.backend_as_user,
            delivery_id,
            event_type,
            json.dumps(payload),
            {},
            subject=self.backend._webhook_subject(event_type, payload),
        )
        self.assertTrue(created)
        return event.sudo()

    def test_burst_about_one_product_costs_one_job(self):
        self.remote("PATCH", "/api/v1/products/1", json={"price": "11.00"})
        first = self.receive("b1", 1)
        self.remote("PATCH", "/api/v1/products/1", json={"price": "12.00"})
        second = self.receive("b2", "1", "product.deleted")
        other = self.receive("b3", 2)
        self.assertEqual((first.subject, second.subject), ("product:1", "product:1"))
        self.assertEqual((first.state, second.state), ("pending", "covered"))
        self.assertTrue(first.job_id and other.job_id)
        self.assertFalse(second.job_id)
        self.assertIn("b1", second.result)
        self.assertTrue(second.processed_at)

        run_jobs(self.env)
        self.assertEqual(
            (first.state, second.state, other.state), ("done", "covered", "done")
        )
        binding = self.Binding.search([("external_id", "=", "1")])
        self.assertEqual(binding.list_price, 12.0, "the one job read the newest state")
        # Once that job ran, the next delivery gets a job of its own.
        third = self.receive("b4", 1)
        self.assertEqual(third.state, "pending")
        self.assertTrue(third.job_id)

    def test_started_job_covers_nothing(self):
        """A job that started may have read the record already."""
        first = self.receive("s1", 1)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE queue_job SET state = 'started' WHERE id = %s", (first.job_id.id,)
        )
        self.env.invalidate_all()
        second = self.receive("s2", 1)
        self.assertEqual(second.state, "pending")
        self.assertTrue(second.job_id)

    def test_with_delay_path_covers_too(self):
        with patch.object(
            type(self.Inbox), "_fast_job_values", lambda *args, **kwargs: None
        ):
            first = self.receive("w1", 1)
            second = self.receive("w2", 1)
        self.assertTrue(first.job_id)
        self.assertEqual(second.state, "covered")
        self.assertFalse(second.job_id)
        self.assertIn("w1", second.result)

    def test_no_subject_for_what_is_not_an_id(self):
        subject = self.backend._webhook_subject
        self.assertEqual(
            subject("inventory.updated", {"data": {"variant_id": 7}}), "inventory:7"
        )
        self.assertIsNone(subject("product.updated", {"data": {"id": True}}))
        self.assertIsNone(subject("product.updated", {"data": {"id": "a\x00b"}}))
        self.assertIsNone(subject("product.updated", {"data": {"id": "x" * 300}}))
        self.assertIsNone(subject("product.updated", {"data": [1]}))
        self.assertIsNone(subject("unknown.event", {"data": {"id": 1}}))


@tagged("post_install", "-at_install")
class TestBurstJoinsOneJob(IntakeCase):
    """Under a burst, deliveries about different records join the job of
    the backend's newest pending event while it has not started: one job,
    one run and one dispatch for many events."""

    seed_records = 4

    def receive(self, delivery_id, product_id):
        return self.receive_update(delivery_id, product_id)

    def runs(self):
        return self.env["generic.sync.run"].search([("trigger", "=", "webhook")])

    def test_burst_shares_one_job(self):
        jobs = self.env["queue.job"].search_count([])
        events = [self.receive(f"j{i}", i) for i in (1, 2, 3)]
        self.assertEqual({e.state for e in events}, {"pending"})
        self.assertEqual(len({e.job_id for e in events}), 1)
        self.assertEqual(self.env["queue.job"].search_count([]), jobs + 1)
        self.assertEqual(events[0].receipt_ids.mapped("webhook_id"), events[0])

        run_jobs(self.env)
        self.assertEqual([e.state for e in events], ["done"] * 3)
        self.assertEqual(len(self.runs()), 1)
        self.assertEqual(self.runs().updated + self.runs().created, 3)
        self.assertEqual(
            set(self.Binding.search([]).mapped("external_id")), {"1", "2", "3"}
        )

    def test_started_job_is_not_joined(self):
        first = self.receive("s1", 1)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE queue_job SET state = 'started' WHERE id = %s", (first.job_id.id,)
        )
        self.env.invalidate_all()
        second = self.receive("s2", 2)
        self.assertTrue(second.job_id)
        self.assertNotEqual(second.job_id, first.job_id)

    def test_batch_size_bounds_a_job(self):
        with patch.object(type(self.backend), "_webhook_batch_size", 2):
            events = [self.receive(f"b{i}", i) for i in (1, 2, 3)]
        self.assertEqual(events[0].job_id, events[1].job_id)
        self.assertNotEqual(events[2].job_id, events[0].job_id)

    def test_batch_size_one_gives_every_event_its_job(self):
        with patch.object(type(self.backend), "_webhook_batch_size", 1):
            events = [self.receive(f"o{i}", i) for i in (1, 2)]
        self.assertNotEqual(events[0].job_id, events[1].job_id)

    def test_transient_failure_of_one_event_gets_its_own_job(self):
        """The others are kept; the one that must wait retries alone."""
        events = [self.receive(f"t{i}", i) for i in (1, 2, 3)]
        job = events[0].job_id
        Backend = type(self.backend)
        original = Backend._webhook_import

        def flaky(backend, event, payload):
            if event.record_id(payload) == 2:
                raise RetryableJobError("busy", seconds=30)
            return original(backend, event, payload)

        with patch.object(Backend, "_webhook_import", flaky):
            run_jobs(self.env, domain=[("id", "=", job.id)])
        self.assertEqual(job.state, "done")
        self.assertEqual(
            [e.state for e in events], ["done", "pending", "done"], job.result
        )
        own = events[1].job_id
        self.assertNotEqual(own, job)
        self.assertEqual(own.state, "pending")
        self.assertTrue(own.eta)
        run_jobs(self.env, domain=[("id", "=", own.id)])
        self.assertEqual(events[1].state, "done")
