# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The endpoint the MyConnector platform posts webhooks to.

Acknowledge fast, work later: verify the raw body, store the event and
enqueue its job in this request's transaction, answer 202. A ``type='http'``
route, so errors are real HTTP statuses (a ``type='json'`` route would answer
them 200 with a traceback). One 401, with one body, for an unknown backend
and for a bad signature, so a caller learns nothing from the difference; the
reason is logged. The body size is enforced here, while reading: Werkzeug 2.0
ignores ``max_content_length`` for chunked bodies.
"""

import json
import logging

from odoo import http
from odoo.http import request

from odoo.addons.generic_connector.transport import WebhookVerificationError

_logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024


class MyConnectorWebhookController(http.Controller):
    @http.route(
        "/myconnector/webhook/<string:token>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def receive(self, token, **kwargs):
        length = request.httprequest.content_length
        if length is not None and length > MAX_BODY_BYTES:
            return self._answer(413, "payload too large")
        body = self._read_body(request.httprequest.stream, MAX_BODY_BYTES)
        if body is None:
            return self._answer(413, "payload too large")
        headers = request.httprequest.headers
        backend_sudo = (
            request.env["myconnector.backend"]
            .sudo()
            .search([("webhook_token", "=", token)], limit=1)
        )
        try:
            if not backend_sudo:
                raise WebhookVerificationError("unknown_backend")
            backend_sudo._webhook_verify(headers, body)
        except WebhookVerificationError as err:
            if backend_sudo:
                backend_sudo._webhook_note_refusal(err.reason)
            _logger.warning(
                "Webhook refused (%s) from %s",
                err.reason,
                request.httprequest.remote_addr,
            )
            return self._answer(401, "invalid signature")
        try:
            payload = json.loads(body)
        except ValueError:
            return self._answer(400, "the body is not valid JSON")
        if not isinstance(payload, dict):
            return self._answer(400, "the body must be a JSON object")
        delivery_id = (
            headers.get("webhook-id")
            or headers.get("X-Webhook-Id")
            or payload.get("id")
        )
        event_type = payload.get("type") or headers.get("X-Event-Type")
        if not delivery_id or not event_type:
            return self._answer(400, "a delivery id and an event type are required")
        user = backend_sudo.webhook_user_id
        if not user:
            _logger.error("Backend %s has no integration user", backend_sudo.id)
            return self._answer(503, "the receiver is not configured")
        request.update_env(user=user.id)
        backend = backend_sudo.with_user(user)
        event_id = payload.get("id")
        event, created = request.env["generic.webhook"]._receive(
            backend,
            str(delivery_id),
            event_type,
            body,
            headers,
            event_id=str(event_id) if event_id else None,
        )
        if not created:
            return self._answer(200, "duplicate", id=event.id)
        return self._answer(202, "accepted", id=event.id)

    @staticmethod
    def _read_body(stream, limit):
        """The whole body, or None past ``limit`` bytes. Reads in a loop:
        a raw stream may return less than asked, and the size of a chunked
        body is known only by reading it."""
        chunks, size = [], 0
        while size <= limit:
            chunk = stream.read(min(65536, limit + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
        return None

    def _answer(self, status, message, **extra):
        return request.make_json_response({"status": message, **extra}, status=status)
