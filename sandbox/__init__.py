"""MyConnector sandbox: a fake commerce platform served on loopback.

REST (``/api/v1``), GraphQL (``/graphql``), SOAP (``/soap``), OAuth2
(``/oauth/token``), webhooks and an admin API for faults and simulations.
It knows nothing about Odoo or the connector; see ``sandbox/README.md``.

    from sandbox import SandboxServer
    with SandboxServer(seed_records=250) as srv:
        headers = {"X-API-Key": "demo-api-key"}
        requests.get(srv.url + "/api/v1/products", headers=headers)
"""

from .config import SandboxConfig
from .server import SandboxServer

__all__ = ["SandboxConfig", "SandboxServer"]
__version__ = "1.0.0"
