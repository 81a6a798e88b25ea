# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The webhook intake a connector's endpoint is made of.

A connector names its route and its backend model (a backend mixing in
``generic.webhook.backend``), nothing more::

    class MyConnectorWebhookController(WebhookController, http.Controller):
        _backend_model = "myconnector.backend"

        @webhook_route("/myconnector/webhook/")
        def receive(self, token, **kwargs):
            return self._receive_delivery(token)

:class:`WebhookController` is a mixin, not an ``http.Controller``: Odoo
merges every subclass of a controller class into one controller (that is how
an addon extends a route), so two connectors subclassing one controller base
would share one ``receive`` and one backend model. Mixed into a controller of
its own, each connector's endpoint stays its own.

Acknowledge fast, work later: verify the raw body, store the event and
enqueue its job, answer 202. A ``type='http'`` route, so errors are real HTTP
statuses (a ``type='json'`` route would answer them 200 with a traceback).

A platform that receives a 401 or a 500 for a correctly signed delivery ends
up disabling the endpoint, so every valid delivery is answered 2xx, under any
concurrency:

* The body is read once and kept on the request (:func:`request_body`): when
  Odoo replays a request after a serialization failure, the replay sees the
  same bytes, not an exhausted stream.
* The delivery is stored in a short READ COMMITTED transaction, the
  request's own when nothing ran in it yet
  (:meth:`WebhookController._intake_cursor`): the inbox row is inserted with
  ``ON CONFLICT DO NOTHING`` and its job created in the same statement, and a
  simultaneous redelivery waits for that transaction and then finds the row,
  where REPEATABLE READ would fail it. The answer leaves only after that
  transaction committed: an accepted event is never lost.
* Everything PostgreSQL would refuse (NUL bytes, undecodable text, overlong
  identifiers) is refused here first, with 400 (401 for the token).
* While PostgreSQL is unreachable the route answers 503 with ``Retry-After``
  (:func:`webhook_route` registers its prefix with
  :mod:`odoo.addons.generic_connector.http_outage`), never 404.

One 401, with one body, for an unknown backend and for a bad signature, so a
caller learns nothing from the difference; the reason is logged. The body
size is enforced here, while reading: Werkzeug 2.0 ignores
``max_content_length`` for chunked bodies.
"""

import contextlib
import json
import logging
import re

from psycopg2.extensions import (
    ISOLATION_LEVEL_READ_COMMITTED,
    TRANSACTION_STATUS_IDLE,
)

from odoo import api, http
from odoo.http import request

from ..exceptions import unstorable_reason
from ..http_outage import answer_unavailable_on
from ..transport import WebhookVerificationError

_logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
# Printable ASCII: generated tokens are token_urlsafe; a hand-set one may use
# any visible character. A NUL, a space or a non-ASCII character cannot be one.
TOKEN_PATTERN = re.compile(r"[\x21-\x7e]{1,256}\Z")
MAX_ID_LENGTH = 255  # delivery and event ids: kept in a unique btree index
MAX_TYPE_LENGTH = 128
# Headers the endpoint reads: checked for what PostgreSQL refuses.
USED_HEADERS = (
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "X-Signature",
    "X-Webhook-Id",
    "X-Webhook-Timestamp",
    "X-Event-Type",
)


class BadDelivery(ValueError):
    """A delivery the endpoint cannot store; ``status`` is the HTTP answer."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def request_body(httprequest, limit=MAX_BODY_BYTES):
    """The request's raw body, read once and kept on ``httprequest``, or None
    past ``limit`` bytes.

    Odoo replays the whole dispatch on the same ``httprequest`` after a
    serialization failure; the stream is exhausted by then, the kept bytes
    are not. Reads in a loop: a raw stream may return less than asked, and
    the size of a chunked body is known only by reading it.
    """
    if hasattr(httprequest, "_webhook_body"):
        return httprequest._webhook_body
    length = httprequest.content_length
    body = None
    if length is None or length <= limit:
        body = _read_limited(httprequest.stream, limit)
    httprequest._webhook_body = body
    return body


