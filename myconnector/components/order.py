# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Orders: the REST adapter, the import mapper and the importers.

An order becomes a ``sale.order`` through its binding. Its customer and the
products of its lines are imported first, in the same job, when Odoo does not
have them yet (``_import_dependencies``). Lines keep the platform's
quantities, unit prices and discounts (a percentage), and the backend's
*Order Tax*; the pricelist is one in the order's currency; the platform's
order number is the client reference. The remote status is mapped by the
backend (which statuses confirm, which cancel).

An order confirmed, cancelled or delivered in Odoo is not rewritten by a
later import: what changed remotely is posted on its chatter and kept on the
binding instead (only a cancellation still applies, while nothing is
delivered).
"""

import json
from decimal import Decimal, InvalidOperation

from odoo import Command, _, fields

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping, only_create
from odoo.addons.generic_connector.components.core import find_or_create
from odoo.addons.generic_connector.exceptions import RemoteDataError
from odoo.addons.generic_connector.timestamps import parse_timestamp
from odoo.addons.generic_connector.transport import extract

from .order_payment import ROUNDING_REF
from .order_payment import applies as carries_payments
from .product import parse_price

ORDER_MODEL = "myconnector.sale.order"
CUSTOMER_MODEL = "myconnector.res.partner"
PRODUCT_MODEL = "myconnector.product.template"
VARIANT_MODEL = "myconnector.product.product"
OPEN_STATES = ("draft", "sent")
_STATUS_ACTIONS = {"fulfilled": "fulfil", "cancelled": "cancel"}


def order_state_words(order):
    """The order's state as an admin says it: "confirmed", not "sale"."""
    words = {
        "draft": _("a quotation"),
        "sent": _("a quotation"),
        "sale": _("confirmed"),
        "done": _("locked"),
        "cancel": _("cancelled"),
    }
    return words.get(order.state, order.state)


def _cents(value):
    return f"{Decimal(str(value or 0)):.2f}"


class OrderAdapter(Component):
    _name = "myconnector.order.adapter"
    _inherit = ["generic.rest.adapter", "myconnector.base"]
    _apply_on = ORDER_MODEL

    _resource_path = "/api/v1/orders"
    _pagination = "offset"
    _items_path = "data.items"
    _total_path = "data.total"  # the walk knows what it should fetch
    _record_path = "data"
    # Full loads may read one bulk export file (JSON Lines, the same
    # records) instead of the pages.
    _bulk_path = "/api/v1/bulk_operations"
    _bulk_resource = "orders"

    def set_status(self, external_id, status):
        """Fulfil or cancel the order (``POST .../fulfil|cancel``, idempotent
        on the platform); return the order."""
        payload = self.client.request_json(
            "POST", f"{self._record_url(external_id)}/{_STATUS_ACTIONS[status]}"
        )
        return extract(payload, self._record_path)


class OrderImportMapper(Component):
    _name = "myconnector.order.import.mapper"
    _inherit = ["generic.import.mapper", "myconnector.base"]
    _apply_on = ORDER_MODEL

    direct = [
        ("number", "client_order_ref"),
        ("status", "remote_status"),
        ("total", "remote_total"),
        ("financial_status", "financial_status"),
        ("amount_paid", "amount_paid"),
        ("gateway", "payment_gateway"),
    ]

    @mapping
    def remote_payments(self, record):
        if not isinstance(record.get("payments"), list):
            return {}
        return {"remote_payments": json.dumps(record["payments"], sort_keys=True)}

    @mapping
    def partner_id(self, record):
        partner = self.binder_for(CUSTOMER_MODEL).to_internal(
            record.get("customer_id"), unwrap=True
        )
        if not partner:
            raise RemoteDataError(
                f"MyConnector order {record.get('id')}: customer "
                f"{record.get('customer_id')} is not in Odoo"
            )
        return {"partner_id": partner.id}

    @mapping
    def pricelist_id(self, record):
        return {"pricelist_id": self._pricelist(record).id or False}

    @only_create
    @mapping
    def user_id(self, record):
        """The backend's salesperson and team, not the importing user's."""
        backend = self.backend_record
        values = {}
        if backend.order_user_id:
            values["user_id"] = backend.order_user_id.id
        if backend.order_team_id:
            values["team_id"] = backend.order_team_id.id
        return values

    @only_create
    @mapping
    def date_order(self, record):
        created = record.get("created_at")
        if not created:
            return {}
        return {"date_order": parse_timestamp(created).replace(tzinfo=None)}

    def _pricelist(self, record):
        """A pricelist in the order's currency: an existing one, none for the
        company's currency, else one created for it. Found once per currency
        in a chunk (``work.chunk_cache``)."""
        company = self.backend_record.company_id or self.env.company
        code = record.get("currency") or company.currency_id.name
        cache = getattr(self.work, "chunk_cache", None)
        if cache is None or not isinstance(code, str):
            return self._find_pricelist(record, company, code)
        known = cache.setdefault("myconnector.pricelists", {})
        if code not in known:
            known[code] = self._find_pricelist(record, company, code)
        return known[code]

    def _find_pricelist(self, record, company, code):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )
        if not currency.active:
            raise ValueError(
                f"MyConnector order {record.get('id')}: currency {code} is not "
                "active in Odoo (activate it in Accounting > Currencies)"
            )
        Pricelist = self.env["product.pricelist"]
        pricelist = Pricelist.search(
            [
                ("currency_id", "=", currency.id),
                ("company_id", "in", [False, company.id]),
            ],
            limit=1,
        )
        if pricelist or currency == company.currency_id:
            # No pricelist at all: the order is in the company's currency.
            return pricelist
        # A technical record the importing user (the webhooks' integration
        # user) may not create: the currency was chosen by the platform. A
        # shared row: order chunks running at once may all need it.
        name = f"MyConnector {code}"
        return find_or_create(
            Pricelist.sudo(),
            "name",
            [name],
            {"currency_id": currency.id, "company_id": company.id},
        )[name]


