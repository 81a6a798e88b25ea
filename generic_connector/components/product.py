# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Products with variants: a remote product is a template, its remote
variants are the template's ``product.product``, each bound by id.

A connector declares, on a component inheriting ``generic.variant.importer``
(``_apply_on`` its template binding), where the variants are in its records
and what tells them apart; the mapper (``generic.product.import.mapper``)
and the record importer (``generic.product.record.importer``) do the rest:

* options: either one attribute for all products (``_option_attribute``, an
  xml id), one value per variant title, so any set of variants and any
  prices can be expressed; or one attribute per remote option name
  (``_variant_options_key``), named by ``_attribute_name``, for platforms
  whose variants are combinations of options. Attributes and values are
  shared by every product and created by :func:`find_or_create`: chunks
  running at once never create one twice, nor fail a record for it;
* prices: the template's list price is the product's, each variant's
  difference is its values' ``price_extra``, so the variant's price is the
  remote one to the cent (with several options, the first option carries
  it: the prices must then be the same for variants sharing a first value);
* SKU and barcode on the variant;
* a variant gone remotely is archived (its binding's ``odoo_id`` is
  ``ondelete="restrict"``: its moves, order lines and binding stay), as is
  any combination of options Odoo made that the remote does not have; one
  that comes back is unarchived;
