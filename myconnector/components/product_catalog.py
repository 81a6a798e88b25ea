# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Products' images and categories, imported with the products when the
backend says so (``import_images``, ``import_categories``).

Images: each product's ``image`` lands in its template's ``image_1920``, each
variant's own ``image`` in its variant's ``image_variant_1920`` (a variant
without one shows its template's). The binding keeps the checksum of the
image it holds: an unchanged image is never downloaded again, and costs the
import no query when the record itself is skipped. Downloads go through the
backend's transport (its credentials, timeouts, retries and shared rate
budget) and only to the backend's own host: a URL elsewhere is refused, so a
platform's record cannot make Odoo fetch an internal address (SSRF). A
failed image fails alone: the product imports, the binding says why
(``image_error``), one WARNING is logged, and the next import of the product
tries again, as does a full re-import that skips the product otherwise.

Categories: the platform's tree becomes ``product.category`` rows bound by
remote id (``myconnector.product.category``), read once per chunk when a
product names a category not bound yet; the product's ``categ_id`` follows
its remote ``category_id``. With eCommerce (``website_sale``) installed,
each category also gets a ``product.public.category`` and the product is
put in it; this addon does not depend on eCommerce.
"""

import base64
import logging
from urllib.parse import urljoin

from odoo import Command, _
from odoo.exceptions import UserError

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping
from odoo.addons.connector.database import pg_try_advisory_lock
from odoo.addons.generic_connector.components.core import SharedRowRace
from odoo.addons.generic_connector.exceptions import RemoteDataError
from odoo.addons.generic_connector.shared_state import shared_connection
from odoo.addons.generic_connector.transport import TransportError
from odoo.addons.generic_connector.transport.client import origin_of

_logger = logging.getLogger(__name__)

VARIANT_MODEL = "myconnector.product.product"
CATEGORY_MODEL = "myconnector.product.category"
PUBLIC_CATEGORY = "product.public.category"
#: the largest image imported (Odoo resizes it; the platform's are small)
MAX_IMAGE_BYTES = 10 * 1024 * 1024


def _remote_id(value):
    """``value`` as an external id (text), or None when it is no id."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    return str(value).strip() or None


class CategoryAdapter(Component):
    _name = "myconnector.product.category.adapter"
    _inherit = ["generic.rest.adapter", "myconnector.base"]
    _apply_on = CATEGORY_MODEL

    _resource_path = "/api/v1/categories"
    _items_path = "data.items"
    _total_path = "data.total"
    _record_path = "data"


