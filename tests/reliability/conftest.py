"""The stack the reliability cases run against, started once per session.

A 4-worker Odoo with the job runner at channel capacity 4 (its PostgreSQL
connections through a :class:`~harness.PgProxy`), a seeded sandbox, a
backend wired to both: see ``harness.py``. Without Odoo or PostgreSQL every
case is skipped, loudly.

Sizes: ``RELIABILITY_SCALE=soak`` (``make soak``) runs the issue's full
numbers; the default is the quick version ``make test`` runs.
"""

import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402 - the folder is put on the path just above
    BASE_PORT,
    SANDBOX_PRODUCTS,
    OdooServer,
    OdooUnavailable,
    PgProxy,
    Platform,
    odoo_environment,
)


class Stack:
    """What a case gets: ``odoo``, ``sandbox``, ``proxy``, ``backend``,
    ``platform`` (see harness.py)."""


@pytest.fixture(scope="session")
def stack():
    try:
        env = odoo_environment()
    except OdooUnavailable as err:
        message = f"RELIABILITY SUITE SKIPPED: no Odoo/PostgreSQL here ({err})"
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    from sandbox import SandboxServer  # noqa: PLC0415 - repo root on the path

    result = Stack()
    with (
        PgProxy(env, port=BASE_PORT + 3) as proxy,
        SandboxServer(port=BASE_PORT + 2, seed_records=SANDBOX_PRODUCTS) as sandbox,
        OdooServer(
            env, port=BASE_PORT, workers=4, channels=4, db_port=proxy.port
        ) as odoo,
    ):
        result.odoo, result.sandbox, result.proxy = odoo, sandbox, proxy
        result.backend = odoo.wire_backend(sandbox.url)
        result.platform = Platform(odoo, result.backend)
        yield result
