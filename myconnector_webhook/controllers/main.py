# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The endpoint the MyConnector platform posts webhooks to (the intake is
``generic_connector``'s: see its ``controllers/webhook.py``)."""

from odoo import http

from odoo.addons.generic_connector.controllers.webhook import (
    WebhookController,
    webhook_route,
)

from ..models.myconnector_backend import WEBHOOK_PATH


class MyConnectorWebhookController(WebhookController, http.Controller):
    _backend_model = "myconnector.backend"

    @webhook_route(WEBHOOK_PATH)
    def receive(self, token, **kwargs):
        return self._receive_delivery(token)
