# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How fresh a backend is, and whether its platform went silent.

Mixed into ``generic.backend``. Per backend, and per resource in
``freshness_summary``:

* the last event received (the webhook inbox's newest delivery);
* the last change applied (the newest ``sync_date`` of its bindings: a
  binding is written only when an import created or updated it);
* event-to-applied lag, p50 and p95 over the last hour, from the inbox rows
  processed then (``processed_at - received_at``);
* missed webhooks in the last 24 h (``generic.webhook.miss``): changes a run
  found that no delivery announced (:meth:`_webhook_note_misses`).

Missed webhooks, or a p95 lag past ``webhook_lag_threshold``, turn the
health to *Needs a look* (``generic.backend.health``). Everything is read in
a few grouped queries for all the backends on screen.
"""

from datetime import timedelta, timezone

from odoo import _, api, fields, models

from ..timestamps import to_odoo_datetime
from .generic_backend_health import _age
from .generic_webhook_miss import CLOCK_SKEW

LAG_WINDOW = timedelta(hours=1)
MISS_WINDOW = timedelta(days=1)
# p50 and p95 of the lag of each backend, and of each of its event types,
# over the inbox rows processed since %(since)s.
LAG_QUERY = """
    SELECT backend_id, event_type,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY lag),
           percentile_cont(0.95) WITHIN GROUP (ORDER BY lag)
    FROM (
        SELECT backend_id, event_type,
               GREATEST(EXTRACT(EPOCH FROM processed_at - received_at), 0) AS lag
        FROM generic_webhook
        WHERE backend_model = %(model)s AND backend_id = ANY(%(ids)s)
          AND state = 'done' AND processed_at >= %(since)s
    ) lags
    GROUP BY GROUPING SETS ((backend_id), (backend_id, event_type))
