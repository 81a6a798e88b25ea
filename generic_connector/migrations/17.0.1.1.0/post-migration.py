# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The inbox's delivery count moved from a stored column to receipts: give
each existing row as many receipts as the count it had."""


def migrate(cr, version):
    cr.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = "
        "'generic_webhook' AND column_name = 'delivery_count'"
    )
    if not cr.fetchone():
        return
    cr.execute(
        """
        INSERT INTO generic_webhook_receipt (webhook_id, received_at)
        SELECT w.id, w.received_at
          FROM generic_webhook w
          CROSS JOIN LATERAL generate_series(1, greatest(w.delivery_count, 1))
         WHERE NOT EXISTS (
               SELECT 1 FROM generic_webhook_receipt r WHERE r.webhook_id = w.id)
        """
    )