class ProductCategoryImporter(Component):
    """``{remote category id: binding}``, the tree read from the platform
    (parents first) when an id is not bound yet."""

    _name = "myconnector.product.category.importer"
    _inherit = "myconnector.base"
    _apply_on = "myconnector.product.template"
    _usage = "category.importer"

    def prefetch(self, records):
        """Bind the categories of a chunk's ``records`` in one search (and
        at most one read of the tree)."""
        self.categories(
            {
                _remote_id(r.get("category_id"))
                for r in records
                if isinstance(r, dict) and _remote_id(r.get("category_id"))
            }
        )

    def category(self, remote_id):
        """The binding of the remote category ``remote_id`` (empty when the
        platform has no such category)."""
        external_id = _remote_id(remote_id)
        if external_id is None:
            return self.env[CATEGORY_MODEL]
        return self.categories({external_id})[external_id]

    def categories(self, external_ids):
        """``{external id: binding}``, from this chunk's cache, else searched,
        else imported with the tree; an id the tree lacks maps to an empty
        binding (remembered, so it is not read again in the chunk)."""
        cache = self._cache()
        missing = [i for i in external_ids if i not in cache]
        if missing:
            cache.update(self._bound(missing))
            if any(i not in cache for i in missing):
                self._import_tree()
                cache.update(self._bound([i for i in missing if i not in cache]))
            for external_id in missing:
                cache.setdefault(external_id, self.env[CATEGORY_MODEL])
        return {i: cache[i] for i in external_ids}

    def _cache(self):
        chunk = getattr(self.work, "chunk_cache", None)
        if chunk is None:
            return {}
        return chunk.setdefault(f"{self._name}:bound", {})

    def _bound(self, external_ids):
        found = self.env[CATEGORY_MODEL].search(
            [
                ("backend_id", "=", self.backend_record.id),
                ("external_id", "in", list(external_ids)),
            ]
        )
        return {b.external_id: b for b in found}

    def _import_tree(self):
        """Make the platform's categories, parents first; rename and move
        those already bound."""
        adapter = self.component(usage="backend.adapter", model_name=CATEGORY_MODEL)
        remote = {}
        for row in adapter.iterate_all():
            external_id = _remote_id(row.get("id")) if isinstance(row, dict) else None
            name = row.get("name") if external_id else None
            if not isinstance(name, str) or not name.strip():
                _logger.warning("MyConnector category skipped: %.120r", row)
                continue
            remote[external_id] = (name.strip(), _remote_id(row.get("parent_id")))
        bound = self._bound(remote)
        self._claim([i for i in remote if i not in bound])
        while remote:
            ready = [
                i for i, (_n, parent) in remote.items() if parent not in remote
            ] or [next(iter(remote))]  # a cycle: its first category is a root
            for external_id in ready:
                name, parent = remote.pop(external_id)
                self._write(bound, external_id, name, bound.get(parent))
        if PUBLIC_CATEGORY in self.env:
            self._public_categories(bound)

    def _claim(self, new_ids):
        """Make sure no other job is creating this backend's new categories
        (see ``find_or_create``): else this job is retried, never failed."""
        if not new_ids:
            return
        backend = self.backend_record
        if not pg_try_advisory_lock(
            self.env, f"shared_row({CATEGORY_MODEL},{backend.id})"
        ):
            raise SharedRowRace("MyConnector categories are being created")
        code, params = (
            self.env[CATEGORY_MODEL]
            ._search([("backend_id", "=", backend.id), ("external_id", "in", new_ids)])
            .select()
        )
        with shared_connection(self.env.cr.dbname).cursor() as cr:
            cr.execute(f"SELECT EXISTS({code})", params)
            if cr.fetchone()[0]:
                raise SharedRowRace("MyConnector categories created by another job")

    def _write(self, bound, external_id, name, parent):
        parent_id = parent.odoo_id.id if parent else False
        binding = bound.get(external_id)
        if not binding:
            bound[external_id] = self.env[CATEGORY_MODEL].create(
                {
                    "backend_id": self.backend_record.id,
                    "external_id": external_id,
                    "name": name,
                    "parent_id": parent_id,
                }
            )
        elif binding.name != name or binding.parent_id.id != parent_id:
            binding.odoo_id.write({"name": name, "parent_id": parent_id})

    def _public_categories(self, bound):
        """An eCommerce category per category, under its parent's."""
        Public = self.env[PUBLIC_CATEGORY]
        by_category = {b.odoo_id.id: b for b in bound.values()}
        for binding in sorted(bound.values(), key=lambda b: b.parent_path or ""):
            parent = by_category.get(binding.parent_id.id)
            values = {
                "name": binding.name,
                "parent_id": parent.public_category_ref if parent else False,
            }
            public = Public.browse(binding.public_category_ref).exists()
            if not public:
                binding.public_category_ref = Public.create(values).id
            elif (
                public.name != values["name"]
                or public.parent_id.id != (values["parent_id"])
            ):
                public.write(values)


class ProductCategoryMapper(Component):
    """A product's category: its remote ``category_id``'s binding."""

    _inherit = "myconnector.product.import.mapper"

    @mapping
    def categ_id(self, record):
        if not self.backend_record.import_categories:
            return {}
        importer = self.component(usage="category.importer")
        category = importer.category(record.get("category_id"))
        if not category:
            return {}
        values = {"categ_id": category.odoo_id.id}
        if category.public_category_ref and PUBLIC_CATEGORY in self.env:
            values["public_categ_ids"] = [Command.set([category.public_category_ref])]
        return values


