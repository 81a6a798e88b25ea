# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..components.core import job_errors
from ..transport import AuthError, RateLimitedError, TransientError
from .common import GenericConnectorCase


@tagged("post_install", "-at_install")
class TestWebhookInbox(GenericConnectorCase):
    def _event(self, delivery_id, backend_id=1):
        return self.env["generic.webhook"].create(
            {
                "backend_model": "res.partner",
                "backend_id": backend_id,
                "delivery_id": delivery_id,
                "event_type": "product.updated",
                "payload": "{}",
            }
        )

    def test_delivery_unique_per_backend(self):
        self._event("evt_1")
        self._event("evt_1", backend_id=2)  # another backend: allowed
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self._event("evt_1")

    def test_inbox_action_and_menu_load(self):
        action = self.env.ref("generic_connector.generic_webhook_action")
        self.assertEqual(action.res_model, "generic.webhook")
        menu = self.env.ref("generic_connector.generic_webhook_menu")
        self.assertIn(menu, self.env["ir.ui.menu"].search([("action", "!=", False)]))
        self.env["generic.webhook"].get_views([(False, "tree"), (False, "form")])

    def test_groups(self):
        manager = self.env.ref("connector.group_connector_manager")
        user = self.env.ref("generic_connector.generic_connector_group_user")
        self.assertIn(user, manager.trans_implied_ids)


@tagged("post_install", "-at_install")
class TestJobErrors(GenericConnectorCase):
    def test_rate_limit_retries_after_remote_delay(self):
        with self.assertRaises(RetryableJobError) as caught, job_errors():
            raise RateLimitedError("429 Too Many Requests", status=429, retry_after=7.2)
        self.assertEqual(caught.exception.seconds, 8)

    def test_transient_retries_on_the_functions_pattern(self):
        with self.assertRaises(RetryableJobError) as caught, job_errors():
            raise TransientError("503 Service Unavailable", status=503)
        self.assertIsNone(caught.exception.seconds)

    def test_rate_limit_without_delay_uses_the_pattern(self):
        with self.assertRaises(RetryableJobError) as caught, job_errors():
            raise RateLimitedError("429 Too Many Requests", status=429)
        self.assertIsNone(caught.exception.seconds)

    def test_permanent_fails_with_message(self):
        with self.assertRaises(FailedJobError) as caught, job_errors():
            raise AuthError(
                "401 Unauthorized: check the backend's credentials", status=401
            )
        self.assertIn("credentials", str(caught.exception))
