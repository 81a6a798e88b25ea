# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``SOAPAdapter``: the adapter interface over a SOAP service (zeep).

The backend's ``SoapClient`` (``_soap_client``) runs on its pooled session,
with its auth and timeouts, the WSDL parsed once per process. A resource
declares its operations and where the records are in their results::

    _usage = "backend.adapter.soap"      # chosen by the backend
    _get_operation = ("GetProduct", "id")       # operation, id argument
    _list_operation = "GetProducts"              # paged by page/pageSize
    _items_path = "products"                     # records in a page's result
    _total_path = "total"
    _operations = {"create": "CreateProduct", "update": "UpdateProduct"}
    _idempotent = {"GetProduct", "GetProducts"}  # retried on transient errors

Results are plain dicts (``serialize_object``). Extension points:
``_to_record`` (a result to the record shape the mapper expects),
``_arguments`` (filters to operation arguments; by default those named in
``_filter_arguments``, the others are not sent since the operation would
refuse them) and ``call`` for operations that are not CRUD.
"""

from odoo.addons.component.core import AbstractComponent

from ..transport import ConfigError, FatalError, Page, extract


class SOAPAdapter(AbstractComponent):
    _name = "generic.soap.adapter"
    _inherit = "generic.adapter"
    _usage = "backend.adapter.soap"
    _protocol = "soap"

    _get_operation = None
    _list_operation = None
    _page_argument = "page"
    _size_argument = "pageSize"
    _items_path = None
    _total_path = None
    _filter_arguments = {}
    _operations = {}
    _idempotent = frozenset()

    @property
    def soap(self):
        """The backend's ``SoapClient``, built once per component."""
        if not hasattr(self, "_soap"):
            self._soap = self.backend_record._soap_client()
        return self._soap

    def call(self, operation, **arguments):
        """Run ``operation``; retried on transient errors only if declared
        idempotent in ``_idempotent``."""
        return self.soap.call(
            operation, idempotent=operation in self._idempotent, **arguments
        )

    def _to_record(self, result):
        return result

    def _arguments(self, filters):
        return {
            self._filter_arguments[key]: value
            for key, value in (filters or {}).items()
            if key in self._filter_arguments
        }

    def get(self, external_id):
        if not self._get_operation:
            raise ConfigError(f"{self._name} declares no get operation")
        operation, argument = self._get_operation
        return self._to_record(self.call(operation, **{argument: external_id}))

    def iterate_pages(self, filters=None):
        if not self._list_operation:
            raise ConfigError(f"{self._name} declares no list operation")
        size = self.backend_record.page_size or 100
        fetched, number = 0, 1
        while True:
            result = self.call(
                self._list_operation,
                **{self._page_argument: number, self._size_argument: size},
                **self._arguments(filters),
            )
            # An empty SOAP array comes back as None, not as an empty list.
            items = extract(result, self._items_path, None) or []
            if not isinstance(items, list):
                raise FatalError(f"{self._items_path!r} is not a list in the result")
            fetched += len(items)
            total = (
                extract(result, self._total_path, None) if self._total_path else None
            )
            total = int(total) if total is not None else None
            yield Page(
                items=[self._to_record(i) for i in items],
                response=None,
                payload=result,
                number=number,
                fetched=fetched,
                total=total,
            )
            if not items or (total is not None and fetched >= total):
                return
            if total is None and len(items) < size:
                return
            number += 1

    def _operation(self, name):
        if name not in self._operations:
            raise ConfigError(f"{self._name} declares no {name} operation")
        return self._operations[name]

    def create(self, data):  # pylint: disable=method-required-super
        return self._to_record(self.call(self._operation("create"), **data))

    def update(self, external_id, data, expected_version=None):
        if expected_version is not None:
            # An argument of the update operation that supports it.
            data = dict(data, expected_version=expected_version)
        return self._to_record(
            self.call(self._operation("update"), id=external_id, **data)
        )

    def delete(self, external_id):
        self.call(self._operation("delete"), id=external_id)
        return True
