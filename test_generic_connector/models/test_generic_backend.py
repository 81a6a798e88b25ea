# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The test connector's backend: one resource, contact tags, imported
incrementally from ``categories_imported_until``."""

from odoo import _, fields, models

CATEGORY_MODEL = "test.generic.category"


class TestGenericBackend(models.Model):
    _name = "test.generic.backend"
    _inherit = "generic.backend"
    _description = "Generic Connector Test Backend"

    categories_imported_until = fields.Char(readonly=True, copy=False)

    def action_import_categories(self):
        """Enqueue an incremental import of the tags (full the first time)."""
        return self._enqueue_import(
            "_import_categories",
            _("Import tags"),
            "categories_imported_until",
            resource=CATEGORY_MODEL,
        )

    def _import_categories(self, since=None):
        """Job: the driver of a tags import run."""
        return self._import_run(CATEGORY_MODEL, "categories_imported_until", since)
