# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook settings of a MyConnector backend, and its event handlers."""

import contextlib
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlsplit

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError

from odoo.addons.generic_connector.models.generic_backend import MANAGER
from odoo.addons.generic_connector.models.generic_webhook import subject_of
from odoo.addons.generic_connector.transport import (
    NotFoundError,
    OffsetPagination,
    TransportError,
    WebhookVerificationError,
    iterate_items,
    verify_hmac_hex,
    verify_standard_webhook,
)
from odoo.addons.myconnector.models.myconnector_backend import (
    CUSTOMER_MODEL,
    ORDER_MODEL,
    PRODUCT_MODEL,
    VARIANT_MODEL,
)

WEBHOOK_EVENTS = [
    "product.created",
    "product.updated",
    "product.deleted",
    "customer.created",
    "customer.updated",
    "order.created",
    "order.updated",
    "order.cancelled",
    "inventory.updated",
]
# The subject of each event type (``_webhook_subject``): the record its
# handler reads again, as (kind, key of its id in the payload's ``data``).
WEBHOOK_SUBJECTS = {
    "product.created": ("product", "id"),
    "product.updated": ("product", "id"),
    "product.deleted": ("product", "id"),
    "customer.created": ("customer", "id"),
    "customer.updated": ("customer", "id"),
    "order.created": ("order", "id"),
    "order.updated": ("order", "id"),
    "order.cancelled": ("order", "id"),
    "inventory.updated": ("inventory", "variant_id"),
}
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


class WebhookIntake(NamedTuple):
    """What the webhook intake needs of a backend (``_webhook_intake``)."""

    backend_id: int
    user_id: int | None
    scheme: str
    secret: str | None
    previous_secret: str | None
    previous_until: datetime | None


