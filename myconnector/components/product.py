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

from psycopg2 import IntegrityError

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping, only_create
from odoo.addons.generic_connector.exceptions import RemoteDataError
from odoo.addons.generic_connector.transport import (
    NestedConnection,
    flatten_connections,
)
from odoo.addons.queue_job.exception import RetryableJobError

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
        return self.env.ref("myconnector.product_attribute_option")

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

    def values(self, titles):
        """``{title: product.attribute.value}``, creating the missing ones."""
        attribute = self.attribute
        Value = self.env["product.attribute.value"]
        existing = Value.search(
            [("attribute_id", "=", attribute.id), ("name", "in", titles)]
        )
        values = {value.name: value for value in existing}
        missing = [t for t in dict.fromkeys(titles) if t not in values]
        if missing:
            try:
                with self.env.cr.savepoint():
                    created = Value.create(
                        [{"attribute_id": attribute.id, "name": t} for t in missing]
                    )
            except IntegrityError as err:
                # Another job created the same value meanwhile: its commit
                # makes it visible to our next attempt.
                raise RetryableJobError(
                    "option value created concurrently", seconds=2
                ) from err
            values.update({value.name: value for value in created})
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
        self._import_variants(binding.odoo_id, self.remote_record)

    def _import_variants(self, template, record):
        """Make ``template``'s variants those of ``record``, bound by id.

        Each variant's price is the template's (the product's price) plus the
        ``price_extra`` of its option value, to the cent. A variant gone
        remotely loses its option value, and Odoo archives it (its binding
        forbids deleting it).
        """
        options = self.component(usage="product.options")
        titles, values = options.line_values(record)
        variants = record["variants"]
        base = parse_price(record)
        line = self._set_option_line(template, options.attribute, values)
        by_value = {
            ptav.product_attribute_value_id: ptav
            for ptav in line.product_template_value_ids
        }
        products = template.product_variant_ids
        binder = self.binder_for(VARIANT_MODEL)
        for variant, title in zip(variants, titles, strict=True):
            ptav = by_value[values[title]]
            extra = float(parse_price(variant, "variant") - base)
            if ptav.price_extra != extra:
                ptav.price_extra = extra
            product = products.filtered(
                lambda p, ptav=ptav: p.product_template_attribute_value_ids == ptav
            )
            self._bind_variant(binder, str(variant["id"]), product, variant)

    def _set_option_line(self, template, attribute, values):
        wanted = self.env["product.attribute.value"].browse(
            [v.id for v in values.values()]
        )
        line = template.attribute_line_ids.filtered(
            lambda ln: ln.attribute_id == attribute
        )
        if not line:
            template.write(
                {
                    "attribute_line_ids": [
                        (
                            0,
                            0,
                            {
                                "attribute_id": attribute.id,
                                "value_ids": [(6, 0, wanted.ids)],
                            },
                        )
                    ]
                }
            )
            line = template.attribute_line_ids.filtered(
                lambda ln: ln.attribute_id == attribute
            )
        elif line.value_ids != wanted:
            line.value_ids = [(6, 0, wanted.ids)]
        return line

    def _bind_variant(self, binder, external_id, product, variant):
        product.ensure_one()
        if product.default_code != variant.get("sku"):
            product.default_code = variant.get("sku")
        binding = binder.to_internal(external_id)
        if not binding:
            binding = (
                self.env[VARIANT_MODEL]
                .with_context(connector_no_export=True)
                .create({"backend_id": self.backend_record.id, "odoo_id": product.id})
            )
        elif binding.odoo_id != product:
            # The variant's title changed: Odoo made a new product for the
            # new option value and archived the old one.
            binding.with_context(connector_no_export=True).odoo_id = product
        binder.bind(external_id, binding)


class ProductBatchImporter(Component):
    _name = "myconnector.product.batch.importer"
    _inherit = ["generic.batch.importer", "myconnector.base"]
    _apply_on = "myconnector.product.template"
