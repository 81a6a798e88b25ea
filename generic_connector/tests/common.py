# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Test helpers for connectors built on ``generic_connector``.

:func:`run_jobs` runs the pending ``queue.job`` records of the test
transaction the way queue_job's runner does (``Job.perform()``, retries
postponed, failures recorded, dependants released), minus its commits, so a
test exercises the jobs that really run, with their job functions, channels
and retry patterns, instead of trapping them. Time does not pass in a test:
a postponed job is simply picked again after the others.

:class:`MockAdapter` and :func:`mock_adapter` replace the adapter of every
synchroniser with canned responses, for unit tests of a mapper, an importer
or an exporter that need no HTTP at all::

    adapter = MockAdapter({"get": product, "levels:SKU-1": [level]})
    with mock_adapter(adapter):
        binding_model.import_record(backend, "7")
    self.assertEqual(adapter.calls, [("get", ("7",), {})])
"""

import copy
import logging
import traceback
from contextlib import contextmanager
from unittest import mock

from odoo.tests import common

from odoo.addons.connector.components.synchronizer import Synchronizer
from odoo.addons.queue_job.exception import NothingToDoJob, RetryableJobError
from odoo.addons.queue_job.job import Job

from ..transport import Page

_logger = logging.getLogger(__name__)


def run_jobs(env, domain=None, max_runs=2000):
    """Run pending jobs until none is left; return ``{state: count}`` of runs.

    Each job runs in a savepoint, as the user who enqueued it. Jobs that keep
    asking to be retried are run again until ``max_runs`` is reached.
    """
    outcomes = {"done": 0, "retried": 0, "failed": 0}
    for _run in range(max_runs):
        job = _next_pending(env, domain)
        if job is None:
            return outcomes
        outcomes[_run_one(env, job)] += 1
    raise AssertionError(f"jobs still pending after {max_runs} runs: {outcomes}")


def run_job(job_record):
    """Run one ``queue.job`` record once, as :func:`run_jobs` would; return
    its outcome (``done``, ``retried`` or ``failed``)."""
    return _run_one(job_record.env, Job.load(job_record.env, job_record.uuid))


def _next_pending(env, domain):
    pending = env["queue.job"].search([("state", "=", "pending")] + (domain or []))
    if not pending:
        return None
    first = min(pending, key=lambda j: (j.eta or j.date_created, j.id))
    return Job.load(env, first.uuid)


def _run_one(env, job):
    job.set_started()
    job.store()
    try:
        with env.cr.savepoint():
            job.perform()
            env.flush_all()
    except NothingToDoJob as err:
        job.set_done(str(err))
    except RetryableJobError as err:
        job.postpone(result=str(err), seconds=err.seconds)
        job.set_pending(reset_retry=False)
        job.store()
        return "retried"
    except Exception as err:  # noqa: BLE001 - the runner records any failure
        job.set_failed(
            exc_name=type(err).__name__,
            exc_message=str(err),
            exc_info=traceback.format_exc(),
        )
        job.store()
        _logger.info("job %s failed: %s", job.uuid, err)
        return "failed"
    else:
        job.set_done()
    job.store()
    job.enqueue_waiting()
    return "done"


class MockAdapter:
    """An adapter answering canned responses per endpoint, recording calls.

    An *endpoint* is the adapter method's name (``get``, ``list`` for
    ``iterate_pages``/``iterate_all``, ``create``, ``update``, ``delete`` or
    any method of a resource's adapter, like ``levels``), optionally narrowed
    to its first argument: ``"get:7"`` wins over ``"get"``. A response is a
    value (returned as a deep copy), a callable (called with the arguments)
    or an exception (raised, e.g. a transport error). An endpoint with no
    response fails the test, naming it. ``calls`` lists ``(endpoint, args,
    kwargs)`` in order.
    """

    #: shown on the sync runs it takes part in: it stands in for a REST
    #: resource unless a test says otherwise (a value of the run's selection)
    _protocol = "rest"

    def __init__(self, responses=None):
        self.responses = dict(responses or {})
        self.calls = []

    def set(self, endpoint, response):
        self.responses[endpoint] = response
        return self

    def answer(self, endpoint, *args, **kwargs):
        self.calls.append((endpoint, args, kwargs))
        keys = [f"{endpoint}:{args[0]}"] if args else []
        for key in [*keys, endpoint]:
            if key in self.responses:
                response = self.responses[key]
                if isinstance(response, BaseException):
                    raise response
                if callable(response):
                    return response(*args, **kwargs)
                return copy.deepcopy(response)
        raise AssertionError(f"MockAdapter: no response for {endpoint} {args}")

    def get(self, external_id):
        return self.answer("get", external_id)

    def iterate_pages(self, filters=None):
        items = self.answer("list", filters)
        yield Page(items=items, response=None, payload=items, number=1)

    def iterate_all(self, filters=None):
        for page in self.iterate_pages(filters):
            yield from page.items

    def list(self, filters=None):
        return [record["id"] for record in self.iterate_all(filters)]

    def complete_records(self, records):
        """Listed records are whole, as the generic adapter's are."""
        return list(records), []

    def supports_bulk(self):
        """No bulk export, as the generic adapter: full walks page."""
        return False

    def list_versions(self):
        """A reconcile's walk: the ``list`` endpoint, unfiltered."""
        return self.iterate_pages()

    def lists_whole_records(self):
        return True

    def create(self, data):  # pylint: disable=method-required-super
        return self.answer("create", data)

    def update(self, external_id, data, expected_version=None):
        return self.answer(
            "update", external_id, data, expected_version=expected_version
        )

    def delete(self, external_id):
        return self.answer("delete", external_id)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.answer(name, *args, **kwargs)


@contextmanager
def mock_adapter(adapter):
    """Within the block, every synchroniser (importers, exporters) talks to
    ``adapter`` instead of its backend adapter."""
    with mock.patch.object(
        Synchronizer, "backend_adapter", new=property(lambda self: adapter)
    ):
        yield adapter


class GenericConnectorCase(common.TransactionCase):
    """Base class: no mail tracking, and a connector manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