class MyConnectorBackend(models.Model):
    _inherit = "myconnector.backend"

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
        default=lambda self: self.env.ref(
            "myconnector_webhook.user_integration", raise_if_not_found=False
        ),
        help="Webhooks are stored and processed as this user.",
    )
    webhook_url = fields.Char(
        string="Webhook URL", compute="_compute_webhook_url", groups=MANAGER
    )
    webhook_subscription_id = fields.Char(readonly=True, copy=False)

    _sql_constraints = [
        ("webhook_token_uniq", "unique(webhook_token)", "Webhook tokens are unique.")
    ]

    @api.depends("webhook_token")
    def _compute_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for backend in self:
            backend.webhook_url = f"{base}/myconnector/webhook/{backend.webhook_token}"

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
        if scheme == "standard":
            verify_standard_webhook(secret, headers, body)
        else:
            verify_hmac_hex(
                secret,
                body,
                headers.get("X-Signature"),
                timestamp=headers.get("X-Webhook-Timestamp"),
            )

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
            "SELECT id, webhook_user_id, webhook_scheme, webhook_secret, "
            "webhook_secret_previous, webhook_secret_previous_until "
            "FROM myconnector_backend WHERE webhook_token = %s AND active",
            (token,),
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

    def _webhook_job_options(self):
        # Webhook jobs call the API too: under the backend's channel, whose
        # capacity is sized against its rate budget.
        return {"channel": f"{self._job_channel()}.webhook"}

    def _webhook_handlers(self):
        handlers = super()._webhook_handlers()
        handlers.update(
            {
                "product.created": self._webhook_product_changed,
                "product.updated": self._webhook_product_changed,
                # Re-fetched too: the 404 archives the product (never unlinks).
                "product.deleted": self._webhook_product_changed,
                "customer.created": self._webhook_customer_changed,
                "customer.updated": self._webhook_customer_changed,
                # One handler whatever the order of arrival: the order is read
                # again, so an update arriving before the creation imports
                # the newest state, and the late creation is then skipped.
                "order.created": self._webhook_order_changed,
                "order.updated": self._webhook_order_changed,
                "order.cancelled": self._webhook_order_changed,
                "inventory.updated": self._webhook_inventory_changed,
            }
        )
        return handlers

    def _webhook_subject(self, event_type, payload):
        # Every handler reads its record again: events about one record are
        # merged while the first one's job waits (see generic.webhook).
        kind, key = WEBHOOK_SUBJECTS.get(event_type, (None, None))
        data = payload.get("data")
        if not kind or not isinstance(data, dict):
            return super()._webhook_subject(event_type, payload)
        return subject_of(kind, data.get(key))

    def _webhook_product_changed(self, payload):
        """Re-fetch the product from the API: the payload may be stale or
        out of order, the API has the newest state."""
        external_id = payload["data"]["id"]
        return self.env[PRODUCT_MODEL].import_record(self, external_id)

    def _webhook_customer_changed(self, payload):
        """Re-fetch the customer from the API (see products)."""
        external_id = payload["data"]["id"]
        return self.env[CUSTOMER_MODEL].import_record(self, external_id)

    def _webhook_order_changed(self, payload):
        """Re-fetch the order from the API (see products); its customer and
        products are imported with it when Odoo does not have them."""
        external_id = payload["data"]["id"]
        return self.env[ORDER_MODEL].import_record(self, external_id)

    def _webhook_inventory_changed(self, payload):
        """Read the variant's levels again from the API into its quants."""
        variant_id = str(payload["data"]["variant_id"])
        binding = self.env[VARIANT_MODEL].search(
            [("backend_id", "=", self.id), ("external_id", "=", variant_id)]
        )
        if not binding:
            return _(
                "Variant %(id)s is not imported: its stock comes with its product",
                id=variant_id,
            )
        return self._import_inventory_chunk(binding)

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
                # Already gone on the platform is what we wanted.
                with contextlib.suppress(NotFoundError):
                    self._transport_client().request(
                        "DELETE", f"/api/v1/webhooks/{old_subscription}"
                    )
            except TransportError as err:
                raise UserError(
                    _("Could not remove the old subscription: %(err)s", err=err.summary)
                ) from err

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
        body = {
            "url": self.webhook_url,
            "events": WEBHOOK_EVENTS,
            "scheme": self.webhook_scheme,
        }
        if self.webhook_secret:
            body["secret"] = self.webhook_secret
        client = self._transport_client()
        try:
            existing = self._webhook_subscriptions(client)
            subscription = self._webhook_subscribe(client, body, existing)
            for other in existing:
                if str(other.get("id")) != str(subscription.get("id")):
                    # Already gone on the platform is what we wanted.
                    with contextlib.suppress(NotFoundError):
                        client.request("DELETE", f"/api/v1/webhooks/{other['id']}")
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

    def _webhook_subscriptions(self, client):
        """The platform's subscriptions posting to this backend, the one it
        knows first, then by age. The URL's path is compared: its token is
        this backend's own, whatever host Odoo was reached by then."""
        path = urlsplit(self.webhook_url).path
        own = [
            subscription
            for subscription in iterate_items(
                client,
                "/api/v1/webhooks",
                style=OffsetPagination(total_path="data.total"),
                items_path="data.items",
            )
            if urlsplit(subscription.get("url") or "").path == path
        ]
        known = self.webhook_subscription_id
        return sorted(own, key=lambda s: (str(s.get("id")) != known, s.get("id")))

    @staticmethod
    def _webhook_subscribe(client, body, existing):
        """The subscription ``body`` describes: the first of ``existing``
        updated when ``body`` carries the secret, else a new one (the
        platform makes its secret)."""
        if existing and body.get("secret"):
            with contextlib.suppress(NotFoundError):
                answer = client.request_json(
                    "PATCH", f"/api/v1/webhooks/{existing[0]['id']}", json=body
                )
                return answer.get("data", answer)
        answer = client.request_json("POST", "/api/v1/webhooks", json=body)
        return answer.get("data", answer)
