# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The job error policy: how what went wrong becomes a queue_job outcome.

A module of its own, importing no component, so that models (the backend's
jobs, the bindings' chunk jobs) and components share it without models
depending on the component layer.

:func:`job_errors` is the one place where transport errors become queue_job
outcomes: a rate limit or a transient failure retries the job after the delay
the remote asked for (else after the job function's retry pattern); anything
permanent fails the job with the transport's one-sentence summary, which says
what to check (the full technical text stays in the job's traceback).
"""

import math
from collections import namedtuple
from contextlib import contextmanager

from psycopg2 import IntegrityError, errorcodes

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from .transport import ConnectionFailedError, TransientError, TransportError

#: A job enqueued, known by its uuid alone: what a walk keeps of each chunk
#: job it enqueues (a ``Job`` keeps its arguments, the chunk's records).
EnqueuedJob = namedtuple("EnqueuedJob", "uuid")

#: The fields of a stored ``queue.job`` holding its arguments, which a walk
#: drops from Odoo's cache once the job is stored.
JOB_DATA_FIELDS = ("args", "kwargs", "records", "func_string")

# How the result of a job retried by :func:`job_errors` starts when the remote
# did not answer, or answered that it failed (5xx): an outage, which the
# backend's health reports, unlike a retry on a throttle or a lock.
OUTAGE_RESULTS = (ConnectionFailedError.what, TransientError.what)


@contextmanager
def job_errors():
    """Turn transport errors raised inside the block into job outcomes.

    A retry waits what the remote asked for (``Retry-After``) when it said;
    otherwise ``seconds`` stays empty and queue_job applies the job
    function's retry pattern, a data record an admin can tune.
    """
    try:
        yield
    except IntegrityError as err:
        if bound_concurrently(err):
            raise RetryableJobError(
                "The record was bound by another job meanwhile: retried",
                seconds=1,
            ) from err
        raise
    except TransientError as err:  # RateLimitedError included
        seconds = max(math.ceil(err.retry_after), 1) if err.retry_after else None
        raise RetryableJobError(err.summary, seconds=seconds) from err
    except TransportError as err:
        raise FailedJobError(err.summary) from err


def bound_concurrently(err):
    """Whether ``err`` is a binding's ``(backend, external id)`` uniqueness
    violated: another job bound the same remote record and committed after
    this job's snapshot was taken, but before it took the record's lock (the
    lock cannot be the transaction's first statement). The job is retried,
    and then sees the binding."""
    return (
        isinstance(err, IntegrityError)
        and err.pgcode == errorcodes.UNIQUE_VIOLATION
        and (err.diag.constraint_name or "").endswith("_external_uniq")
    )
