# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""queue_job's ``/queue_job/runjob``, with one WARNING line for an expected failure.

queue_job logs every failed job's traceback at ERROR, then re-raises, and
Odoo's HTTP layer logs it at ERROR a second time. For a failure the
connector expects (a remote record it cannot import, a host that stays
unreachable until the retries run out, a platform that refuses a call, an
Odoo-side refusal with a message for the user), the admin reads the reason on
the job and on its sync run; the log should say it once, as a WARNING, and
keep ERROR and tracebacks for what nobody expected.

This module is the one dependency on queue_job's controller internals:
``RunJobController._try_perform_job`` and ``_get_failure_values``. An
expected failure is recorded the way ``runjob`` records any failure (the
job's work rolled back, the job set failed in a cursor of its own, with the
traceback kept in the job's *Exception Info*), then the request ends
normally. A queue_job without these methods keeps its own behaviour (the
first is never called, the second is checked).
"""

import logging
import traceback

from odoo.exceptions import UserError
from odoo.modules.registry import Registry

from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.exception import FailedJobError

from ..exceptions import RemoteDataError
from ..transport import TransportError

_logger = logging.getLogger(__name__)

# Failures with a reason written for the admin: FailedJobError (permanent
# transport errors through ``job_errors``, retries exhausted), malformed
# remote data, a transport error that escaped ``job_errors``, UserError
# (ValidationError included).
EXPECTED_FAILURES = (FailedJobError, RemoteDataError, TransportError, UserError)


def one_line(text, limit=500):
    """``text`` on one line, at most ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class QuietRunJobController(RunJobController):
    def _try_perform_job(self, env, job):
        try:
            return super()._try_perform_job(env, job)
        except EXPECTED_FAILURES as err:
            if not hasattr(self, "_get_failure_values"):
                raise  # another queue_job: its own way
            self._fail_expected(env, job, err, traceback.format_exc())

    def _fail_expected(self, env, job, err, traceback_txt):
        """Record ``job`` failed with ``err`` as ``runjob`` would, log one
        WARNING line, and let the request end normally."""
        values = self._get_failure_values(job, traceback_txt, err)
        _logger.warning(
            "Job %s (%s) failed: %s",
            job.uuid,
            one_line(job.func_string, 160),
            one_line(values["exc_message"]),
        )
        # The job's work goes, and with it the lock job.lock() took on its
        # row in this transaction, which the cursor below updates.
        env.cr.rollback()
        job.env.clear()
        with Registry(env.cr.dbname).cursor() as new_cr:
            job.env = job.env(cr=new_cr)
            job.set_failed(**values)
            job.store()
        job.env = env
