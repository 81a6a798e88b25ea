# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Products: the REST and GraphQL adapters, the import mapper, the importers.

The platform serves products at ``/api/v1/products`` in the wrapped envelope
(``{"status": "success", "data": {...}}``), paged by ``page``/``per_page`` and
filtered by ``updated_since``, and at ``/graphql`` as a Relay connection with
a nested ``variants`` connection. Both adapters give the same record (the
GraphQL one is flattened to the REST shape), so the mapper and the importers
do not know which protocol the backend chose. Prices are decimal strings.

A product's import creates, updates and archives its variants in the same
job (:class:`ProductRecordImporter`): one ``product.product`` per remote
variant, told apart by one value of the *MyConnector Option* attribute per
variant title, bound by ``myconnector.product.product``.
"""

from decimal import Decimal, InvalidOperation

from odoo import Command

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping, only_create
from odoo.addons.generic_connector.components.core import find_or_create
from odoo.addons.generic_connector.exceptions import RemoteDataError
from odoo.addons.generic_connector.transport import (
    NestedConnection,
    flatten_connections,
)

VARIANT_MODEL = "myconnector.product.product"
# Odoo keeps prices as floats: beyond this they lose their cents.
MAX_PRICE = Decimal(10) ** 12
_VARIANT_FIELDS = "id title sku price stock"
_PRODUCT_FIELDS = (
    "id title description sku price currency status createdAt updatedAt "
    f"variants(first: 2) {{ edges {{ node {{ {_VARIANT_FIELDS} }} }} "
    "pageInfo { hasNextPage endCursor } }"
)


def parse_price(record, label="product"):
    """The record's ``price`` as a finite ``Decimal``; :class:`RemoteDataError`
    naming the record when it is not one (the record then fails alone)."""
    raw = record.get("price")
    try:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise InvalidOperation
        price = Decimal(str(raw))
        if not price.is_finite() or abs(price) >= MAX_PRICE:
            raise InvalidOperation
    except InvalidOperation as err:
        raise RemoteDataError(
            f"MyConnector {label} {record.get('id')} has an invalid price "
            f"{raw!r:.80}"
        ) from err
    return price


def check_variants(record):
    """Raise :class:`RemoteDataError` naming the product unless its
    ``variants`` are a list of objects, each with its own id, text for title
    and SKU, and a valid price."""
    where = f"MyConnector product {record.get('id')}"
    variants = record.get("variants")
    if not isinstance(variants, list) or not all(isinstance(v, dict) for v in variants):
        raise RemoteDataError(f"{where} has variants that are not a list of objects")
    ids = [v.get("id") for v in variants]
    if not all(
        isinstance(i, int | str) and not isinstance(i, bool) and str(i).strip()
        for i in ids
    ):
        raise RemoteDataError(f"{where} has a variant without an id: {ids!r:.80}")
    if len({str(i) for i in ids}) != len(ids):
        raise RemoteDataError(f"{where} has two variants with one id: {ids!r:.80}")
    for variant in variants:
        for key in ("title", "sku"):
            if variant.get(key) is not None and not isinstance(variant[key], str):
                raise RemoteDataError(
                    f"{where} has a variant {key} that is not text: "
                    f"{variant[key]!r:.80}"
                )
        parse_price(variant, "variant")


class ProductAdapter(Component):
    _name = "myconnector.product.adapter"
    _inherit = ["generic.rest.adapter", "myconnector.base"]
    _apply_on = "myconnector.product.template"

    _resource_path = "/api/v1/products"
    _pagination = "offset"
    _items_path = "data.items"
    _total_path = "data.total"  # the walk knows what it should fetch
    _record_path = "data"


class ProductGraphQLAdapter(Component):
    """Products over GraphQL. Two variants ride with each product; the rest
    of a product's variants are fetched in batched follow-up queries."""

    _name = "myconnector.product.graphql.adapter"
    _inherit = ["generic.graphql.adapter", "myconnector.base"]
    _apply_on = "myconnector.product.template"

    _list_query = (
        "query($first: Int, $after: String, $updatedSince: String) {"
        " products(first: $first, after: $after, updatedSince: $updatedSince) {"
        f" edges {{ node {{ {_PRODUCT_FIELDS} }} }}"
        " pageInfo { hasNextPage endCursor } } }"
    )
    _connection_path = "products"
    _get_query = f"query($id: ID!) {{ product(id: $id) {{ {_PRODUCT_FIELDS} }} }}"
    _get_path = "product"
    _nested = (NestedConnection("product", "variants", _VARIANT_FIELDS, 20, 20),)
    _filter_variables = {"updated_since": "updatedSince"}


