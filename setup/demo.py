"""Wire the demo database to the sandbox (run by `make run` in `odoo-bin shell`).

Idempotent: creates the demo backend once, then on every run points it at the
sandbox just started (its data and webhook subscriptions are kept in SQLite)
and registers the webhook again: the backend's one subscription is updated,
its secret kept (a new secret at each start left every older subscription
delivering with a secret the backend no longer accepts).
"""
# ruff: noqa: F821 - `env` is provided by odoo-bin shell

import os

SANDBOX_URL = os.environ["SANDBOX_URL"]
ODOO_URL = os.environ["ODOO_URL"]

env["ir.config_parameter"].set_param("web.base.url", ODOO_URL)
env["ir.config_parameter"].set_param("web.base.url.freeze", "True")
backend = env["myconnector.backend"].search([("name", "=", "Sandbox")], limit=1)
values = {
    "base_url": SANDBOX_URL,
    "auth_type": "api_key",
    "api_key": "demo-api-key",
    "username": "demo",
    "password": "demo-password",
    "webhook_scheme": "standard",
}
if backend:
    if backend.webhook_scheme != values["webhook_scheme"]:
        # The other scheme's secret has another format: the platform makes one.
        values["webhook_secret"] = False
    backend.write(values)
else:
    backend = env["myconnector.backend"].create(dict(values, name="Sandbox"))
if not backend.inventory_location_ids:
    # The sandbox's two locations: its main warehouse is WH/Stock, its retail
    # store a location of its own inside it.
    stock = backend.default_location_id
    store = env["stock.location"].create(
        {"name": "Retail Store", "usage": "internal", "location_id": stock.id}
    )
    backend.inventory_location_ids = [
        (
            0,
            0,
            {
                "remote_location_id": 1,
                "name": "Main Warehouse",
                "location_id": stock.id,
            },
        ),
        (
            0,
            0,
            {"remote_location_id": 2, "name": "Retail Store", "location_id": store.id},
        ),
    ]
backend.action_test_connection()
backend.action_register_webhook()
# The scheduled imports first run one interval after start, not at once: the
# README's walkthrough presses *Import products*, *customers*, *orders* itself
# and sees them work.
env["myconnector.backend"]._defer_scheduled_imports()
env.cr.commit()
print(
    f"Backend 'Sandbox' -> {SANDBOX_URL}: {backend.connection_state}; webhook "
    f"subscription {backend.webhook_subscription_id} -> {backend.webhook_url}"
)
