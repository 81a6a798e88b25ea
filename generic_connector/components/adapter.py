# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Adapters: CRUD on one remote resource, with no transport code to write.

``GenericAdapter`` (usage ``backend.adapter``) is the interface every
synchroniser talks to: ``get``, ``list``, ``iterate_pages``, ``iterate_all``,
``create``, ``update``, ``delete``. It builds its HTTP client
from ``self.backend_record`` (pooled session, timeouts, auth, retry policy).
``RESTAdapter`` implements it over a JSON REST resource; a developer adds a
resource by subclassing and declaring::

    _resource_path = "/api/v1/products"   # the collection URL, as the remote
                                          # spells it (a trailing slash stays)
    _pagination = "offset"                # offset | cursor | link | next_link
                                          # | drf (count/next, page_size)
    _items_path = "data.items"            # the list inside a page's envelope
    _total_path = "data.total"            # the announced total, if any
    _next_link_path = "next"              # next_link: the next page's URL
    _record_path = "data"                 # one record inside its envelope
    _precondition = "if_match"            # or if_unmodified_since (updates)
    _list_returns = "stubs"               # lists hold ids: read each detail
    _sub_resources = {"prices": "products/{id}/price/"}  # fetched with it
    _concurrency = 4                      # calls in flight per chunk, at most

The last three are for APIs that give a record in pieces: a chunk job
completes its records (``complete_records``) with at most ``_concurrency``
calls in flight, all through the backend's session and shared rate budget,
and ``get`` returns the same whole record. A record gone meanwhile (404) is
left out of the chunk and archived.

