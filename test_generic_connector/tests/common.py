# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The base class of the framework's own tests: a backend of the test
connector whose adapter is a :class:`MockAdapter` (its base URL is a port
nobody listens on, so a call that escaped the mock would fail loudly)."""

from odoo import Command

from odoo.addons.generic_connector.tests.common import (
    GenericConnectorCase,
    mock_adapter,
    run_jobs,
)

from ..models.test_generic_backend import CATEGORY_MODEL


def product_attribute(env, name, values):
    """A product attribute ``name`` with a value of each of ``values``."""
    return env["product.attribute"].create(
        {"name": name, "value_ids": [Command.create({"name": v}) for v in values]}
    )


def tag(external_id, name, updated_at="2026-01-01T00:00:00.000001Z"):
    """A remote tag as the remote's list and detail answer it."""
    return {"id": external_id, "name": name, "updated_at": updated_at}


class TestConnectorCase(GenericConnectorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["test.generic.backend"].create(
            {"name": "Offline", "base_url": "http://127.0.0.1:9", "api_key": "k"}
        )
        cls.Binding = cls.env[CATEGORY_MODEL]

    def import_tags(self, adapter):
        """Run a whole import of the tags against ``adapter``: the driver,
        its chunk jobs, the jobs of isolated records and the finaliser.
        Returns the run."""
        self.backend.with_context(connector_resource="categories").action_import()
        with mock_adapter(adapter):
            run_jobs(self.env)
        return self.env["generic.sync.run"].search(
            [("backend_model", "=", self.backend._name)], limit=1
        )

    def bindings(self):
        return self.Binding.with_context(active_test=False).search(
            [("backend_id", "=", self.backend.id)]
        )