class OrderRecordImporter(Component):
    _name = "myconnector.order.record.importer"
    _inherit = ["generic.record.importer", "myconnector.base"]
    _apply_on = ORDER_MODEL

    #: the binding's own fields, written even when the order is not rewritten
    _binding_fields = (
        "remote_status",
        "remote_total",
        "financial_status",
        "amount_paid",
        "payment_gateway",
        "remote_payments",
    )

    def _prefetch_chunk(self, records):
        # The chunk's customers and variants, bound already, in two searches:
        # each is otherwise searched two or three times per order.
        records = [r for r in records if isinstance(r, dict)]
        lines = [
            line
            for record in records
            if isinstance(record.get("lines"), list)
            for line in record["lines"]
            if isinstance(line, dict)
        ]
        self.binder_for(CUSTOMER_MODEL).prefetch(r.get("customer_id") for r in records)
        self.binder_for(VARIANT_MODEL).prefetch(x.get("variant_id") for x in lines)

    def _import_dependencies(self):
        record = self.remote_record
        self._import_dependency(record.get("customer_id"), CUSTOMER_MODEL)
        variants = self.binder_for(VARIANT_MODEL)
        missing = {
            line.get("product_id")
            for line in record.get("lines") or []
            if not variants.to_internal(line.get("variant_id"))
        }
        for product_id in sorted(missing, key=str):
            # A new variant of a known product: the product is read again.
            self._import_dependency(product_id, PRODUCT_MODEL, always=True)

    @staticmethod
    def _is_locked(order):
        """Whether Odoo owns the order now: confirmed, cancelled or done."""
        return order.state not in OPEN_STATES

    def _update(self, binding, values):
        if not self._is_locked(binding.odoo_id):
            return super()._update(binding, values)
        own = {k: v for k, v in values.items() if k in self._binding_fields}
        super()._update(binding, own)
        changes = self._differences(binding, values)
        if changes:
            self._log_remote_change(
                binding,
                _(
                    "The platform changed order %(ref)s, not applied because the "
                    "order is %(state)s in Odoo: %(changes)s",
                    ref=self.remote_record.get("number") or self.external_id,
                    state=order_state_words(binding.odoo_id),
                    changes="; ".join(changes),
                ),
            )

    def _after_import(self, binding):
        order = binding.odoo_id.with_context(connector_no_export=True)
        # The taxes table's lines of the order's taxes (created unmapped for
        # the new ones): its lines take their taxes from it.
        self._tax_maps = self.component(usage="order.payments").tax_maps(
            self.remote_record
        )
        if not self._is_locked(order):
            self._sync_lines(order)
        self._apply_status(binding, order)

    def _differences(self, binding, values):
        """What the remote order says that the locked Odoo order does not."""
        order = binding.odoo_id
        changes = []
        if "client_order_ref" in values and (
            values["client_order_ref"] != (order.client_order_ref or False)
        ):
            changes.append(_("number %(n)s", n=values["client_order_ref"]))
        if values.get("partner_id") and values["partner_id"] != order.partner_id.id:
            changes.append(_("customer %(c)s", c=self.remote_record.get("customer_id")))
        remote_lines = sorted(
            (
                str(line.get("sku")),
                int(line.get("quantity") or 0),
                _cents(line.get("price")),
                _cents(line.get("discount")),
            )
            for line in self.remote_record.get("lines") or []
        )
        odoo_lines = sorted(
            (
                str(line.product_id.default_code),
                int(line.product_uom_qty),
                _cents(round(line.price_unit, 2)),
                _cents(round(line.discount, 2)),
            )
            for line in order.order_line
            if line.myconnector_line_ref not in (False, ROUNDING_REF)
        )
        if remote_lines != odoo_lines:
            changes.append(
                _(
                    "lines now %(lines)s",
                    lines=", ".join(
                        f"{sku} x {qty} at {price}"
                        + (f" (-{discount}%)" if Decimal(discount) else "")
                        for sku, qty, price, discount in remote_lines
                    ),
                )
            )
        return changes

    def _log_remote_change(self, binding, message):
        # A note, not a message: it must not need the importing user's email
        # (the webhooks' integration user has none on a fresh install).
        binding.odoo_id._message_log(body=message)
        binding.with_context(connector_no_export=True).write(
            {"remote_change_note": message, "remote_change_date": fields.Datetime.now()}
        )

    def _sync_lines(self, order):
        """Make the order's lines the remote lines: found again by the remote
        line id, created, updated or removed."""
        existing = {
            line.myconnector_line_ref: line
            for line in order.order_line
            if line.myconnector_line_ref
        }
        commands, seen = [], set()
        for line in self.remote_record.get("lines") or []:
            ref = str(line.get("id"))
            seen.add(ref)
            values = self._line_values(line)
            if ref in existing:
                commands.append(Command.update(existing[ref].id, values))
            else:
                commands.append(Command.create(dict(values, myconnector_line_ref=ref)))
        commands += [
            Command.delete(line.id) for ref, line in existing.items() if ref not in seen
        ]
        order.write({"order_line": commands})

    def _line_values(self, line):
        product = self.binder_for(VARIANT_MODEL).to_internal(
            line.get("variant_id"), unwrap=True
        )
        if not product:
            raise RemoteDataError(
                f"MyConnector order {self.external_id}: variant "
                f"{line.get('variant_id')} ({line.get('sku')}) is not in Odoo, "
                f"even after importing product {line.get('product_id')}"
            )
        quantity = line.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise RemoteDataError(
                f"MyConnector order {self.external_id}: line {line.get('id')} has "
                f"an invalid quantity {quantity!r}"
            )
        raw = line.get("discount") or 0
        try:
            discount = Decimal(str(raw))
            if not (discount.is_finite() and 0 <= discount <= 100):
                raise InvalidOperation
        except InvalidOperation as err:
            raise RemoteDataError(
                f"MyConnector order {self.external_id}: line {line.get('id')} has "
                f"an invalid discount {raw!r:.80} (a percentage is expected)"
            ) from err
        return {
            "product_id": product.id,
            "product_uom_qty": quantity,
            "price_unit": float(parse_price(line, "order line")),
            "discount": float(discount),
            "tax_id": [Command.set(self._line_tax_ids(line))],
        }

    def _line_tax_ids(self, line):
        """The platform's taxes of the line, through the backend's taxes
        table; the backend's *Order Tax* when the platform gives none."""
        if isinstance(line.get("taxes"), list):
            payments = self.component(usage="order.payments")
            return payments.line_taxes(line, getattr(self, "_tax_maps", {}))
        return self.backend_record.order_tax_id.ids

    def _apply_status(self, binding, order):
        action = self.backend_record._order_status_action(
            self.remote_record.get("status")
        )
        payments = self.component(usage="order.payments")
        if action != "cancel" and carries_payments(self.remote_record):
            payments.run(binding, order, self.remote_record, self._tax_maps)
        elif (
            action == "confirm"
            and order.state in OPEN_STATES
            and payments.totals_ok(binding, order, self.remote_record)
        ):
            order.action_confirm()
        elif action == "cancel" and order.state != "cancel":
            if order.picking_ids.filtered(lambda p: p.state == "done"):
                self._log_remote_change(
                    binding,
                    _(
                        "The platform cancelled order %(ref)s, which is delivered "
                        "in Odoo: not cancelled",
                        ref=self.remote_record.get("number") or self.external_id,
                    ),
                )
            else:
                order._action_cancel()


class OrderBatchImporter(Component):
    _name = "myconnector.order.batch.importer"
    _inherit = ["generic.batch.importer", "myconnector.base"]
    _apply_on = ORDER_MODEL