A resource the remote serves as a bulk export too (start, poll, download
one JSON Lines file: Shopify's bulk operations) declares it, and a first load
or a *Full re-import* reads that file instead of the pages (see
``GenericBatchImporter``), on a backend that ticks *Use bulk export for full
loads*::

    _bulk_path = "/api/v1/bulk_operations"  # where operations are started
    _bulk_resource = "products"             # the resource, as the remote
                                            # names it in its bulk API

``iterate_bulk`` gives the file's records as pages of ``page_size``
records, streamed (one chunk of the file in memory), with the object count
the remote announced as their ``total``: a file cut short makes the run
partial, like a short walk.

A walk never ends early without saying so: an offset walk does not stop on a
short page (the remote may cap the page size), and when ``_total_path`` is
declared, a walk that fetched less than the announced total is told to the
run, which ends *partial* (see ``GenericBatchImporter``).
"""

from odoo.addons.component.core import AbstractComponent

from ..transport import (
    BulkExport,
    CursorPagination,
    LinkHeaderPagination,
    NextLinkPagination,
    NotFoundError,
    OffsetPagination,
    RecordShape,
    bulk_pages,
    drf_pagination,
    extract,
    paginate,
)

_BULK_ADVICE = (
    'untick "Use bulk export for full loads" on the backend to read the '
    "records page by page instead"
)


class GenericAdapter(AbstractComponent):
    _name = "generic.adapter"
    _inherit = ["base.backend.adapter", "generic.base"]
    _usage = "backend.adapter"

    _resource_path = None
    _id_field = "id"
    #: the resource as the remote's bulk export names it; None: the adapter
    #: reads no bulk export
    _bulk_resource = None
    #: the protocol the adapter speaks, shown on sync runs (rest, graphql, soap)
    _protocol = None

    @property
    def client(self):
        """The backend's HTTP client, built once per component."""
        if not hasattr(self, "_client"):
            self._client = self.backend_record._transport_client()
        return self._client

    def get(self, external_id):
        """One remote record as a dict."""
        raise NotImplementedError

    def get_many(self, external_ids):
        """``(records, missing ids)``: the remote records ``external_ids``
        (what ``get`` returns, in that order), those the remote no longer
        has apart. One ``get`` after the other; an adapter that can read
        several at once overrides it (the REST adapter keeps a few calls in
        flight). Any other error is raised."""
        records, missing = [], []
        for external_id in external_ids:
            try:
                records.append(self.get(external_id))
            except NotFoundError:
                missing.append(external_id)
        return records, missing

    def create(self, data):  # pylint: disable=method-required-super
        """Create a remote record from ``data``; return it as a dict."""
        raise NotImplementedError

    def update(self, external_id, data, expected_version=None):
        """Change a remote record; return it as a dict.

        ``expected_version`` is the remote ``updated_at`` the change is based
        on: when given, the remote refuses the change (``ConflictError``, 412)
        if the record changed since. ``None`` overwrites unconditionally.
        """
        raise NotImplementedError

    def delete(self, external_id):
        """Delete a remote record."""
        raise NotImplementedError

    def iterate_pages(self, filters=None):
        """Lazy iterator of pages (``transport.Page``) of the resource."""
        raise NotImplementedError

    def supports_bulk(self):
        """Whether ``iterate_bulk`` reads a bulk export of the resource."""
        return False

    def iterate_bulk(self):
        """Lazy iterator of pages (``transport.Page``) of every remote
        record, read from one bulk export file rather than from the list
        pages (only when ``supports_bulk``); each page's ``total`` is the
        count the remote announced for the whole file."""
        raise NotImplementedError

    def iterate_all(self, filters=None):
        """Lazy iterator of every remote record matching ``filters``."""
        for page in self.iterate_pages(filters):
            yield from page.items

    def complete_records(self, records):
        """``(records, missing ids)``: the listed ``records`` of a chunk made
        whole, the ids of those the remote no longer has apart. Listed
        records are whole unless the adapter declares otherwise."""
        return list(records), []

    def list(self, filters=None):
        """External ids of the remote records matching ``filters``."""
        return [record[self._id_field] for record in self.iterate_all(filters)]

    def list_versions(self):
        """Lazy iterator of pages (``transport.Page``) of every remote
        record, as cheaply as the remote lists them, for a reconcile: each
        item carries the id and, when the list gives them, ``updated_at``
        and the record's content. The list walk with no filter by default;
        override for a remote with a cheaper listing (ids and versions)."""
        return self.iterate_pages()

    def lists_whole_records(self):
        """Whether ``list_versions`` items are whole records (what ``get``
        returns): a reconcile then compares their content with no read of
        its own."""
        return True


class RESTAdapter(AbstractComponent):
    _name = "generic.rest.adapter"
    _inherit = "generic.adapter"

    _protocol = "rest"
    _pagination = "offset"
    _items_path = "data.items"
    _record_path = "data"
    #: where a page's envelope announces the collection's total; None when
    #: the remote does not (a short walk then goes unnoticed)
    _total_path = None
    _next_cursor_path = "data.next_cursor"
    #: where the body holds the next page's URL (``_pagination = "next_link"``):
    #: ``next`` (Django REST framework), ``links.next`` (JSON:API),
    #: ``_links.next.href`` (HAL)
    _next_link_path = "next"
    _precondition = "if_match"
    #: "records" when a list page holds whole records, "stubs" when it holds
    #: ids only and each record is read from its detail URL
    _list_returns = "records"
    #: ``{key: path template}``: parts of a record the remote serves at URLs
    #: of their own (``{id}`` is the record's id), stored under ``key``
    _sub_resources = {}
    #: the most calls in flight while a chunk's records are completed
    _concurrency = 4

    def _record_url(self, external_id):
        """The URL of one record, shaped like the collection's: a remote whose
        routes end with a slash (``/products/``) answers a path without it
        with a redirect, a second call for a read and a refusal for a write."""
        path = self._resource_path
        if path.endswith("/"):
            return f"{path}{external_id}/"
        return f"{path}/{external_id}"

    def _pagination_style(self):
        size = self.backend_record.page_size or 100
        total = self._total_path
        if self._pagination == "cursor":
            return CursorPagination(
                next_cursor_path=self._next_cursor_path,
                page_size=size,
                total_path=total,
            )
        if self._pagination == "link":
            return LinkHeaderPagination(page_size=size, total_path=total)
        if self._pagination == "drf":
            return drf_pagination(page_size=size)
        if self._pagination == "next_link":
            return NextLinkPagination(
                self._next_link_path, page_size=size, total_path=total
            )
        return OffsetPagination(page_size=size, total_path=total)

    def _query(self, filters):
        """Remote query parameters for ``filters`` (override per resource)."""
        return dict(filters or {})

    def _record_shape(self, listed=False):
        """The :class:`RecordShape` of a record: read from its detail URL,
        unless it comes from a list page of whole records (``listed``)."""
        stubs = self._list_returns == "stubs"
        return RecordShape(
            detail=self._record_url("{id}") if stubs or not listed else None,
            sub_resources=self._sub_resources,
            workers=self._concurrency,
            record_path=self._record_path,
            id_field=self._id_field,
        )

    def _to_record(self, record):
        """A whole remote record as the importers read it: the record as
        the remote gave it, unless the adapter reshapes it (a product with
        no variants made its own one variant, prices read at a sub-resource
        joined to their variants), so that the declared importers can read
        it. Applies to every whole record: ``get`` and chunks alike."""
        return record

    def get(self, external_id):
        if self._sub_resources:
            return self._to_record(self._record_shape().fetch(self.client, external_id))
        payload = self.client.request_json("GET", self._record_url(external_id))
        return self._to_record(extract(payload, self._record_path))

    def get_many(self, external_ids):
        # The records' detail URLs, ``_concurrency`` calls in flight.
        stubs = [{self._id_field: external_id} for external_id in external_ids]
        records, missing = self._record_shape().complete(self.client, stubs)
        return [self._to_record(record) for record in records], missing

    def complete_records(self, records):
        records, missing = self._record_shape(listed=True).complete(
            self.client, records
        )
        return [self._to_record(record) for record in records], missing

    def lists_whole_records(self):
        return self._list_returns == "records" and not self._sub_resources

    def iterate_pages(self, filters=None):
        return paginate(
            self.client,
            self._resource_path,
            style=self._pagination_style(),
            items_path=self._items_path,
            params=self._query(filters),
        )

    #: where the remote starts bulk exports (``_bulk_resource`` names the
    #: resource there); None: no bulk export
    _bulk_path = None

    def supports_bulk(self):
        return bool(self._bulk_path and self._bulk_resource)

    def iterate_bulk(self):
        return bulk_pages(
            self.client,
            self._bulk_resource,
            page_size=self.backend_record.page_size or 100,
            export=self._bulk_export(),
        )

    def _bulk_export(self):
        """The :class:`~..transport.BulkExport` of this remote: its path,
        and what to tell an admin when an export fails or takes too long."""
        return BulkExport(
            operations_path=self._bulk_path,
            advice=_BULK_ADVICE,
        )

    def create(self, data):  # pylint: disable=method-required-super
        payload = self.client.request_json("POST", self._resource_path, json=data)
        return extract(payload, self._record_path)

    def update(self, external_id, data, expected_version=None):
        payload = self.client.request_json(
            "PATCH",
            self._record_url(external_id),
            json=data,
            headers=self._precondition_headers(expected_version),
        )
        return extract(payload, self._record_path)

    def _precondition_headers(self, expected_version):
        """The conditional-request headers of a write based on
        ``expected_version``: ``If-Match`` on the ETag the platform derives
        from ``updated_at`` (``_precondition = "if_match"``), or
        ``If-Unmodified-Since`` with the timestamp itself."""
        if not expected_version:
            return None
        if self._precondition == "if_unmodified_since":
            return {"If-Unmodified-Since": expected_version}
        return {"If-Match": f'"{expected_version}"'}

    def delete(self, external_id):
        self.client.request("DELETE", self._record_url(external_id))
        return True