class ProductSOAPAdapter(Component):
    """Products over SOAP (``GetProducts``, paged by page number). The
    service has no filter by date and no single-product operation: an
    incremental run reads every product (the importer skips those not
    newer), and a webhook re-fetch needs REST or GraphQL."""

    _name = "myconnector.product.soap.adapter"
    _inherit = ["generic.soap.adapter", "myconnector.base"]
    _apply_on = "myconnector.product.template"

    _list_operation = "GetProducts"
    _items_path = "products.Product"
    _total_path = "total"
    _idempotent = frozenset({"GetProducts"})

    def _to_record(self, result):
        record = flatten_connections(result)
        record["variants"] = (record.get("variants") or {}).get("variant") or []
        return record


class ProductOptions(Component):
    """The *MyConnector Option* attribute: one value per variant title."""

    _name = "myconnector.product.options"
    _inherit = "myconnector.base"
    _apply_on = "myconnector.product.template"
    _usage = "product.options"

    @property
    def attribute(self):
        cache = getattr(self.work, "chunk_cache", None)
        if cache is None:
            return self.env.ref("myconnector.product_attribute_option")
        if "myconnector.option_attribute" not in cache:
            cache["myconnector.option_attribute"] = self.env.ref(
                "myconnector.product_attribute_option"
            )
        return cache["myconnector.option_attribute"]

    @staticmethod
    def titles(variants):
        """One option value per variant: its title, made unique with its SKU
        when two variants share a title."""
        seen, titles = {}, []
        for variant in variants:
            title = (variant.get("title") or "").strip() or str(variant.get("sku"))
            seen[title] = seen.get(title, 0) + 1
            titles.append(title)
        return [
            f"{t} ({v.get('sku')})" if seen[t] > 1 else t
            for t, v in zip(titles, variants, strict=True)
        ]

    def _known_values(self):
        """``{title: value}`` found by this chunk job: the chunk's
        ``work.chunk_cache`` is shared by the mapper and the importer of every
        record, so a title is searched once per chunk, not twice per record
        (the chunk clears it when it rolls a record back)."""
        cache = getattr(self.work, "chunk_cache", None)
        if cache is None:
            return {}
        return cache.setdefault("myconnector.option_values", {})

    def values(self, titles):
        """``{title: product.attribute.value}``, creating the missing ones.

        Option values are shared by every product: chunks running at once
        may create the same one, so they are found or created by
        :func:`find_or_create` (a race is a retry of the chunk, never a
        record failure nor a deadlock)."""
        known = self._known_values()
        values = {t: known[t] for t in titles if t in known}
        wanted = [t for t in titles if t not in values]
        if wanted:
            found = find_or_create(
                self.env["product.attribute.value"],
                "name",
                wanted,
                {"attribute_id": self.attribute.id},
            )
            known.update(found)
            values.update(found)
        return values

    def line_values(self, record):
        """``(titles, {title: value})`` of ``record``'s variants."""
        variants = record.get("variants") or []
        if not variants:
            raise RemoteDataError(
                f"MyConnector product {record.get('id')} has no variants"
            )
        check_variants(record)
        titles = self.titles(variants)
        if len(set(titles)) != len(titles):
            raise RemoteDataError(
                f"MyConnector product {record.get('id')} has variants that share "
                f"a title and a SKU: {titles!r:.120}"
            )
        return titles, self.values(titles)


class ProductImportMapper(Component):
    _name = "myconnector.product.import.mapper"
    _inherit = ["generic.import.mapper", "myconnector.base"]
    _apply_on = "myconnector.product.template"

    @mapping
    def name(self, record):
        title = record.get("title")
        if not isinstance(title, str) or not title.strip():
            raise RemoteDataError(
                f"MyConnector product {record.get('id')} has no title ({title!r})"
            )
        return {"name": title.strip()}

    @mapping
    def texts(self, record):
        values = {}
        for remote, field in (
            ("description", "description_sale"),
            ("sku", "default_code"),
        ):
            value = record.get(remote)
            if value is not None and not isinstance(value, str):
                raise RemoteDataError(
                    f"MyConnector product {record.get('id')} has a {remote} that "
                    f"is not text: {value!r:.80}"
                )
            values[field] = value or False
        return values

    @mapping
    def list_price(self, record):
        return {"list_price": float(parse_price(record))}

    @only_create
    @mapping
    def attribute_line_ids(self, record):
        """On creation, the template gets its option line at once, so Odoo
        creates the variants directly instead of a plain one to replace."""
        options = self.component(usage="product.options")
        _titles, values = options.line_values(record)
        value_ids = [value.id for value in values.values()]
        line = {"attribute_id": options.attribute.id, "value_ids": [(6, 0, value_ids)]}
        return {"attribute_line_ids": [(0, 0, line)]}

    @only_create
    @mapping
    def detailed_type(self, record):
        # Storable: the platform's inventory levels land in stock.quant.
        return {"detailed_type": "product"}


