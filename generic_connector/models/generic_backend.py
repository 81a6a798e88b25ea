# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The backend every connector of the suite inherits.

A backend is one remote account. Its concerns are mixins this model
combines: how it reaches the remote (``generic.backend.transport``:
connection, credentials, limits, clients), how it synchronises
(``generic.backend.sync``: runs, watermarks, jobs and their channels), what
it synchronises (``generic.backend.resources``: the declared resources and
the actions, schedulers and counts that follow from them), its health at
a glance (``generic.backend.health``) and how fresh it is
(``generic.backend.freshness``: lag, missed webhooks). Concrete connectors inherit it
(``_inherit = "generic.backend"``) under their own ``_name``, which is also
the component collection their adapters, importers and mappers register on.
"""

import dataclasses
import json

from odoo import _, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..jobs import job_errors
from ..transport import TransportError


class GenericBackend(models.AbstractModel):
    _name = "generic.backend"
    _inherit = [
        "connector.backend",
        "mail.thread",
        "generic.backend.transport",
        "generic.backend.sync",
        "generic.backend.reconcile",
        "generic.backend.resources",
        "generic.backend.health",
        "generic.backend.jobs",
        "generic.backend.freshness",
    ]
    _description = "Generic Connector Backend"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    test_connection_path = fields.Char(
        default="/", help="Path requested by the Test connection button."
    )
    connection_state = fields.Selection(
        [("untested", "Not tested"), ("ok", "Connected"), ("failed", "Failed")],
        default="untested",
        readonly=True,
        copy=False,
    )
    connection_message = fields.Char(readonly=True, copy=False)
    connection_tested_at = fields.Datetime(readonly=True, copy=False)
    webhook_retention_days = fields.Integer(
        default=30,
        help="Days processed webhook events stay in the inbox (0: forever); "
        "failed and pending ones stay until handled.",
    )
    timeline_size = fields.Integer(
        default=20,
        help="Versions kept in each binding's timeline (the newest ones).",
    )
    timeline_retention_days = fields.Integer(
        default=90,
        help="Days a binding's versions are kept (0: until the timeline is full).",
    )
    webhook_refused_count = fields.Integer(
        readonly=True,
        copy=False,
        string="Refused webhooks",
        help="Deliveries refused (bad signature...): a misconfigured sender.",
    )
    webhook_refused_reason = fields.Char(readonly=True, copy=False)
    webhook_refused_at = fields.Datetime(readonly=True, copy=False)

    def _test_connection(self):
        """Call the remote once; raise a :class:`TransportError` on failure.
        Once, not with the retry policy: the admin waits for the answer, and
        a refused connection or a wrong key does not heal in a second."""
        client = self._transport_client()
        client.retry = dataclasses.replace(client.retry, max_attempts=1)
        client.request("GET", self.test_connection_path or "/")

    def action_test_connection(self):
        """Call the remote once and show the result at once: a notification,
        then (``next``: close) the form re-reads its new connection state."""
        self.ensure_one()
        try:
            self._test_connection()
        except TransportError as err:
            state, message = "failed", err.summary
        else:
            state, message = "ok", _("Connected to %(url)s", url=self.base_url)
        self.write(
            {
                "connection_state": state,
                "connection_message": message[:500],
                "connection_tested_at": fields.Datetime.now(),
            }
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Connection test"),
                "message": message,
                "type": "success" if state == "ok" else "danger",
                "sticky": state != "ok",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # Webhooks ----------------------------------------------------------------

    def _webhook_note_refusal(self, reason):
        """Count a refused delivery with its reason and time, never its body:
        an admin sees a sender with the wrong secret. In SQL, so concurrent
        refusals do not lose a count."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET webhook_refused_count = "
                "COALESCE(webhook_refused_count, 0) + 1, webhook_refused_reason = %s, "
                "webhook_refused_at = now() at time zone 'UTC' WHERE id = %s",
                SQL.identifier(self._table),
                str(reason)[:200],
                self.id,
            )
        )
        self.invalidate_recordset(
            ["webhook_refused_count", "webhook_refused_reason", "webhook_refused_at"]
        )

    def _webhook_job_options(self):
        """``with_delay`` options of this backend's webhook jobs (channel...)."""
        return self._job_options()

    def _webhook_handlers(self):
        """``{event type: method(payload)}``; override in the connector."""
        return {}

    def _webhook_subject(self, event_type, payload):
        """The subject of an event (``generic.webhook.subject``, made with
        ``subject_of``) when its handler reads that record again from the
        remote, so that a burst about one record costs one job; None (the
        default) gives every event its own job. Override in the connector;
        ``payload`` is any JSON object: return None for what you do not
        recognise."""
        return None

    def _webhook_process_batch(self, events):
        """Process together what of ``events`` (the events of one job,
        several) can be; return ``{event id: (state, message)}`` of those
        processed. The others are then processed one by one
        (``_webhook_process``). Nothing by default."""
        return {}

    def _webhook_process(self, event):
        """Process one inbox event; return ``(state, message)``.

        Runs the handler in a savepoint: a permanent failure (the remote says
        no, the data is invalid) is rolled back alone and reported as
        ``failed`` on the inbox row; a transient one retries the job.
        """
        self.ensure_one()
        handler = self._webhook_handlers().get(event.event_type)
        if not handler:
            return "ignored", _("No handler for %(type)s", type=event.event_type)
        try:
            with self.env.cr.savepoint(), job_errors():
                return "done", handler(json.loads(event.payload))
        except RetryableJobError:
            raise
        except (
            FailedJobError,
            UserError,
            ValidationError,
            ValueError,
            KeyError,
        ) as err:
            return "failed", str(err)
