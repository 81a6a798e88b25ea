# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The MyConnector sandbox platform for Odoo tests.

:func:`start_sandbox` starts the sandbox on loopback in this process (Odoo's
tests allow HTTP to 127.0.0.1 only). It lives with the connector's tests, not
the framework's: the framework is tested without any platform
(``test_generic_connector``, with ``MockAdapter``).
"""


def start_sandbox(test_case, **options):
    """Start a sandbox for ``test_case`` (a class), stopped at class cleanup."""
    from sandbox import SandboxServer  # noqa: PLC0415 - the repo root is on the path

    server = SandboxServer(**options).start()
    test_case.addClassCleanup(server.stop)
    return server
