"""Pure-Python test configuration: no Odoo here.

``generic_connector`` is an Odoo addon whose ``__init__`` imports Odoo. Its
``transport`` sub-package never does, so it is imported here through a bare
package object that points at the addon folder without running that
``__init__``: the same files Odoo loads, tested without Odoo.
"""

import sys
import types
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

if "generic_connector" not in sys.modules:
    _package = types.ModuleType("generic_connector")
    _package.__path__ = [str(REPO_ROOT / "generic_connector")]
    sys.modules["generic_connector"] = _package


@pytest.fixture
def platform():
    """The sandbox platform as a fixture: ``platform(**options)`` starts a
    ``SandboxServer`` on loopback (20 seeded products unless told), stopped
    after the test. The test kit for connectors built on the suite."""
    from sandbox import SandboxServer  # noqa: PLC0415 - needs REPO_ROOT on the path

    servers = []

    def start(**options):
        options.setdefault("seed_records", 20)
        server = SandboxServer(**options).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
