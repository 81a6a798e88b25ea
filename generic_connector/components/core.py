# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The root of the framework's components, and the job error policy.

Every component of the framework inherits ``generic.base``. A connector adds
its own root (``_name = "myconnector.base"``, ``_collection`` set to its
backend model) and inherits both.

:func:`job_errors` is the one place where transport errors become queue_job
outcomes: a rate limit or a transient failure retries the job after the delay
the remote asked for (or a growing default); anything permanent fails the
job with the transport's message, which says what to fix.
"""

import math
from contextlib import contextmanager

from odoo.addons.component.core import AbstractComponent
from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

from ..transport import RateLimitedError, TransientError, TransportError

DEFAULT_RETRY_SECONDS = 10


@contextmanager
def job_errors():
    """Turn transport errors raised inside the block into job outcomes."""
    try:
        yield
    except RateLimitedError as err:
        seconds = math.ceil(err.retry_after or DEFAULT_RETRY_SECONDS)
        raise RetryableJobError(str(err), seconds=max(seconds, 1)) from err
    except TransientError as err:
        raise RetryableJobError(str(err), seconds=DEFAULT_RETRY_SECONDS) from err
    except TransportError as err:
        raise FailedJobError(str(err)) from err


class GenericBase(AbstractComponent):
    _name = "generic.base"
    _inherit = "base.connector"
    _collection = None
