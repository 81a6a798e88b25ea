# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The last stock level exchanged with the remote, per variant binding and
remote location, and which way it went (abstract: a connector's model adds
``binding_id``, a Many2one to its variant binding, ``ondelete="cascade"``).

A remote platform may answer each of our writes with an event carrying the
level we set (its echo). By the time that event is processed, Odoo's stock
may have moved again (a delivery whose export is still to run): applying
the echo would undo that move. So a level read from the remote that equals
the one we last *sent* there is our own write, and the import leaves the
quants alone; any other level is the remote's change, and from then on the
last level is the one *received*.

Rows are written by one upsert statement (:meth:`_record`): a chunk job, a
webhook and an export may meet on the same variant, never on a duplicate.
"""

from odoo import api, fields, models
from odoo.tools import SQL


class GenericStockLevel(models.AbstractModel):
    _name = "generic.stock.level"
    _description = "Generic Stock Level Exchanged (abstract)"
    _order = "binding_id, remote_location_id"

    remote_location_id = fields.Integer(
        string="Remote Location ID", required=True, readonly=True
    )
    level = fields.Integer(readonly=True, help="The last level exchanged.")
    origin = fields.Selection(
        [("sent", "Sent by Odoo"), ("received", "Received from the remote")],
        required=True,
        readonly=True,
    )

    _sql_constraints = [
        (
            "binding_location_uniq",
            "unique(binding_id, remote_location_id)",
            "One level per variant binding and remote location.",
        ),
    ]

    @api.model
    def _sent_levels(self, bindings):
        """``{(binding id, remote location id): level}`` of the levels we
        sent last (not overtaken by a change received since)."""
        rows = self.sudo().search(
            [("binding_id", "in", bindings.ids), ("origin", "=", "sent")]
        )
        return {(r.binding_id.id, r.remote_location_id): r.level for r in rows}

    @api.model
    def _record(self, origin, levels):
        """Remember ``levels``, ``[(binding id, remote location id, level)]``,
        as the last ones exchanged, ``origin`` ``sent`` or ``received``.
        Rows already holding the same level and origin are left alone."""
        # One row per key: an upsert may not touch a row twice.
        latest = {(b, loc): int(level) for b, loc, level in levels}
        if not latest:
            return
        bindings, locations = zip(*latest, strict=True)
        self.env.cr.execute(
            SQL(
                """INSERT INTO %(table)s (binding_id, remote_location_id,
                        level, origin, create_uid, create_date, write_uid, write_date)
                    SELECT b, loc, lvl, %(origin)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                    FROM unnest(%(bindings)s::int[], %(locations)s::int[],
                                %(levels)s::int[]) AS t(b, loc, lvl)
                    ON CONFLICT (binding_id, remote_location_id) DO UPDATE
                    SET level = EXCLUDED.level, origin = EXCLUDED.origin,
                        write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                    WHERE (%(table)s.level, %(table)s.origin)
                        IS DISTINCT FROM (EXCLUDED.level, EXCLUDED.origin)""",
                table=SQL.identifier(self._table),
                origin=origin,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                bindings=list(bindings),
                locations=list(locations),
                levels=list(latest.values()),
            )
        )
        self.invalidate_model(["level", "origin"])
