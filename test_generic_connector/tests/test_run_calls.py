# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A run's HTTP calls are added to its count together, outside the job's
transaction: at the end of the block that made them, whatever its outcome,
and every second during a long one; not one statement per call."""

import uuid
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.generic_connector.models import generic_sync_run
from odoo.addons.generic_connector.shared_state import call_counter
from odoo.addons.generic_connector.transport import PgCallCounter
from odoo.addons.generic_connector.transport.metrics import note_call

from .common import TestConnectorCase


class Boom(Exception):
    pass


@tagged("post_install", "-at_install")
class TestRunCalls(TestConnectorCase):
    def setUp(self):
        super().setUp()
        self.run = self.env["generic.sync.run"]._start(
            self.backend, run_key=f"calls-{uuid.uuid4()}", resource=self.Binding._name
        )
        self.counter = call_counter(self.env.cr.dbname)
        # The counts are written in autocommit: gone with the test.
        self.addCleanup(self.counter.discard, [self.run.run_key])
        self.additions = []
        add = PgCallCounter.add

        def counted_add(counter, key, calls=1):
            self.additions.append(calls)
            return add(counter, key, calls)

        patcher = patch.object(PgCallCounter, "add", counted_add)
        patcher.start()
        self.addCleanup(patcher.stop)

    def count(self):
        return self.counter.get([self.run.run_key]).get(self.run.run_key, 0)

    def test_calls_are_added_at_the_end_of_the_block(self):
        with self.run._counting_calls() as stats:
            for _i in range(5):
                note_call()
            # A nested block of the same run counts each call once.
            with self.run._counting_calls():
                note_call()
        self.assertEqual(stats.calls, 6)
        self.assertEqual(self.additions, [6])
        self.assertEqual(self.count(), 6)

    def test_a_failed_block_keeps_its_calls(self):
        with self.assertRaises(Boom), self.run._counting_calls():
            for _i in range(3):
                note_call()
            raise Boom
        self.assertEqual(self.count(), 3)

    def test_a_long_block_adds_its_calls_as_it_goes(self):
        with patch.object(generic_sync_run, "CALLS_FLUSH_SECONDS", 0):
            with self.run._counting_calls():
                note_call()
                self.assertEqual(self.count(), 1)
                note_call()
            self.assertEqual(self.additions, [1, 1])
        self.assertEqual(self.count(), 2)
