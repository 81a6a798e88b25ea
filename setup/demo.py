"""Wire the demo database to the sandbox (run by `make run` in `odoo-bin shell`).

Idempotent: creates the demo backend once, then on every run points it at the
sandbox just started (its data and webhook subscriptions are kept in SQLite)
and registers the webhook again: the backend's one subscription is updated,
its secret kept (a new secret at each start left every older subscription
delivering with a secret the backend no longer accepts).

It also turns on the settings the README's walkthrough relies on, as an
admin would in *Settings*: product variants (the *Attributes & Variants*
tab) and storage locations (the location column of *Physical Inventory*).

:func:`configure` is the whole set-up; the demo's test
(``myconnector_webhook/tests/test_demo_setup.py``) imports this file and
calls it on a fresh database.
"""
# ruff: noqa: F821 - `env` is provided by odoo-bin shell

import os

BACKEND_VALUES = {
    "auth_type": "api_key",
    "api_key": "demo-api-key",
    "username": "demo",
    "password": "demo-password",
    "webhook_scheme": "standard",
}
SETTINGS = {"group_product_variant": True, "group_stock_multi_locations": True}


def configure(env, sandbox_url, odoo_url):
    """Set the demo up in ``env``'s database against the sandbox at
    ``sandbox_url``, webhooks posted to ``odoo_url``; return the backend."""
    enable_settings(env)
    env["ir.config_parameter"].set_param("web.base.url", odoo_url)
    env["ir.config_parameter"].set_param("web.base.url.freeze", "True")
    backend = demo_backend(env, sandbox_url)
    backend.action_test_connection()
    backend.action_register_webhook()
    # The scheduled imports first run one interval after start, not at once:
    # the walkthrough presses *Import products*, *customers*, *orders* itself
    # and sees them work.
    env["myconnector.backend"]._defer_scheduled_imports()
    return backend


def enable_settings(env):
    """Variants and storage locations, through Settings (res.config.settings),
    so that their implied groups land on every internal user."""
    settings = env["res.config.settings"]
    if all(settings.default_get(list(SETTINGS)).values()):
        return
    settings.create(SETTINGS).execute()


def demo_backend(env, sandbox_url):
    """The backend named *Sandbox*, created the first time, pointed at
    ``sandbox_url`` every time."""
    backend = env["myconnector.backend"].search([("name", "=", "Sandbox")], limit=1)
    values = dict(BACKEND_VALUES, base_url=sandbox_url)
    if backend:
        if backend.webhook_scheme != values["webhook_scheme"]:
            # The other scheme's secret has another format: the platform makes one.
            values["webhook_secret"] = False
        backend.write(values)
    else:
        backend = env["myconnector.backend"].create(dict(values, name="Sandbox"))
    if not backend.inventory_location_ids:
        _map_locations(env, backend)
    return backend


def _map_locations(env, backend):
    """The sandbox's two locations: its main warehouse is WH/Stock, its
    retail store a location of its own inside it."""
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


if __name__ == "__main__":
    demo = configure(env, os.environ["SANDBOX_URL"], os.environ["ODOO_URL"])
    env.cr.commit()
    print(
        f"Backend 'Sandbox' -> {demo.base_url}: {demo.connection_state}; webhook "
        f"subscription {demo.webhook_subscription_id} -> {demo.webhook_url}"
    )
