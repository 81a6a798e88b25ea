# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The one place that writes queue_job's table without queue_job's ORM.

The webhook intake stores a delivery and its job in one SQL statement
(``generic.webhook._receive``): queue_job's ``with_delay`` costs a dozen
queries, most of a webhook request's time. That statement writes the row
``with_delay`` would, column by column (``test_webhook_intake_job`` holds it
to queue_job's own row), so it depends on queue_job's internals: its table,
its record encoding, its defaults.

This module is that dependency, and nothing else is: :data:`JOB_INSERT_CTE`
(the ``queue_job`` insert, a CTE for the caller's statement) and
:func:`job_values` (its parameters). It is checked, once per registry load,
against the queue_job versions it was tested with (:data:`TESTED_VERSIONS`):
on any other version :func:`job_values` returns None, the caller enqueues
with the public ``with_delay``, and a WARNING names the version. After
checking a new queue_job release (the column-by-column test passes), add its
version to :data:`TESTED_VERSIONS`.
"""

import json
import logging
import uuid

from odoo.modules import module as odoo_module

from odoo.addons.queue_job.fields import JobEncoder
from odoo.addons.queue_job.job import DEFAULT_MAX_RETRIES, DEFAULT_PRIORITY
from odoo.addons.queue_job.models.base import Base as QueueJobBase
from odoo.addons.queue_job.utils import must_run_without_delay

_logger = logging.getLogger(__name__)

# queue_job's manifest versions whose ``with_delay`` row JOB_INSERT_CTE writes.
TESTED_VERSIONS = frozenset({"17.0.1.5.4"})
# ``with_delay`` options JOB_INSERT_CTE writes; any other needs ``with_delay``.
FAST_JOB_OPTIONS = frozenset({"channel", "priority", "max_retries"})
NO_DEPENDENCIES = json.dumps({"depends_on": [], "reverse_depends_on": []})

# One job per row of the caller's CTE ``inserted (id, job_id)`` whose
# ``job_id`` is set (drawn from ``queue_job_id_seq`` by the caller), on the
# record ``inserted.id``; parameters: :func:`job_values`. queue_job's trigger
# notifies the runner on the insert.
JOB_INSERT_CTE = """
    job AS (
        INSERT INTO queue_job (
            id, uuid, user_id, company_id, name, model_name, method_name,
            records, args, kwargs, func_string, state, priority, retry,
            max_retries, date_created, channel, channel_method_name,
            job_function_id, dependencies, exec_time, worker_pid
        )
        SELECT
            inserted.job_id, %(job_uuid)s, %(job_user_id)s,
            COALESCE(
                %(job_company_id)s::int,
                (SELECT company_id FROM res_users WHERE id = %(job_user_id)s)
            ),
            %(job_name)s, %(job_model)s, %(job_method)s,
            json_build_object(
                '_type', 'odoo_recordset', 'model', %(job_model)s,
                'ids', json_build_array(inserted.id), 'uid', %(job_user_id)s,
                'su', %(job_su)s, 'context', %(job_context)s::json
            )::text,
            '[]', '{}',
            %(job_model)s || '(' || inserted.id || ',).'
                || %(job_method)s || '()',
            'pending', %(job_priority)s, 0, %(job_max_retries)s,
            now() at time zone 'UTC', %(job_channel)s, %(job_function_name)s,
            %(job_function_id)s, %(job_dependencies)s, 0, 0
        FROM inserted
        WHERE inserted.job_id IS NOT NULL
    )
"""


def installed_version():
    """The version of the queue_job code this server runs (its manifest)."""
    return odoo_module.get_manifest("queue_job").get("version")


def check_version(registry):
    """Whether the fast path may write queue_job's table on ``registry``;
    decided once per registry load (``generic.webhook._register_hook``),
    with a WARNING when the installed version was not tested."""
    version = installed_version()
    registry.queue_job_fastpath = version in TESTED_VERSIONS
    if not registry.queue_job_fastpath:
        _logger.warning(
            "queue_job %s is not a version the webhook intake's fast path was "
            "tested with (%s): webhook jobs are enqueued with with_delay. Run "
            "test_webhook_intake_job, then add the version to TESTED_VERSIONS "
            "in generic_connector/queue_job_fastpath.py.",
            version,
            ", ".join(sorted(TESTED_VERSIONS)),
        )
    return registry.queue_job_fastpath


def enabled(env):
    """Whether queue_job's installed version is one the fast path knows."""
    decided = getattr(env.registry, "queue_job_fastpath", None)
    return check_version(env.registry) if decided is None else decided


def job_values(records, method_name, description, options):
    """The parameters of :data:`JOB_INSERT_CTE` for the job
    ``records.with_delay(description=description, **options).<method_name>()``
    with no arguments, from values known without a query (queue_job caches
    its function configuration in the worker).

    None where ``with_delay`` must enqueue it: a queue_job version not
    tested, options the insert does not write (only ``channel``,
    ``priority``, ``max_retries``), jobs run without delay (queue_job's test
    switch), or a model adding its own values to the job
    (``_job_store_values``).
    """
    env = records.env
    if (
        options is None
        or set(options) - FAST_JOB_OPTIONS
        or not enabled(env)
        or must_run_without_delay(env)
        or type(records)._job_store_values is not QueueJobBase._job_store_values
        or hasattr(records, f"_job_store_values_for_{method_name}")
    ):
        return None
    functions = env["queue.job.function"].sudo()
    function_name = functions.job_function_name(records._name, method_name)
    config = functions.job_config(function_name)
    company_id = None
    if "company_id" in env.context or "allowed_company_ids" in env.context:
        company_id = env.context.get("company_id") or env.company.id
    priority, max_retries = options.get("priority"), options.get("max_retries")
    return {
        "job_uuid": str(uuid.uuid4()),
        "job_user_id": env.uid,
        "job_su": env.su,
        # None: the user's company, read by the insert (as env.company).
        "job_company_id": company_id,
        "job_name": description,
        "job_model": records._name,
        "job_method": method_name,
        "job_context": json.dumps(
            records._job_prepare_context_before_enqueue(), cls=JobEncoder
        ),
        "job_priority": DEFAULT_PRIORITY if priority is None else priority,
        "job_max_retries": DEFAULT_MAX_RETRIES if max_retries is None else max_retries,
        "job_channel": options.get("channel") or config.channel,
        "job_function_name": function_name,
        "job_function_id": config.job_function_id,
        "job_dependencies": NO_DEPENDENCIES,
    }
