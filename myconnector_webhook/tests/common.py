# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the webhook tests share."""

from odoo.tests import HttpCase

from odoo.addons.myconnector.tests.common import MyConnectorCase


class WebhookHttpCase(HttpCase, MyConnectorCase):
    """A backend subscribed to the sandbox's webhooks, posting to this test's
    HTTP server at ``cls.url``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("web.base.url", cls.base_url())
        cls.backend.action_register_webhook()
        cls.url = f"/myconnector/webhook/{cls.backend.webhook_token}"

    def inbox(self):
        return self.env["generic.webhook"].search(
            [("backend_model", "=", "myconnector.backend")]
        )

    def post(self, body, headers, url=None):
        headers = dict(headers, **{"Content-Type": "application/json"})
        return self.url_open(url or self.url, data=body, headers=headers)