def _read_limited(stream, limit):
    chunks, size = [], 0
    while size <= limit:
        chunk = stream.read(min(65536, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    return None


def storable(value, what, max_length=None):
    """``value`` as text PostgreSQL accepts, or raise :class:`BadDelivery`."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise BadDelivery(f"{what} must be a non-empty string")
    reason = unstorable_reason(value)
    if reason:
        raise BadDelivery(f"{what} {reason}")
    if max_length and len(value) > max_length:
        raise BadDelivery(f"{what} is longer than {max_length} characters")
    return value


def parse_delivery(body, headers):
    """``(delivery_id, event_type, event_id, text, payload)`` of a verified
    delivery (``payload``: the body's JSON object).

    Raise :class:`BadDelivery` for a body or a header PostgreSQL would
    refuse, a body that is not a UTF-8 JSON object, or missing identifiers.
    """
    try:
        text = body.decode("utf-8")
        payload = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise BadDelivery("the body is not valid UTF-8 JSON") from err
    if not isinstance(payload, dict):
        raise BadDelivery("the body must be a JSON object")
    event_id = payload.get("id")
    if event_id is not None:
        event_id = storable(event_id, "the event id", MAX_ID_LENGTH)
    delivery_id = headers.get("webhook-id") or headers.get("X-Webhook-Id") or event_id
    event_type = payload.get("type") or headers.get("X-Event-Type")
    if not delivery_id or not event_type:
        raise BadDelivery("a delivery id and an event type are required")
    return (
        storable(delivery_id, "the delivery id", MAX_ID_LENGTH),
        storable(event_type, "the event type", MAX_TYPE_LENGTH),
        event_id,
        text,
        payload,
    )


def check_headers(headers):
    """Raise :class:`BadDelivery` when a header the endpoint reads carries a
    NUL byte (WSGI headers are latin-1 text: nothing else can be wrong)."""
    for name in USED_HEADERS:
        value = headers.get(name)
        if value is not None and "\x00" in value:
            raise BadDelivery(f"the {name} header contains a NUL character")


def webhook_route(prefix):
    """The ``@http.route`` of a webhook endpoint at ``<prefix><token>``, whose
    paths answer 503 while the database is out (see the module docstring)."""
    answer_unavailable_on(prefix)
    return http.route(
        prefix + "<string:token>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )


class WebhookController:
    """The intake of a connector's webhook route (see the module docstring);
    ``_backend_model``: the model of the backends it serves."""

    _backend_model = None

    def _receive_delivery(self, token):
        """Answer the delivery posted to the backend whose token is
        ``token``: 202 stored, 200 already received, 4xx refused."""
        body = request_body(request.httprequest)
        if body is None:
            return self._answer(413, "payload too large")
        if not TOKEN_PATTERN.match(token):
            return self._refuse("malformed_token")
        headers = request.httprequest.headers
        try:
            check_headers(headers)
        except BadDelivery as err:
            return self._bad_delivery(err)
        return self._intake(token, headers, body)

    def _intake(self, token, headers, body):
        """Verify and store the delivery in a READ COMMITTED transaction,
        committed before the answer (see the module docstring)."""
        with self._intake_cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            Backend = env[self._backend_model]
            # What the intake needs of the backend, by token, from a
            # per-worker cache: no query.
            intake = Backend._webhook_intake(token)
            try:
                if not intake:
                    raise WebhookVerificationError("unknown_backend")
                Backend._webhook_verify_secrets(intake, headers, body)
            except WebhookVerificationError as err:
                if intake:
                    # Counted for the admin (committed with this block).
                    Backend.browse(intake.backend_id)._webhook_note_refusal(err.reason)
                return self._refuse(err.reason)
            try:
                delivery_id, event_type, event_id, text, payload = parse_delivery(
                    body, headers
                )
            except BadDelivery as err:
                return self._bad_delivery(err)
            if not intake.user_id:
                _logger.error("Backend %s has no integration user", intake.backend_id)
                return self._answer(503, "the receiver is not configured")
            env = env(user=intake.user_id)
            backend = env[self._backend_model].browse(intake.backend_id)
            event, created = env["generic.webhook"]._receive(
                backend,
                delivery_id,
                event_type,
                text,
                headers,
                event_id=event_id,
                subject=self._subject(backend, event_type, payload),
            )
            event_ref = event.id
        # The intake transaction is committed before this answer leaves (see
        # _intake_cursor): a failed commit answers an error, and the platform
        # retries.
        if not created:
            return self._answer(200, "duplicate", id=event_ref)
        return self._answer(202, "accepted", id=event_ref)

    def _subject(self, backend, event_type, payload):
        """The event's subject (``_webhook_subject``), or None when the
        connector's code fails on this payload: the subject only merges
        jobs, and the delivery is stored either way."""
        try:
            return backend._webhook_subject(event_type, payload)
        except Exception:
            _logger.exception("No subject for webhook %s of %s", event_type, backend)
            return None

    @contextlib.contextmanager
    def _intake_cursor(self):
        """The cursor the delivery is stored with, in READ COMMITTED, whose
        transaction is committed before the answer leaves.

        The request's own cursor when its transaction has not started yet
        (nothing ran in it before the route: the usual case), where the
        isolation level can still be chosen; Odoo commits it when the route
        returns, before the response is sent (``odoo.service.model.retrying``;
        a failed commit answers an error, and the platform retries). Else a
        cursor of its own, committed when the block ends. In test mode, the
        test's cursor, whose isolation level is fixed.
        """
        cr = request.env.cr
        registry = request.env.registry
        if registry.in_test_mode():
            yield cr
        elif cr._cnx.info.transaction_status != TRANSACTION_STATUS_IDLE:
            with registry.cursor() as own:
                own._cnx.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
                yield own
        else:
            # psycopg2 opens the transaction with BEGIN ISOLATION LEVEL READ
            # COMMITTED: no statement of its own. Odoo sets its level again
            # on every cursor it opens: a pooled connection does not keep it.
            cr._cnx.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
            yield cr

    def _refuse(self, reason):
        _logger.warning(
            "Webhook refused (%s) from %s", reason, request.httprequest.remote_addr
        )
        return self._answer(401, "invalid signature")

    def _bad_delivery(self, err):
        """A delivery that can never be stored (malformed, or what
        PostgreSQL refuses): one WARNING line with its reason, a 4xx."""
        _logger.warning(
            "Webhook refused (%s %s) from %s",
            err.status,
            err,
            request.httprequest.remote_addr,
        )
        return self._answer(err.status, str(err))

    def _answer(self, status, message, **extra):
        return request.make_json_response({"status": message, **extra}, status=status)
