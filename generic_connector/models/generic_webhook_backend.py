# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A backend that receives webhooks: its settings, its verification, its
events and its subscription on the platform.

A connector mixes it into its backend and declares what is its own::

    class MyConnectorBackend(models.Model):
        _name = "myconnector.backend"
        _inherit = ["generic.webhook.backend", "myconnector.backend"]

        _webhook_path = "/myconnector/webhook/"   # its controller's route
        _webhook_user_xmlid = "myconnector_webhook.user_integration"
        _webhook_events = {
            "product.updated": WebhookEvent("product", PRODUCT_MODEL),
            "inventory.updated": WebhookEvent(
                "inventory", handler="_webhook_inventory_changed",
                key="data.variant_id"),
        }

        # The platform's subscription API (see "Subscription" below).
        def _webhook_list_subscriptions(self, client): ...
        def _webhook_create_subscription(self, client, body): ...
        def _webhook_update_subscription(self, client, subscription_id, body): ...
        def _webhook_delete_subscription(self, client, subscription_id): ...

and a controller (``controllers/webhook.py``). The inbox (``generic.webhook``)
stores each delivery and calls ``_webhook_process``; the handlers and the
subjects follow from ``_webhook_events``. The retention and the refusal
counts are ``generic.backend``'s: the inbox's clean-up and the backend's
health read them on every backend.

