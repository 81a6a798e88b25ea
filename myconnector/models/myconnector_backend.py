# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The MyConnector backend: one platform account, and its product imports.

An import run is a job (``_import_products``) that walks the remote pages and
enqueues chunk jobs, then a finalising job that moves the watermark
``products_imported_until`` once every chunk is done, and never if one fails:
the next incremental run then starts from the last run that fully succeeded.
"""

import uuid
from datetime import timedelta

from odoo import _, api, fields, models

from odoo.addons.generic_connector.timestamps import to_odoo_datetime
from odoo.addons.queue_job.job import identity_exact

PRODUCT_MODEL = "myconnector.product.template"


class MyConnectorBackend(models.Model):
    _name = "myconnector.backend"
    _inherit = "generic.backend"
    _description = "MyConnector Backend"

    test_connection_path = fields.Char(default="/api/v1/products?per_page=1")
    products_imported_until = fields.Char(
        readonly=True,
        copy=False,
        help="Remote time up to which products are imported: the next "
        "incremental import asks for products updated since then.",
    )
    products_imported_until_at = fields.Datetime(
        compute="_compute_products_imported_until_at",
        string="Products imported until",
        help="The watermark of product imports, in your time zone.",
    )
    import_interval = fields.Integer(
        string="Import every (minutes)",
        default=15,
        tracking=True,
        help="How often the scheduler imports this backend's products "
        "incrementally; 0 to import only by hand or by webhook. The scheduler "
        "wakes up every 5 minutes.",
    )
    product_binding_ids = fields.One2many(PRODUCT_MODEL, "backend_id")
    product_binding_count = fields.Integer(compute="_compute_product_binding_count")

    @api.depends("product_binding_ids")
    def _compute_product_binding_count(self):
        counts = dict(
            self.env[PRODUCT_MODEL]._read_group(
                [("backend_id", "in", self.ids)], ["backend_id"], ["__count"]
            )
        )
        for backend in self:
            backend.product_binding_count = counts.get(backend, 0)

    @api.depends("products_imported_until")
    def _compute_products_imported_until_at(self):
        for backend in self:
            backend.products_imported_until_at = to_odoo_datetime(
                backend.products_imported_until
            )

    def action_import_products(self):
        """Enqueue an incremental product import (a full one the first time);
        its sync run is logged from now on (trigger: the context's
        ``sync_trigger``, a button by default)."""
        runs = self.env["generic.sync.run"]
        for backend in self.with_context(
            sync_trigger=self.env.context.get("sync_trigger", "button")
        ):
            # identity_exact: a run not started yet is not enqueued twice (a
            # convenience; correctness comes from the importer's idempotence).
            job = backend.with_delay(
                description=_("Import products from %(name)s", name=backend.name),
                identity_key=identity_exact,
            )._import_products(since=backend.products_imported_until or None)
            runs |= backend._sync_run_start(
                job, PRODUCT_MODEL, "products_imported_until"
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Import products"),
                "message": _(
                    "The import runs in the background: its progress is under "
                    "the backend's Sync runs."
                ),
                "type": "info",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_reimport_products(self):
        """Full re-import: forget the watermark and what the bindings last
        saw, so every remote product is read and applied again (after the
        remote was restored or reseeded, or a mapping changed)."""
        self.ensure_one()
        self.products_imported_until = False
        self.product_binding_ids.write({"remote_updated_at": False})
        self.message_post(
            body=_("Full re-import of the products requested."),
            subtype_xmlid="mail.mt_note",
        )
        return self.action_import_products()

    def action_view_product_bindings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "myconnector.myconnector_product_template_action"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        return action

    @api.model
    def _scheduler_import_products(self):
        """Cron: import the backends whose interval passed since their last
        scheduled run (their button and webhook runs do not count)."""
        self.search([])._due_for_import().with_context(
            sync_trigger="cron"
        ).action_import_products()

    def _due_for_import(self):
        now = fields.Datetime.now()
        recent = (
            self.env["generic.sync.run"]
            .sudo()
            ._read_group(
                [
                    ("backend_model", "=", self._name),
                    ("backend_id", "in", self.ids),
                    ("trigger", "=", "cron"),
                    ("resource", "=", PRODUCT_MODEL),
                ],
                ["backend_id"],
                ["started_at:max"],
            )
        )
        last = dict(recent)
        return self.filtered(
            lambda b: b.import_interval > 0
            and (
                not last.get(b.id)
                or last[b.id] <= now - timedelta(minutes=b.import_interval)
            )
        )

    def _import_products(self, since=None):
        """Job: enqueue chunk jobs for products updated since ``since``, and
        the job that moves the watermark when they are all done."""
        self.ensure_one()
        filters = {"updated_since": since} if since else {}
        run_key = self.env.context.get("job_uuid") or str(uuid.uuid4())
        run = self.env["generic.sync.run"]._start(
            self,
            run_key=run_key,
            resource=PRODUCT_MODEL,
            watermark_field="products_imported_until",
            watermark_before=since,
        )
        run._adopt_current_job()
        jobs, first_response = self.env[PRODUCT_MODEL].import_batch(
            self, filters, run_key=run_key
        )
        watermark = self._run_watermark(first_response)
        if not jobs:
            self._move_watermark("products_imported_until", watermark)
            run._note(watermark_after=watermark)
            return _("No product changed since %(since)s", since=since or "-")
        finalize = self.with_delay(
            description=_("Finish product import from %(name)s", name=self.name)
        )._sync_finalize(
            "products_imported_until", watermark, [j.uuid for j in jobs], run_key
        )
        run._adopt([finalize])
        return _("%(count)s chunk job(s) enqueued", count=len(jobs))