class ProductImageImporter(Component):
    """Bring each product's and variant's image when its checksum changed
    (usage ``image.importer``, ``run([(template binding, record)])``)."""

    _name = "myconnector.product.image.importer"
    _inherit = "myconnector.base"
    _apply_on = "myconnector.product.template"
    _usage = "image.importer"

    def run(self, items):
        if not items or not self.backend_record.import_images:
            return
        variants = self._variant_bindings(items)
        # A record without the key (another protocol's, which has no images)
        # leaves the image as it is; a null one removes it.
        for binding, record in items:
            failed = []
            if "image" in record:
                failed.append(
                    self._sync(binding, "image_1920", record["image"], "product")
                )
            for variant in record.get("variants") or []:
                if isinstance(variant, dict) and "image" in variant:
                    found = variants.get(_remote_id(variant.get("id")))
                    if found:
                        failed.append(
                            self._sync(
                                found, "image_variant_1920", variant["image"], "variant"
                            )
                        )
            # The product's binding tells every image of it that failed (a
            # failed image is tried again by each import of the product: its
            # checksum was not kept), so a skipped product shows it too.
            reasons = "\n".join(filter(None, failed)) or False
            if (binding.image_error or False) != reasons:
                binding.with_context(connector_no_export=True).image_error = reasons

    def _variant_bindings(self, items):
        external_ids = [
            _remote_id(v.get("id"))
            for _binding, record in items
            for v in record.get("variants") or []
            if isinstance(v, dict)
        ]
        found = (
            self.env[VARIANT_MODEL]
            .with_context(active_test=False)
            .search(
                [
                    ("backend_id", "=", self.backend_record.id),
                    ("external_id", "in", [i for i in external_ids if i]),
                ]
            )
        )
        return {b.external_id: b for b in found}

    def _sync(self, binding, field, image, label):
        """Give ``binding``'s record the remote ``image`` unless it has it
        (same checksum, or the URL when the platform gives no checksum);
        return why it failed, else None."""
        image = image if isinstance(image, dict) else None
        key = image and (image.get("checksum") or image.get("url")) or False
        if (binding.image_checksum or False) == key:
            return None
        binding = binding.with_context(connector_no_export=True)
        record = binding.odoo_id
        if not image:
            record.write({field: False})
            binding.write({"image_checksum": False, "image_error": False})
            return None
        try:
            content = self._download(image.get("url"))
            with self.env.cr.savepoint():
                record.write({field: base64.b64encode(content)})
        except (TransportError, RemoteDataError, UserError, ValueError) as err:
            reason = _(
                "Image of MyConnector %(label)s %(id)s (%(url).200s) not "
                "imported: %(error).300s",
                label=label,
                id=binding.external_id,
                url=image.get("url"),
                error=err,
            )
            _logger.warning("%s", reason)
            binding.write({"image_checksum": False, "image_error": reason})
            return reason
        binding.write({"image_checksum": key, "image_error": False})
        return None

    def _download(self, url):
        """The image at ``url`` (on the backend's host), through the
        backend's transport."""
        if not isinstance(url, str) or not url.strip():
            raise RemoteDataError(f"no image URL ({url!r:.80})")
        if not hasattr(self, "_client"):
            self._client = self.backend_record._transport_client()
        client = self._client
        absolute = urljoin(client.base_url + "/", url.strip())
        if origin_of(absolute) != client.origin:
            host = origin_of(absolute)[1] or absolute
            raise RemoteDataError(
                f"refused: {host} is not the backend's host ({client.base_url})"
            )
        response = client.request("GET", absolute, headers={"Accept": "image/*"})
        kind = response.headers.get("Content-Type", "")
        if not kind.startswith("image/"):
            raise RemoteDataError(f"not an image (content type {kind or 'unset'})")
        if len(response.content) > MAX_IMAGE_BYTES:
            raise RemoteDataError(
                f"{len(response.content)} bytes, more than {MAX_IMAGE_BYTES}"
            )
        return response.content


class ProductCatalogRecordImporter(Component):
    """The product importer, with the images after the variants and the
    chunk's categories bound before its records are mapped."""

    _inherit = "myconnector.product.record.importer"

    def _prefetch_chunk(self, records):
        res = super()._prefetch_chunk(records)
        if self.backend_record.import_categories:
            self.component(usage="category.importer").prefetch(records)
        return res

    def _prepare(self, external_id, data=None, force=False):
        map_record = super()._prepare(external_id, data=data, force=force)
        if map_record is None and not self.planning and self.binding.image_error:
            # Skipped (not newer), but an image of it failed last time: try
            # again, so a full re-import repairs what a flaky download broke.
            self.component(usage="image.importer").run(
                [(self.binding, self.remote_record)]
            )
        return map_record

    def _update(self, binding, values):
        # Writing a product's category costs Odoo about six queries even
        # when it does not change: write it only when it does.
        if "categ_id" in values and binding.categ_id.id == values["categ_id"]:
            values = {k: v for k, v in values.items() if k != "categ_id"}
        return super()._update(binding, values)

    def _after_import(self, binding):
        res = super()._after_import(binding)
        self.component(usage="image.importer").run([(binding, self.remote_record)])
        return res

    def _after_import_batch(self, importers):
        res = super()._after_import_batch(importers)
        self.component(usage="image.importer").run(
            [(imp.binding, imp.remote_record) for imp in importers]
        )
        return res
