# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The suite's figures in Prometheus' text format, for every backend.

Served by ``controllers/metrics.py``. Counters are sums over what the suite
keeps (the runs' tallies and failures, the missed webhooks, the backends'
refusal counts): a row removed by its retention lowers a sum, which
Prometheus reads as a counter reset, as after a restart. Gauges are read at
the scrape. Every family is labelled by backend (``backend_model``,
``backend_id``); the queue's depth by channel (each backend's jobs have a
channel of their own, see ``_job_channel``).

A module adds a family by appending a :class:`SqlMetric` to ``SQL_METRICS``
(its query returns the labels in order, then the value) or by extending a
backend's ``_metrics_values``.
"""

from typing import NamedTuple

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

BACKEND_LABELS = ("backend_model", "backend_id")
RUN_TOTALS = """
    SELECT r.backend_model, r.backend_id, coalesce(r.resource, ''),
           sum(t.{column})
    FROM generic_sync_run_tally t JOIN generic_sync_run r ON r.id = t.run_id
    GROUP BY 1, 2, 3
"""


class SqlMetric(NamedTuple):
    """One family read by one query: ``labels`` then the value per row."""

    name: str
    kind: str  # "counter" or "gauge"
    help: str
    labels: tuple
    query: str


SQL_METRICS = [
    SqlMetric(
        f"connector_{name}",
        "counter",
        text,
        BACKEND_LABELS + ("resource",),
        RUN_TOTALS.format(column=column),
    )
    for name, column, text in (
        ("http_calls", "http_calls", "HTTP calls made by sync runs."),
        ("retries", "retries", "HTTP calls retried by sync runs."),
        ("throttled", "throttled", "Answers asking to slow down (429)."),
        ("wait_seconds", "wait_seconds", "Seconds paused on rate limits."),
    )
] + [
    SqlMetric(
        "connector_errors",
        "counter",
        "Records that failed, by class: remote (its data), odoo (a "
        "constraint...), unclassified; webhook: failed inbox events.",
        BACKEND_LABELS + ("class",),
        """
        SELECT r.backend_model, r.backend_id, coalesce(f.kind, 'unclassified'),
               count(*)
        FROM generic_sync_run_failure f JOIN generic_sync_run r ON r.id = f.run_id
        GROUP BY 1, 2, 3
        UNION ALL
        SELECT backend_model, backend_id, 'webhook', count(*)
        FROM generic_webhook WHERE state = 'failed' GROUP BY 1, 2
        """,
    ),
    SqlMetric(
        "connector_missed_webhooks",
        "counter",
        "Changes sync runs found whose webhook never arrived.",
        BACKEND_LABELS + ("resource",),
        """
        SELECT backend_model, backend_id, resource, count(*)
        FROM generic_webhook_miss GROUP BY 1, 2, 3
        """,
    ),
    SqlMetric(
        "connector_drift",
        "counter",
        "Differences reconcile runs found between Odoo and the platform, by "
        "class (missing_odoo, gone_platform, changed_platform, changed_odoo, "
        "changed_both) and repair (imported, restored, archived, waiting).",
        BACKEND_LABELS + ("resource", "class", "repair"),
        """
        SELECT r.backend_model, r.backend_id, coalesce(r.resource, ''),
               d.drift_class, d.repair, count(*)
        FROM generic_sync_run_drift d JOIN generic_sync_run r ON r.id = d.run_id
        GROUP BY 1, 2, 3, 4, 5
        """,
    ),
    SqlMetric(
        "connector_webhook_backlog",
        "gauge",
        "Inbox events waiting for their job.",
        BACKEND_LABELS,
        """
        SELECT backend_model, backend_id, count(*) FROM generic_webhook
        WHERE state IN ('pending', 'processing') GROUP BY 1, 2
        """,
    ),
    SqlMetric(
        "connector_queue_depth",
        "gauge",
        "Jobs waiting to run, per queue channel.",
        ("channel",),
        """
        SELECT channel, count(*) FROM queue_job
        WHERE state IN ('wait_dependencies', 'pending', 'enqueued')
        GROUP BY 1
        """,
    ),
]


class _Families:
    """A collector of families read already (one scrape's)."""

    def __init__(self, families):
        self.families = families

    def collect(self):
        return self.families


def _family(kind, name, text, labels):
    factory = CounterMetricFamily if kind == "counter" else GaugeMetricFamily
    return factory(name, text, labels=list(labels))


def collect(env):
    """Every family, as ``prometheus_client`` metric families (``env``:
    superuser: the endpoint answers for every company's backends)."""
    families = []
    for metric in SQL_METRICS:
        family = _family(metric.kind, metric.name, metric.help, metric.labels)
        env.cr.execute(metric.query)
        for *labels, value in env.cr.fetchall():
            family.add_metric([str(label) for label in labels], float(value or 0))
        families.append(family)
    per_backend = {}
    for model in backend_models(env):
        backends = env[model].with_context(active_test=False).search([])
        for backend in backends:
            for name, kind, text, extra, value in backend._metrics_values():
                if name not in per_backend:
                    per_backend[name] = _family(
                        kind, name, text, BACKEND_LABELS + tuple(extra)
                    )
                per_backend[name].add_metric(
                    [model, str(backend.id), *extra.values()], float(value or 0)
                )
    return families + list(per_backend.values())


def backend_models(env):
    """The concrete models of backends (every connector's ``generic.backend``)."""
    return [
        name
        for name in env.registry.descendants(["generic.backend"], "_inherit")
        if not env[name]._abstract and not env[name]._transient
    ]


def render(env):
    """``(body, content type)`` of the text exposition of :func:`collect`."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(collect(env)))
    return generate_latest(registry), CONTENT_TYPE_LATEST