* a chunk's new products get their variants in a few statements for all
  (:meth:`GenericVariantImporter.run` takes a list), and so do its updated
  ones (the record importer's ``_batch_update``);
* a record whose variants are those last synced (the template binding's
  ``variants_digest``), its template still having them all active and
  bound, is not synced again unless forced
  (:meth:`GenericVariantImporter.changed`).
"""

from decimal import Decimal, InvalidOperation

from odoo import Command
from odoo.tools import SQL

from odoo.addons.component.core import AbstractComponent
from odoo.addons.connector.components.mapper import mapping, only_create

from ..digest import values_digest
from ..exceptions import RemoteDataError
from .core import find_or_create

# Odoo keeps prices as floats: beyond this they lose their cents.
MAX_PRICE = Decimal(10) ** 12


def parse_price(record, label, key="price"):
    """``record[key]`` as a finite ``Decimal``; :class:`RemoteDataError`
    naming the record (``label`` and its id) when it is not one, so the
    record fails alone."""
    raw = record.get(key)
    try:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise InvalidOperation
        price = Decimal(str(raw))
        if not price.is_finite() or abs(price) >= MAX_PRICE:
            raise InvalidOperation
    except InvalidOperation as err:
        raise RemoteDataError(
            f"{label} {record.get('id')} has an invalid {key} {raw!r:.80}"
        ) from err
    return price


class GenericVariantImporter(AbstractComponent):
    """Make a template's variants those of its remote record (usage
    ``variant.importer``). Declare the class attributes below."""

    _name = "generic.variant.importer"
    _inherit = "generic.base"
    _usage = "variant.importer"

    #: the variant binding model (``_inherit`` of ``generic.product.variant.binding``)
    _variant_model = None
    #: names the remote product in errors ("MyShop product 12 has ...")
    _product_label = "Remote product"
    #: keys of the remote product: its price, its list of variants
    _price_key = "price"
    _variants_key = "variants"
    #: keys of each remote variant (``None``: the platform has no such key)
    _variant_id_key = "id"
    _variant_title_key = "title"
    _variant_sku_key = "sku"
    _variant_barcode_key = None
    _variant_price_key = "price"
    #: xml id of the one attribute telling variants apart by title; ``None``:
    #: one attribute per option name, from ``_variant_options_key`` (a dict
    #: ``{name: value}`` or a list of ``{"name", "value"}``)
    _option_attribute = None
    _variant_options_key = "options"
    #: the name of the attribute made for a remote option name
    _attribute_name = "%s"

    def run(self, items):
        """Make each template's variants those of its record, bound by id,
        for ``items`` ``[(template, record)]`` (one, or a chunk's new ones):
        templates, lines, values and variants read together, the new
        bindings created in one ``create()``, prices, SKUs and barcodes
        written grouped by value."""
        if not items:
            return
        wanted = [self.variant_values(record) for _template, record in items]
        templates = items[0][0].browse([template.id for template, _record in items])
        lines = self._set_lines(templates, wanted)
        ptavs = {
            (ptav.attribute_line_id.id, ptav.product_attribute_value_id.id): ptav
            for ptav in templates.attribute_line_ids.product_template_value_ids
        }
        products = self._products(templates)
        binder = self.binder_for(self._variant_model)
        bound = self._bindings(binder, [record for _t, record in items])
        extras, writes, new = {}, {}, []
        kept = self.env["product.product"]
        for (template, record), variants in zip(items, wanted, strict=True):
            base = parse_price(record, self._product_label, self._price_key)
            assigned = {}
            for variant, values in variants:
                combination = [
                    ptavs[lines[template.id, attribute.id].id, value.id]
                    for attribute, value in values.items()
                ]
                price = parse_price(variant, "Variant", self._variant_price_key)
                extra = price - base
                self._assign_extra(record, assigned, combination, float(extra))
                product = products[template.id, frozenset(p.id for p in combination)]
                kept |= product
                self._changes(writes, product, variant)
                external_id = str(variant[self._variant_id_key])
                if external_id in bound:
                    self._bind_variant(binder, external_id, product, bound[external_id])
                else:
                    new.append(self._new_binding(binder, external_id, product))
            for ptav, extra in assigned.items():
                if ptav.price_extra != extra:
                    extras.setdefault(extra, []).append(ptav.id)
        self._write(templates, kept, extras, writes)
        if new:
            # Binding an existing variant writes on it the (empty) properties
            # Odoo adds to the values (``_inherits``), which reads the
            # template's category: one read for all, not one per template.
            templates.fetch(["categ_id"])
            binder.model.with_context(connector_no_export=True).create(new)

    # Unchanged variants

    def signature(self, record):
        """The digest of what ``record``'s variants make in Odoo: their ids,
        options, codes, and prices against the product's (a price change of
        the product alone moves no other variant's extra price)."""
        variants = self.check_variants(record)
        base = parse_price(record, self._product_label, self._price_key)
        keys = (self._variant_sku_key, self._variant_barcode_key)
        return values_digest(
            {
                "options": self._options(record, variants),
                "variants": [
                    [str(variant[self._variant_id_key])]
                    + [variant.get(key) if key else None for key in keys]
                    + [
                        str(
                            parse_price(variant, "Variant", self._variant_price_key)
                            - base
                        )
                    ]
                    for variant in variants
                ],
            }
        )

    def changed(self, items, forced=()):
        """``[(binding, record, signature)]`` of ``items`` ``[(template
        binding, record)]`` whose variants must be synced: all but those
        whose signature is the binding's ``variants_digest`` and whose
        template has as many active variants as the record, each bound
        (one query for all), unless their binding is in ``forced``."""
        signed = [(b, r, self.signature(r)) for b, r in items]
        same = [
            (b, r)
            for b, r, digest in signed
            if b.id not in forced and b.variants_digest == digest
        ]
        counts = self._active_variants([b.odoo_id.id for b, _r in same])
        kept = {
            b.id
            for b, r in same
            if counts.get(b.odoo_id.id) == (len(r[self._variants_key]),) * 2
        }
        return [(b, r, digest) for b, r, digest in signed if b.id not in kept]

    def _active_variants(self, template_ids):
        """``{template id: (active variants, those bound on this backend)}``."""
        if not template_ids:
            return {}
        binding_model = self.env[self._variant_model]
        self.env["product.product"].flush_model(["active", "product_tmpl_id"])
        binding_model.flush_model(["odoo_id", "backend_id"])
        self.env.cr.execute(
            SQL(
                "SELECT p.product_tmpl_id, count(*), count(b.id) "
                "FROM product_product p LEFT JOIN %s b "
                "ON b.odoo_id = p.id AND b.backend_id = %s "
                "WHERE p.product_tmpl_id = ANY(%s) AND p.active "
                "GROUP BY p.product_tmpl_id",
                SQL.identifier(binding_model._table),
                self.backend_record.id,
                list(template_ids),
            )
        )
        return {row[0]: (row[1], row[2]) for row in self.env.cr.fetchall()}

    # What the remote record says

    def variant_values(self, record):
        """``[(variant, {product.attribute: product.attribute.value})]`` of
        ``record``'s variants, the values created when missing."""
        variants = self.check_variants(record)
        options = self._options(record, variants)
        attributes = self._attributes(
            list(dict.fromkeys(n for o in options for n in o))
        )
        values = {
            name: self._shared_rows(
                f"values:{attribute.id}",
                "product.attribute.value",
                list(dict.fromkeys(option[name] for option in options)),
                {"attribute_id": attribute.id},
            )
            for name, attribute in attributes.items()
        }
        return [
            (variant, {attributes[n]: values[n][v] for n, v in option.items()})
            for variant, option in zip(variants, options, strict=True)
        ]

    def check_variants(self, record):
        """``record``'s variants; :class:`RemoteDataError` naming the product
        unless they are a non-empty list of objects, each with its own id,
        text (or nothing) for title, SKU and barcode, and a valid price."""
        where = f"{self._product_label} {record.get('id')}"
        variants = record.get(self._variants_key)
        if not variants:
            raise RemoteDataError(f"{where} has no variants")
        if not isinstance(variants, list) or not all(
            isinstance(v, dict) for v in variants
        ):
            raise RemoteDataError(
                f"{where} has variants that are not a list of objects"
            )
        ids = [v.get(self._variant_id_key) for v in variants]
        if not all(
            isinstance(i, int | str) and not isinstance(i, bool) and str(i).strip()
            for i in ids
        ):
            raise RemoteDataError(f"{where} has a variant without an id: {ids!r:.80}")
        if len({str(i) for i in ids}) != len(ids):
            raise RemoteDataError(f"{where} has two variants with one id: {ids!r:.80}")
        keys = (
            self._variant_title_key,
            self._variant_sku_key,
            self._variant_barcode_key,
        )
        for variant in variants:
            for key in filter(None, keys):
                if variant.get(key) is not None and not isinstance(variant[key], str):
                    raise RemoteDataError(
                        f"{where} has a variant {key} that is not text: "
                        f"{variant[key]!r:.80}"
                    )
            parse_price(variant, f"{where} variant", self._variant_price_key)
        return variants

    def _options(self, record, variants):
        """``[{option name: value name}]``, one per variant, telling each
        variant apart (the option name is ``None`` for the one attribute)."""
        if self._option_attribute:
            options = [{None: title} for title in self.titles(variants)]
        else:
            options = [self._variant_options(record, v) for v in variants]
            if len({frozenset(o) for o in options}) != 1:
                raise RemoteDataError(
                    f"{self._product_label} {record.get('id')} has variants "
                    f"with different option names: {options!r:.120}"
                )
        combinations = [tuple(sorted(o.items(), key=str)) for o in options]
        if len(set(combinations)) != len(combinations):
            raise RemoteDataError(
                f"{self._product_label} {record.get('id')} has variants that "
                f"share their options: {combinations!r:.120}"
            )
        return options

    def titles(self, variants):
        """One option value per variant: its title (else its SKU), made
        unique with its SKU when two variants share a title."""
        seen, titles = {}, []
        for variant in variants:
            title = (variant.get(self._variant_title_key) or "").strip() or str(
                variant.get(self._variant_sku_key)
            )
            seen[title] = seen.get(title, 0) + 1
            titles.append(title)
        return [
            f"{t} ({v.get(self._variant_sku_key)})" if seen[t] > 1 else t
            for t, v in zip(titles, variants, strict=True)
        ]

    def _variant_options(self, record, variant):
        """``{option name: value name}`` of one variant, from its
        ``_variant_options_key`` (override for another shape)."""
        raw = variant.get(self._variant_options_key)
        if isinstance(raw, list) and all(isinstance(o, dict) for o in raw):
            raw = {o.get("name"): o.get("value") for o in raw}
        if not (
            isinstance(raw, dict)
            and raw
            and all(isinstance(t, str) and t.strip() for t in (*raw, *raw.values()))
        ):
            raise RemoteDataError(
                f"{self._product_label} {record.get('id')} has a variant without "
                f"valid options: {raw!r:.80}"
            )
        return {name.strip(): value.strip() for name, value in raw.items()}

    # Shared rows: attributes and their values

    def _attributes(self, names):
        """``{option name: product.attribute}``, created when missing."""
        if self._option_attribute:
            cache = self._chunk_cache("attribute")
            if None not in cache:
                cache[None] = self.env.ref(self._option_attribute)
            return {None: cache[None]}
        found = self._shared_rows(
            "attributes",
            "product.attribute",
            [self._attribute_name % name for name in names],
            {"create_variant": "always"},
        )
        return {name: found[self._attribute_name % name] for name in names}

    def attribute_lines(self, record):
        """``attribute_line_ids`` commands of a new template for ``record``:
        created with its lines, Odoo makes the variants directly instead of
        a plain one to replace."""
        lines = self._line_values(self.variant_values(record))
        return [self._line_command(a, values) for a, values in lines.items()]

    @staticmethod
    def _line_values(variants):
        """``{attribute: its values}`` of ``variants`` (from
        :meth:`variant_values`): the lines their template needs."""
        lines = {}
        for _variant, chosen in variants:
            for attribute, value in chosen.items():
                lines[attribute] = lines.get(attribute, value) | value
        return lines

    @staticmethod
    def _line_command(attribute, values):
        return Command.create(
            {"attribute_id": attribute.id, "value_ids": [Command.set(values.ids)]}
        )

    def _chunk_cache(self, kind):
        """This chunk's ``{key: record}`` of ``kind``: the chunk's
        ``work.chunk_cache`` is shared by the mapper and the importer of every
        record, so a row is searched once per chunk, not twice per record (the
        chunk clears it when it rolls a record back)."""
        cache = getattr(self.work, "chunk_cache", None)
        if cache is None:
            return {}
        return cache.setdefault(f"{self._name}:{kind}", {})

    def _shared_rows(self, kind, model, names, values):
        """``{name: record}`` of ``model`` (by ``name``, with ``values``),
        from this chunk's cache, else found or created (:func:`find_or_create`:
        a race is a retry of the chunk, never a record failure)."""
        known = self._chunk_cache(kind)
        found = {name: known[name] for name in names if name in known}
        missing = [name for name in names if name not in found]
        if missing:
            created = find_or_create(self.env[model], "name", missing, values)
            known.update(created)
            found.update(created)
        return found

    # What Odoo gets

    def _set_lines(self, templates, wanted):
        """Give each template the lines of its variants' values; return
        ``{(template id, attribute id): line}``."""
        lines, created = self._lines(templates), False
        for template, variants in zip(templates, wanted, strict=True):
            missing = []
            for attribute, values in self._line_values(variants).items():
                line = lines.get((template.id, attribute.id))
                if not line:
                    missing.append(self._line_command(attribute, values))
                elif line.value_ids != values:
                    line.value_ids = [Command.set(values.ids)]
            if missing:
                template.write({"attribute_line_ids": missing})
                created = True
        return self._lines(templates) if created else lines

    def _lines(self, templates):
        return {
            (line.product_tmpl_id.id, line.attribute_id.id): line
            for line in templates.attribute_line_ids
        }

    def _products(self, templates):
        """``{(template id, frozenset of ptav ids): product}``, archived
        variants included (an active one wins): a combination that comes back
        gets its product again."""
        found = templates.with_context(active_test=False).product_variant_ids
        return {
            (
                p.product_tmpl_id.id,
                frozenset(p.product_template_attribute_value_ids.ids),
            ): p
            for p in found.sorted("active")
        }

    def _assign_extra(self, record, assigned, combination, extra):
        """Give the first value of ``combination`` the ``extra`` price and
        the others none, in ``assigned`` ``{ptav: extra}``; a value already
        given another extra means prices no option can carry."""
        for index, ptav in enumerate(combination):
            wanted = extra if index == 0 else 0.0
            if assigned.setdefault(ptav, wanted) != wanted:
                raise RemoteDataError(
                    f"{self._product_label} {record.get('id')} has variants "
                    "sharing an option value but not its price: declare one "
                    "option attribute (_option_attribute) for such products"
                )

    def _changes(self, writes, product, variant):
        """Note in ``writes`` ``{(field, value): product ids}`` the SKU and
        barcode of ``product`` that differ from ``variant``'s."""
        for field, key in (
            ("default_code", self._variant_sku_key),
            ("barcode", self._variant_barcode_key),
        ):
            value = (variant.get(key) or False) if key else None
            if key and product[field] != value:
                writes.setdefault((field, value), []).append(product.id)

    def _write(self, templates, kept, extras, writes):
        """Write the prices and codes gathered, unarchive the variants the
        remote has, archive the others."""
        templates = templates.with_context(connector_no_export=True)
        env = templates.env
        Ptav, Product = env["product.template.attribute.value"], env["product.product"]
        for extra, ptav_ids in extras.items():
            Ptav.browse(ptav_ids).write({"price_extra": extra})
        for (field, value), product_ids in writes.items():
            Product.browse(product_ids).write({field: value})
        # Only when there is one to write: product.product's write of
        # ``active`` clears every ormcache of the registry (access rules,
        # defaults, languages...), even for no record, and each of the next
        # events would then read them all again.
        revived = kept.filtered(lambda p: not p.active).with_env(env)
        if revived:
            revived.write({"active": True})
        gone = templates.product_variant_ids - kept
        if gone:
            gone.write({"active": False})

    # Bindings

    def _bindings(self, binder, records):
        """``{external id: binding}`` of ``records``' variants (archived ones
        included), in one search."""
        external_ids = [
            str(v[self._variant_id_key])
            for record in records
            for v in record[self._variants_key]
        ]
        found = binder.model.with_context(active_test=False).search(
            [
                ("backend_id", "=", self.backend_record.id),
                ("external_id", "in", external_ids),
            ]
        )
        return {binding.external_id: binding for binding in found}

    def _bind_variant(self, binder, external_id, product, binding):
        """Point the existing variant ``binding`` at ``product``."""
        if binding.odoo_id != product:
            # The variant's options changed: Odoo made a new product for the
            # new values and archived the old one.
            binding.with_context(connector_no_export=True).odoo_id = product
        binder.bind(external_id, binding)

    def _new_binding(self, binder, external_id, product):
        return {
            "backend_id": self.backend_record.id,
            "odoo_id": product.id,
            **binder._bind_values(external_id, binder.model),
        }


class GenericProductImportMapper(AbstractComponent):
    """A template's mapper: on creation, its option lines at once."""

    _name = "generic.product.import.mapper"
    _inherit = "generic.import.mapper"

    @only_create
    @mapping
    def attribute_line_ids(self, record):
        variants = self.component(usage="variant.importer")
        return {"attribute_line_ids": variants.attribute_lines(record)}

    @only_create
    @mapping
    def detailed_type(self, record):
        # Storable: the platform's inventory levels land in stock.quant.
        return {"detailed_type": "product"}


class GenericProductRecordImporter(AbstractComponent):
    """A template's importer: its variants in the same job."""

    _name = "generic.product.record.importer"
    _inherit = "generic.record.importer"

    # A chunk's updated products get their variants read and written
    # together, as its new ones do (a burst of webhooks, an incremental run).
    _batch_update = True

    #: the record's key holding its stock levels when the remote gives them
    #: with the product (a stock sub-resource): imported right after the
    #: variants by the connector's inventory importer (``run_rows``); None
    #: when stock is a resource of its own
    _levels_key = None

    def _before_update_batch(self, importers):
        # A template's price write finds its variants (to recompute their
        # prices), archived ones included: one read for all, not per write.
        res = super()._before_update_batch(importers)
        bindings = self.model.browse([imp.binding.id for imp in importers])
        templates = bindings.odoo_id.sudo().with_context(active_test=False)
        templates.mapped("product_variant_ids")
        return res

    def _after_import(self, binding):
        self._import_variants_of([(binding, self)])

    def _after_import_batch(self, importers):
        self._import_variants_of([(imp.binding, imp) for imp in importers])

    def _import_variants_of(self, pairs):
        """The variants of the records of ``pairs`` ``[(template binding,
        its record importer)]``, then their stock levels when they come with
        the records (``_levels_key``).

        A record whose variants are those its binding last synced
        (``variants_digest``) and whose template still has them, all bound
        and active, is not synced again unless forced: a price change of a
        product whose variants did not move costs no variant work."""
        variants = self.component(usage="variant.importer")
        items = [(binding, imp.remote_record) for binding, imp in pairs]
        forced = {binding.id for binding, imp in pairs if imp.force}
        todo = variants.changed(items, forced)
        variants.run([(binding.odoo_id, record) for binding, record, _d in todo])
        for binding, _record, digest in todo:
            binding.variants_digest = digest
        self._import_levels(items)

    def _import_levels(self, items):
        """The stock levels of ``items`` ``[(template binding, record)]``
        when they come with the records (``_levels_key``)."""
        if self._levels_key:
            rows = [row for _t, rec in items for row in rec.get(self._levels_key) or []]
            inventory = self.component(
                usage="inventory.importer", model_name="stock.quant"
            )
            inventory.run_rows(rows)
