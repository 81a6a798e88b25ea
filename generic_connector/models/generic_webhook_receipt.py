# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One row per delivery received: the inbox's delivery count, without a hot row.

A platform redelivers an event it thinks was lost, sometimes many times at
once. Counting those redeliveries with an ``UPDATE`` on the inbox row would
make every redelivery write the row the processing job also writes: under
Odoo's REPEATABLE READ one of them then fails with a serialization error (the
request is replayed, the job retried) and under any isolation the redelivery
waits for the job's whole transaction. Inserting a receipt never conflicts
with anything, so ``generic.webhook.delivery_count`` is the number of its
receipts.
"""

from odoo import fields, models


class GenericWebhookReceipt(models.Model):
    _name = "generic.webhook.receipt"
    _description = "Webhook Delivery Receipt"
    _order = "id"
    _log_access = False

    webhook_id = fields.Many2one(
        "generic.webhook", required=True, index=True, ondelete="cascade"
    )
    received_at = fields.Datetime(required=True, default=fields.Datetime.now)
