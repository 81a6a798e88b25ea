# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Customers: the REST adapter, the import mapper and the importers.

A customer becomes a contact (``res.partner``) through its binding; each of
its addresses becomes a child contact, the default one of type *invoice*, the
others of type *delivery*, found again on re-import by the remote address id
they keep. An address removed remotely archives its child (orders may point
at it). Deduplication is by the binding: a customer never overwrites a contact
it is not bound to, except the unbound contact with its email when the
backend's *Bind customers by email* says so.
"""

from odoo.osv import expression
from odoo.tools import escape_psql

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping, only_create
from odoo.addons.generic_connector.exceptions import RemoteDataError


class CustomerAdapter(Component):
    _name = "myconnector.customer.adapter"
    _inherit = ["generic.rest.adapter", "myconnector.base"]
    _apply_on = "myconnector.res.partner"

    _resource_path = "/api/v1/customers"
    _pagination = "offset"
    _items_path = "data.items"
    _total_path = "data.total"  # the walk knows what it should fetch
    _record_path = "data"
    # Full loads may read one bulk export file (JSON Lines, the same
    # records) instead of the pages.
    _bulk_path = "/api/v1/bulk_operations"
    _bulk_resource = "customers"


class CustomerImportMapper(Component):
    _name = "myconnector.customer.import.mapper"
    _inherit = ["generic.import.mapper", "myconnector.base"]
    _apply_on = "myconnector.res.partner"

    direct = [("email", "email"), ("phone", "phone")]

    @mapping
    def name(self, record):
        parts = (record.get("first_name"), record.get("last_name"))
        name = " ".join(p.strip() for p in parts if p and p.strip())
        name = name or (record.get("email") or "").strip()
        if not name:
            raise RemoteDataError(
                f"MyConnector customer {record.get('id')} has no name and no email"
            )
        return {"name": name}

    @only_create
    @mapping
    def is_company(self, record):
        return {"is_company": False, "type": "contact"}


class CustomerRecordImporter(Component):
    """A new customer binds the unbound top-level contact with its email,
    whatever its case, when the backend's *Bind customers by email* says so
    (the resource's ``match_fields``)."""

    _name = "myconnector.customer.record.importer"
    _inherit = ["generic.record.importer", "myconnector.base"]
    _apply_on = "myconnector.res.partner"
    _match_bound_elsewhere = True

    def _match_domain(self, field, keys):
        emails = expression.OR([[(field, "=ilike", escape_psql(key))] for key in keys])
        return expression.AND([emails, [("parent_id", "=", False)]])

    def _match_key(self, field, value):
        return (
            value.strip().lower() if isinstance(value, str) and value.strip() else None
        )

    def _after_import(self, binding):
        self._import_addresses(binding.odoo_id, self.remote_record.get("addresses"))

    def _import_addresses(self, partner, addresses):
        partners = self.env["res.partner"].with_context(
            active_test=False, connector_no_export=True
        )
        children = partners.search(
            [("parent_id", "=", partner.id), ("myconnector_address_ref", "!=", False)]
        )
        by_ref = {child.myconnector_address_ref: child for child in children}
        countries = self._countries(addresses or [])
        seen = set()
        for address in addresses or []:
            ref = str(address["id"])
            seen.add(ref)
            values = self._address_values(address, countries)
            if ref in by_ref:
                by_ref[ref].write(values)
            else:
                partners.create(
                    dict(values, parent_id=partner.id, myconnector_address_ref=ref)
                )
        children.filtered(
            lambda c: c.active and c.myconnector_address_ref not in seen
        ).write({"active": False})

    def _countries(self, addresses):
        codes = {a.get("country_code") for a in addresses if a.get("country_code")}
        countries = self.env["res.country"].search([("code", "in", list(codes))])
        return {country.code: country for country in countries}

    def _address_values(self, address, countries):
        country = countries.get(address.get("country_code"))
        state = False
        if country and address.get("province"):
            state = country.state_ids.filtered(
                lambda s: s.code == address["province"] or s.name == address["province"]
            )[:1]
        return {
            "type": "invoice" if address.get("default") else "delivery",
            "street": address.get("address1") or False,
            "street2": address.get("address2") or False,
            "city": address.get("city") or False,
            "zip": address.get("zip") or False,
            "country_id": country.id if country else False,
            "state_id": state.id if state else False,
            "active": True,
        }


class CustomerBatchImporter(Component):
    _name = "myconnector.customer.batch.importer"
    _inherit = ["generic.batch.importer", "myconnector.base"]
    _apply_on = "myconnector.res.partner"