"""


class GenericBackendFreshness(models.AbstractModel):
    _name = "generic.backend.freshness"
    _description = "Connector Backend Freshness"

    webhook_lag_threshold = fields.Integer(
        string="Lag threshold (s)",
        default=300,
        help="Seconds from a webhook's arrival to its change applied (p95 over "
        "the last hour) past which the health says Needs a look (0: never).",
    )
    last_event_at = fields.Datetime(
        compute="_compute_freshness", string="Last event received"
    )
    last_applied_at = fields.Datetime(
        compute="_compute_freshness",
        string="Last change applied",
        help="The last time an import created or updated a record.",
    )
    webhook_lag_p50 = fields.Float(
        compute="_compute_freshness",
        string="Lag p50 (s)",
        digits=(16, 1),
        help="Event to applied, median of the last hour's webhooks.",
    )
    webhook_lag_p95 = fields.Float(
        compute="_compute_freshness",
        string="Lag p95 (s)",
        digits=(16, 1),
        help="Event to applied, 95th percentile of the last hour's webhooks.",
    )
    webhook_missed_24h = fields.Integer(
        compute="_compute_freshness",
        string="Missed webhooks (24 h)",
        help="Changes sync runs found in the last day whose webhook never "
        "arrived: a lost subscription, or a platform that drops deliveries.",
    )
    webhook_missed_summary = fields.Char(compute="_compute_freshness")
    freshness_summary = fields.Char(
        compute="_compute_freshness",
        string="Freshness per resource",
        help="Per resource: last event received, last change applied, lag "
        "p95 over the last hour, missed webhooks in 24 h.",
    )

    def _compute_freshness(self):
        now = fields.Datetime.now()
        events = self._freshness_events()
        applied = self._freshness_applied()
        lags = self._freshness_lags(now - LAG_WINDOW)
        missed = self._freshness_misses(now - MISS_WINDOW)
        for backend in self:
            by_model = {}
            for source, key in (
                (events, "event"),
                (applied, "applied"),
                (lags, "lag"),
                (missed, "missed"),
            ):
                for model, value in source.get(backend.id, {}).items():
                    by_model.setdefault(model, {})[key] = value
            total = by_model.pop(None, {})
            backend.last_event_at = total.get("event", False)
            backend.last_applied_at = max(
                (v["applied"] for v in by_model.values() if v.get("applied")),
                default=False,
            )
            backend.webhook_lag_p50, backend.webhook_lag_p95 = total.get(
                "lag", (0.0, 0.0)
            )
            counts = {m: v["missed"] for m, v in by_model.items() if v.get("missed")}
            backend.webhook_missed_24h = sum(counts.values())
            backend.webhook_missed_summary = backend._freshness_labels(counts)
            backend.freshness_summary = backend._freshness_line(by_model)

    def _freshness_events(self):
        """``{backend id: {binding model or None: last received}}``; None
        holds the newest delivery of all."""
        out = {}
        event_models = self._webhook_event_models()
        for backend_id, event_type, last in (
            self.env["generic.webhook"]
            .sudo()
            ._read_group(
                self._health_ref_domain(),
                ["backend_id", "event_type"],
                ["received_at:max"],
            )
        ):
            values = out.setdefault(backend_id, {})
            model = event_models.get(event_type)
            for key in {model, None}:
                values[key] = max(values.get(key) or last, last)
        return out

    def _freshness_applied(self):
        """``{backend id: {binding model: last sync_date}}`` of the declared
        resources imported into bindings."""
        out = {}
        for resource in self._connector_resources():
            model = self.env[resource.model]
            if "sync_date" not in model._fields:
                continue
            for backend, last in (
                model.sudo()
                .with_context(active_test=False)
                ._read_group(
                    [("backend_id", "in", self.ids)], ["backend_id"], ["sync_date:max"]
                )
            ):
                if last:
                    out.setdefault(backend.id, {})[resource.model] = last
        return out

    def _freshness_lags(self, since):
        """``{backend id: {binding model or None: (p50, p95)}}``: None is the
        backend's, over all its events; an event type with no binding model
        counts in the backend's only."""
        event_models = self._webhook_event_models()
        self.env.cr.execute(
            LAG_QUERY, {"model": self._name, "ids": self.ids, "since": since}
        )
        out = {}
        for backend_id, event_type, p50, p95 in self.env.cr.fetchall():
            model = event_models.get(event_type) if event_type else None
            if event_type and not model:
                continue
            out.setdefault(backend_id, {})[model] = (p50, p95)
        return out

    def _freshness_misses(self, since):
        """``{backend id: {binding model: missed webhooks since since}}``."""
        out = {}
        for backend_id, resource, count in (
            self.env["generic.webhook.miss"]
            .sudo()
            ._read_group(
                self._health_ref_domain() + [("found_at", ">=", since)],
                ["backend_id", "resource"],
                ["__count"],
            )
        ):
            out.setdefault(backend_id, {})[resource] = count
        return out

    def _freshness_labels(self, counts):
        """``Products: 10, Customers: 2`` of ``{binding model: count}``."""
        return ", ".join(
            f"{self.env[model]._description}: {count}"
            for model, count in sorted(counts.items())
            if model in self.env
        )

    def _freshness_line(self, by_model):
        """One line per resource, in the order of the declarations."""
        parts = []
        for resource in self._connector_resources():
            values = by_model.get(resource.model)
            if not values:
                continue
            text = _(
                "%(resource)s: event %(event)s, applied %(applied)s",
                resource=self.env[resource.model]._description,
                event=_age(values.get("event")),
                applied=_age(values.get("applied")),
            )
            if values.get("lag"):
                text += _(", lag p95 %(p95).1f s", p95=values["lag"][1])
            if values.get("missed"):
                text += _(", %(count)s missed", count=values["missed"])
            parts.append(text)
        return "; ".join(parts) or False

    def action_view_webhook_misses(self):
        """The changes found without their webhook, the newest first."""
        return self._health_action(
            "generic_connector.generic_webhook_miss_action", self._health_ref_domain()
        )

    # Missed webhooks ----------------------------------------------------------

    @api.model
    def _webhook_event_models(self):
        """``{event type: binding model}`` of the events this backend
        receives (none by default; ``generic.webhook.backend`` reads its
        event table)."""
        return {}

    def _webhook_record_subjects(self, model_name, external_ids):
        """``{external id: subject}``: the subject a webhook about each record
        of ``model_name`` would have; empty when this backend expects no
        webhook about them (the default: it receives none)."""
        return {}

    def _webhook_note_misses(self, model_name, changes, run=None):
        """Record which of ``changes`` (``{external id: remote updated_at or
        None}``, records of ``model_name`` a sync run just created, updated
        or archived) never arrived as a webhook; return how many did not.

        The rule: a change is missed when the inbox holds no delivery about
        its record (same subject) received at or after the change's remote
        ``updated_at`` minus ``CLOCK_SKEW`` (the two clocks differ), or,
        without an ``updated_at`` (a deletion), after the run's
        ``watermark_before`` minus ``CLOCK_SKEW``, or ever, without either.
        A delivery still pending or failed counts as arrived. Called by the
        chunk importer for incremental runs (those with a
        ``watermark_before``: a first import or a full walk reads changes
        older than any subscription), and by a reconcile for what it
        repaired. A change whose webhook is still in flight when the run
        reads it is counted too: runs minutes apart rarely race a delivery
        of seconds.
        """
        self.ensure_one()
        floor = to_odoo_datetime(run.watermark_before) if run else False
        subjects = self._webhook_record_subjects(model_name, list(changes))
        rows = []
        for external_id, subject in subjects.items():
            updated_at = changes[external_id]
            moment = to_odoo_datetime(updated_at) or floor
            since = moment - CLOCK_SKEW if moment else None
            rows.append((str(external_id), subject, updated_at or None, since))
        return self.env["generic.webhook.miss"].sudo()._add(self, model_name, rows, run)

    # Metrics -------------------------------------------------------------------

    def _metrics_values(self):
        """This backend's figures read at a scrape of the metrics endpoint
        (``generic_connector/metrics.py``): a list of ``(family, kind, help,
        {label: value}, value)``; extend it with ``super()``."""
        self.ensure_one()
        lag = _("Seconds from a webhook's arrival to its change applied, last hour.")
        return [
            (
                "connector_webhook_lag_seconds",
                "gauge",
                lag,
                {"quantile": "0.5"},
                self.webhook_lag_p50,
            ),
            (
                "connector_webhook_lag_seconds",
                "gauge",
                lag,
                {"quantile": "0.95"},
                self.webhook_lag_p95,
            ),
            (
                "connector_webhook_last_received_timestamp_seconds",
                "gauge",
                _("When the last webhook was received (Unix time)."),
                {},
                _unix(self.last_event_at),
            ),
            (
                "connector_last_applied_timestamp_seconds",
                "gauge",
                _("When an import last created or updated a record (Unix time)."),
                {},
                _unix(self.last_applied_at),
            ),
            (
                "connector_webhook_refusals",
                "counter",
                _("Webhook deliveries refused (bad signature...)."),
                {},
                self.webhook_refused_count,
            ),
        ]


def _unix(moment):
    """Unix time of a naive UTC datetime; 0 for none."""
    return moment.replace(tzinfo=timezone.utc).timestamp() if moment else 0