class ProductRecordImporter(Component):
    _name = "myconnector.product.record.importer"
    _inherit = ["generic.record.importer", "myconnector.base"]
    _apply_on = "myconnector.product.template"

    def _after_import(self, binding):
        self._import_variants([(binding.odoo_id, self.remote_record)])

    def _after_import_batch(self, importers):
        self._import_variants(
            [(imp.binding.odoo_id, imp.remote_record) for imp in importers]
        )

    def _import_variants(self, items):
        """Make each template's variants those of its record, bound by id,
        for ``items`` ``[(template, record)]`` (one, or a chunk's new ones).

        Each variant's price is the template's (the product's price) plus the
        ``price_extra`` of its option value, to the cent. A variant gone
        remotely loses its option value, and Odoo archives it (its binding
        forbids deleting it). The work is done for all ``items`` at once:
        templates, lines, option values and variants read together, the
        variant bindings found in one search and the new ones created bound
        in one ``create()``, prices and SKUs written grouped by value.
        """
        options = self.component(usage="product.options")
        wanted = [options.line_values(record) for _template, record in items]
        templates = items[0][0].browse([template.id for template, _record in items])
        env = templates.env
        lines = self._set_option_lines(
            templates, options.attribute, [values for _titles, values in wanted]
        )
        ptavs = {
            (ptav.attribute_line_id.id, ptav.product_attribute_value_id.id): ptav
            for ptav in templates.attribute_line_ids.product_template_value_ids
        }
        products = {
            tuple(product.product_template_attribute_value_ids.ids): product
            for product in templates.product_variant_ids
        }
        binder = self.binder_for(VARIANT_MODEL)
        bound = self._variant_bindings(binder, [record for _t, record in items])
        extras, skus, new = {}, {}, []
        for (template, record), (titles, values) in zip(items, wanted, strict=True):
            base, line = parse_price(record), lines[template.id]
            for variant, title in zip(record["variants"], titles, strict=True):
                ptav = ptavs[line.id, values[title].id]
                extra = float(parse_price(variant, "variant") - base)
                if ptav.price_extra != extra:
                    extras.setdefault(extra, []).append(ptav.id)
                product = products.get((ptav.id,), env["product.product"])
                product.ensure_one()
                if product.default_code != variant.get("sku"):
                    skus.setdefault(variant.get("sku"), []).append(product.id)
                external_id = str(variant["id"])
                if external_id in bound:
                    self._bind_variant(binder, external_id, product, bound[external_id])
                else:
                    new.append(
                        {
                            "backend_id": self.backend_record.id,
                            "odoo_id": product.id,
                            **binder._bind_values(external_id, binder.model),
                        }
                    )
        Ptav = env["product.template.attribute.value"]
        for extra, ptav_ids in extras.items():
            Ptav.browse(ptav_ids).write({"price_extra": extra})
        for sku, product_ids in skus.items():
            env["product.product"].browse(product_ids).write({"default_code": sku})
        if new:
            # Binding an existing variant writes on it the (empty) properties
            # Odoo adds to the values (``_inherits``), which reads the
            # template's category: one read for all, not one per template.
            templates.fetch(["categ_id"])
            binder.model.with_context(connector_no_export=True).create(new)

    def _variant_bindings(self, binder, records):
        """``{external id: binding}`` of ``records``' variants (archived ones
        included), in one search."""
        external_ids = [str(v["id"]) for record in records for v in record["variants"]]
        found = binder.model.with_context(active_test=False).search(
            [
                ("backend_id", "=", self.backend_record.id),
                ("external_id", "in", external_ids),
            ]
        )
        return {binding.external_id: binding for binding in found}

    def _set_option_lines(self, templates, attribute, values_list):
        """Give each of ``templates`` its option line with the option values
        of ``values_list`` (``{title: value}`` each, in the same order);
        return ``{template id: line}``."""
        Value = self.env["product.attribute.value"]
        lines = self._option_lines(templates, attribute)
        for template, values in zip(templates, values_list, strict=True):
            wanted = Value.browse([value.id for value in values.values()])
            line = lines.get(template.id)
            if not line:
                line_values = {
                    "attribute_id": attribute.id,
                    "value_ids": [Command.set(wanted.ids)],
                }
                template.write({"attribute_line_ids": [Command.create(line_values)]})
            elif line.value_ids != wanted:
                line.value_ids = [Command.set(wanted.ids)]
        if len(lines) < len(templates):
            lines = self._option_lines(templates, attribute)
        return lines

    def _option_lines(self, templates, attribute):
        """``{template id: line}`` of ``templates``' lines of ``attribute``."""
        return {
            line.product_tmpl_id.id: line
            for line in templates.attribute_line_ids
            if line.attribute_id == attribute
        }

    def _bind_variant(self, binder, external_id, product, binding):
        """Point the existing variant ``binding`` at ``product``."""
        if binding.odoo_id != product:
            # The variant's title changed: Odoo made a new product for the
            # new option value and archived the old one.
            binding.with_context(connector_no_export=True).odoo_id = product
        binder.bind(external_id, binding)


class ProductBatchImporter(Component):
    _name = "myconnector.product.batch.importer"
    _inherit = ["generic.batch.importer", "myconnector.base"]
    _apply_on = "myconnector.product.template"