This model inherits ``generic.backend`` and is named first in ``_inherit``
(Python needs one consistent method order): its methods come after the
extending class's own and before those of the connector's backend and of
``generic.backend`` (whose ``_webhook_handlers`` and ``_webhook_subject``
are the defaults it overrides).
"""

import contextlib
import functools
import json
import logging
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit

from psycopg2 import OperationalError

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..transport import (
    NotFoundError,
    TransportError,
    WebhookVerificationError,
    verify_hmac_hex,
    verify_standard_webhook,
)
from .generic_backend_transport import MANAGER
from .generic_webhook import subject_of

_logger = logging.getLogger(__name__)

# A write of one of these clears the intake's per-worker cache of what it
# needs of a backend, by token (``_webhook_intake``).
INTAKE_FIELDS = frozenset(
    {
        "webhook_token",
        "active",
        "webhook_secret",
        "webhook_secret_previous",
        "webhook_secret_previous_until",
        "webhook_scheme",
        "webhook_user_id",
    }
)


class WebhookEvent(NamedTuple):
    """One row of a connector's event table (``_webhook_events``).

    ``resource``: the kind of record the event is about, the first part of
    its subject (``product:42``); ``model``: the binding model the default
    handler imports the record with; ``handler``: the backend method called
    with ``(event, payload)``; ``key``: the dotted path of the record's id in
    the payload.
    """

    resource: str
    model: str | None = None
    handler: str = "_webhook_import"
    key: str = "data.id"

    def record_id(self, payload):
        """The record's id in ``payload``; KeyError when it has none (the
        event then fails, for an admin to see)."""
        value = payload
        for part in self.key.split("."):
            if not isinstance(value, dict) or part not in value:
                raise KeyError(f"no {self.key} in the {self.resource} event")
            value = value[part]
        return value


class WebhookIntake(NamedTuple):
    """What the webhook intake needs of a backend (``_webhook_intake``)."""

    backend_id: int
    user_id: int | None
    scheme: str
    secret: str | None
    previous_secret: str | None
    previous_until: datetime | None


class GenericWebhookBackend(models.AbstractModel):
    _name = "generic.webhook.backend"
    _inherit = "generic.backend"
    _description = "Backend Receiving Webhooks"

    # The route's prefix (its controller's ``webhook_route``): the URL
    # subscribed is <web.base.url><_webhook_path><webhook_token>.
    _webhook_path = None
    # Under a burst, a delivery joins the job of the backend's newest pending
    # event while that job has not started and holds fewer events than this:
    # one job, one run and one dispatch for many events (generic.webhook's
    # ``_receive``). The events of a job are visible when it commits: more
    # per job is less overhead but a later commit. 1 gives every event its
    # own job.
    _webhook_batch_size = 25
    # XML id of the user deliveries are stored and processed as, by default.
    _webhook_user_xmlid = None
    # {event type: WebhookEvent}: the events subscribed and their handling.
    _webhook_events = {}

    webhook_token = fields.Char(
        groups=MANAGER,
        copy=False,
        index=True,
        default=lambda self: secrets.token_urlsafe(24),
        help="Secret part of the webhook URL that identifies this backend.",
    )
    webhook_secret = fields.Char(
        groups=MANAGER, copy=False, help="Key of the deliveries' signatures."
    )
    webhook_secret_previous = fields.Char(
        groups=MANAGER,
        copy=False,
        help="The secret before the last rotation, still accepted until "
        "Previous secret valid until (deliveries already sent or retrying).",
    )
    webhook_secret_previous_until = fields.Datetime(
        copy=False, readonly=True, string="Previous secret valid until"
    )
    webhook_rotation_hours = fields.Integer(
        default=24,
        string="Rotation window (hours)",
        help="How long the previous secret is still accepted after a rotation.",
    )
    webhook_scheme = fields.Selection(
        [
            ("standard", "Standard Webhooks (webhook-signature)"),
            ("signature", "X-Signature (hex HMAC-SHA256 of the body)"),
        ],
        default="standard",
        required=True,
    )
    webhook_user_id = fields.Many2one(
        "res.users",
        string="Integration User",
        default=lambda self: self._webhook_default_user(),
        help="Webhooks are stored and processed as this user.",
    )
    webhook_url = fields.Char(
        string="Webhook URL", compute="_compute_webhook_url", groups=MANAGER
    )
    webhook_subscription_id = fields.Char(readonly=True, copy=False)

    _sql_constraints = [
        ("webhook_token_uniq", "unique(webhook_token)", "Webhook tokens are unique.")
    ]

    def _webhook_default_user(self):
        if not self._webhook_user_xmlid:
            return self.env["res.users"]
        return self.env.ref(self._webhook_user_xmlid, raise_if_not_found=False)

    @api.depends("webhook_token")
    def _compute_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for backend in self:
            backend.webhook_url = f"{base}{self._webhook_path}{backend.webhook_token}"

    # Intake ------------------------------------------------------------------

    @api.model
    @tools.ormcache("token", cache="routing")
    def _webhook_intake(self, token):
        """What the intake needs of the active backend whose webhook token is
        ``token`` (a :class:`WebhookIntake`), or None.

        Cached in each worker, so a webhook request reads no backend: a
        create, an unlink or a write of :data:`INTAKE_FIELDS` clears the
        cache of every worker (Odoo's registry signalling, checked at the
        start of their next request: a new secret applies at once). The
        rotation's overlap is checked against the clock at each request.

        The token is the route's own: its lookup is kept in Odoo's
        ``routing`` cache, which the ``default`` cache's clearing leaves
        alone. Odoo clears that one often: every ``product.product`` create
        does, so during a burst of new products every worker would read the
        backend again.
        """
        self.env.cr.execute(
            SQL(
                "SELECT id, webhook_user_id, webhook_scheme, webhook_secret, "
                "webhook_secret_previous, webhook_secret_previous_until "
                "FROM %s WHERE webhook_token = %s AND active",
                SQL.identifier(self._table),
                token,
            )
        )
        row = self.env.cr.fetchone()
        return WebhookIntake(*row) if row else None

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache("routing")
        return super().create(vals_list)

    def write(self, vals):
        if INTAKE_FIELDS.intersection(vals):
            self.env.registry.clear_cache("routing")
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache("routing")
        return super().unlink()

    @api.model
    def _webhook_verify_secrets(self, intake, headers, body):
        """Raise :class:`WebhookVerificationError` unless the delivery is
        signed with ``intake``'s secret, or with the previous one during a
        rotation's overlap."""
        if not intake.secret:
            raise WebhookVerificationError("no_secret_configured")
        secrets_ = [intake.secret]
        if (
            intake.previous_secret
            and intake.previous_until
            and intake.previous_until > fields.Datetime.now()
        ):
            secrets_.append(intake.previous_secret)
        for index, secret in enumerate(secrets_):
            try:
                return self._webhook_verify_with(intake.scheme, secret, headers, body)
            except WebhookVerificationError as err:
                # Only a signature mismatch may be the rotation's other secret.
                if err.reason != "bad_signature" or index == len(secrets_) - 1:
                    raise

    @api.model
    def _webhook_verify_with(self, scheme, secret, headers, body):
        """Verify one signature scheme (``webhook_scheme``); a connector
        adding a scheme extends the selection and this method."""
        if scheme == "standard":
            verify_standard_webhook(secret, headers, body)
        else:
            verify_hmac_hex(
                secret,
                body,
                headers.get("X-Signature"),
                timestamp=headers.get("X-Webhook-Timestamp"),
            )

    # Events ------------------------------------------------------------------

    def _webhook_handlers(self):
        handlers = super()._webhook_handlers()
        for event_type, event in self._webhook_events.items():
            handlers[event_type] = functools.partial(
                getattr(self, event.handler), event
            )
        return handlers

    def _webhook_subject(self, event_type, payload):
        # Every handler reads its record again: events about one record are
        # merged while the first one's job waits (see generic.webhook).
        event = self._webhook_events.get(event_type)
        if not event:
            return super()._webhook_subject(event_type, payload)
        try:
            return subject_of(event.resource, event.record_id(payload))
        except KeyError:
            return None

    @api.model
    def _webhook_event_models(self):
        return {
            event_type: event.model
            for event_type, event in self._webhook_events.items()
            if event.model
        }

    def _webhook_record_subjects(self, model_name, external_ids):
        # A backend never subscribed expects no webhook; one whose
        # subscription the platform lost still does: that is the point.
        kinds = {
            e.resource for e in self._webhook_events.values() if e.model == model_name
        }
        if not self.webhook_subscription_id or not kinds:
            return {}
        kind = min(kinds)  # one kind of subject per model
        subjects = {i: subject_of(kind, i) for i in external_ids}
        return {i: subject for i, subject in subjects.items() if subject}

    def _webhook_import(self, event, payload):
        """The default handler: import the record again from the API, whose
        state is the newest whatever the order the events arrive in (a
        deletion too: the importer archives what the API no longer has)."""
        return self.env[event.model].import_record(self, event.record_id(payload))

    def _webhook_process_batch(self, events):
        """The events of one job whose handler is the default one
        (``_webhook_import``), imported together per binding model: their
        records read a few at once, locked in one statement, and their
        after-import work (a product's variants) done for all
        (``import_records``). A burst of price changes then costs a few
        queries per event, not a product import each.

        What the batch does not import is processed one by one, as before:
        a record that fails on its data (it then fails alone, with its
        reason), an event without a record id, a whole batch that meets a
        transient error (each event then retries alone), a model with one
        event. A connector that overrides ``_webhook_import`` gets it called
        per event (override this method too to batch its events)."""
        results = super()._webhook_process_batch(events)
        if type(self)._webhook_import is not GenericWebhookBackend._webhook_import:
            return results
        groups = {}
        for event in events:
            spec = self._webhook_events.get(event.event_type)
            if event.id in results or not spec or not spec.model:
                continue
            if spec.handler != "_webhook_import":
                continue
            try:
                external_id = str(spec.record_id(json.loads(event.payload)))
            except (KeyError, ValueError):
                continue  # fails one by one, with its reason
            groups.setdefault(spec.model, {}).setdefault(external_id, []).append(event)
        for model, by_id in groups.items():
            if len(by_id) > 1:
                results.update(self._webhook_import_batch(model, by_id))
        return results

    def _webhook_import_batch(self, model, by_id):
        """Import the records of ``by_id`` ``{external id: its events}``
        with ``model``'s ``import_records``; ``{event id: (state, message)}``
        of the events imported (none when the batch failed as a whole)."""
        webhook_ids = {external_id: evs[0].id for external_id, evs in by_id.items()}
        try:
            with self.env.cr.savepoint():
                done, failed = self.env[model].import_records(
                    self, list(by_id), webhook_ids=webhook_ids
                )
        except OperationalError:
            raise  # the transaction is lost: the job is retried
        except (RetryableJobError, FailedJobError, TransportError) as err:
            _logger.info(
                "Webhook batch of %s %s: one by one (%s)", len(by_id), model, err
            )
            return {}
        except Exception:
            # Nothing of it is kept; one by one, each event fails alone.
            _logger.warning(
                "Webhook batch of %s %s failed: one by one",
                len(by_id),
                model,
                exc_info=True,
            )
            return {}
        if failed:
            _logger.info(
                "Webhook batch of %s %s: %s failed, processed one by one",
                len(by_id),
                model,
                ", ".join(sorted(failed)),
            )
        return {
            event.id: ("done", message)
            for external_id, (_outcome, message) in done.items()
            for event in by_id.get(external_id, [])
        }

    # Subscription --------------------------------------------------------------

    def _webhook_list_subscriptions(self, client):
        """The platform's subscriptions, as dicts with ``id`` and ``url``."""
        raise NotImplementedError

    def _webhook_create_subscription(self, client, body):
        """Create ``body`` (:meth:`_webhook_subscription_body`); return the
        subscription, with the ``secret`` the platform made when ``body`` has
        none."""
        raise NotImplementedError

    def _webhook_update_subscription(self, client, subscription_id, body):
        """Update the subscription to ``body``; return it. NotFoundError when
        it is gone (a new one is made)."""
        raise NotImplementedError

    def _webhook_delete_subscription(self, client, subscription_id):
        """Delete the subscription; NotFoundError when it is gone already."""
        raise NotImplementedError

    def _webhook_subscription_body(self):
        body = {
            "url": self.webhook_url,
            "events": list(self._webhook_events),
            "scheme": self.webhook_scheme,
        }
        if self.webhook_secret:
            body["secret"] = self.webhook_secret
        return body

    def action_register_webhook(self):
        """Subscribe this backend's webhook URL on the platform, once.

        Idempotent (``make run`` registers at every start): the platform's
        subscriptions to this backend's URL are found first, and the one the
        backend knows (else the oldest) is updated to the current events,
        scheme and secret; the others are deleted, since each would deliver
        every event again, signed with a secret the backend no longer has.
        Without a secret yet (a new backend, a rotation) the subscription is
        made anew and the platform's secret kept.
        """
        self.ensure_one()
        body = self._webhook_subscription_body()
        client = self._transport_client()
        try:
            existing = self._webhook_own_subscriptions(client)
            subscription = self._webhook_subscribe(client, body, existing)
            for other in existing:
                if str(other.get("id")) != str(subscription.get("id")):
                    self._webhook_delete_gone(client, other["id"])
        except TransportError as err:
            raise UserError(
                _("Could not register the webhook: %(err)s", err=err.summary)
            ) from err
        self.write(
            {
                "webhook_secret": subscription.get("secret") or self.webhook_secret,
                "webhook_subscription_id": str(subscription.get("id") or ""),
            }
        )
        return True

    def _webhook_own_subscriptions(self, client):
        """The platform's subscriptions posting to this backend, the one it
        knows first, then by age. The URL's path is compared: its token is
        this backend's own, whatever host Odoo was reached by then."""
        path = urlsplit(self.webhook_url).path
        own = [
            subscription
            for subscription in self._webhook_list_subscriptions(client)
            if urlsplit(subscription.get("url") or "").path == path
        ]
        known = self.webhook_subscription_id
        return sorted(own, key=lambda s: (str(s.get("id")) != known, s.get("id")))

    def _webhook_subscribe(self, client, body, existing):
        """The subscription ``body`` describes: the first of ``existing``
        updated when ``body`` carries the secret, else a new one (the
        platform makes its secret)."""
        if existing and body.get("secret"):
            with contextlib.suppress(NotFoundError):
                return self._webhook_update_subscription(
                    client, existing[0]["id"], body
                )
        return self._webhook_create_subscription(client, body)

    def _webhook_delete_gone(self, client, subscription_id):
        # Already gone on the platform is what we wanted.
        with contextlib.suppress(NotFoundError):
            self._webhook_delete_subscription(client, subscription_id)

    def action_rotate_webhook_secret(self):
        """Subscribe again with a new secret and drop the old subscription;
        the old secret is still accepted during the rotation window, for the
        deliveries the platform already sent or retries."""
        self.ensure_one()
        backend_sudo = self.sudo()
        old_secret = backend_sudo.webhook_secret
        self._webhook_resubscribe(
            {
                "webhook_secret": False,
                "webhook_secret_previous": old_secret,
                "webhook_secret_previous_until": fields.Datetime.now()
                + timedelta(hours=max(self.webhook_rotation_hours, 0)),
            }
        )
        self._message_log(
            body=_(
                "Webhook secret rotated; the previous one is accepted until %(until)s.",
                until=self.webhook_secret_previous_until,
            ),
        )
        return True

    def action_regenerate_webhook_token(self):
        """A new webhook URL (the old one is refused at once), subscribed on
        the platform in place of the old subscription."""
        self.ensure_one()
        self._webhook_resubscribe({"webhook_token": secrets.token_urlsafe(24)})
        self._message_log(
            body=_("Webhook URL regenerated; the previous URL is refused."),
        )
        return True

    def _webhook_resubscribe(self, values):
        old_subscription = self.webhook_subscription_id
        self.sudo().write(values)
        self.action_register_webhook()
        if old_subscription:
            try:
                self._webhook_delete_gone(self._transport_client(), old_subscription)
            except TransportError as err:
                raise UserError(
                    _("Could not remove the old subscription: %(err)s", err=err.summary)
                ) from err
