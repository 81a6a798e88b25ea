# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``GraphQLAdapter``: the adapter interface over a GraphQL API.

Same interface as the REST adapter (``get``, ``iterate_pages``,
``iterate_all``, ``create``, ``update``, ``delete``), so importers, mappers
and jobs do not know which protocol fetched the data. A resource declares::

    _apply_on = "myconnector.product.template"   # the binding model
    _list_query = "query($first: Int, $after: String) { products(...) {...} }"
    _connection_path = "products"            # the Relay connection in data
    _get_query = "query($id: ID!) { product(id: $id) {...} }"
    _get_path = "product"
    _nested = [NestedConnection("product", "variants", "id title sku price")]
    _filter_variables = {"updated_since": "updatedSince"}
    _mutations = {"create": (document, "productCreate.product"), ...}

Records come back *flattened* (``flatten_connections``): connections become
lists and camelCase keys snake_case, the shape the REST API gives, so one
mapper serves both protocols. The usage, ``backend.adapter.graphql``, is set
here, not by the resource: the backend picks it through ``_adapter_usage``
when the resource's protocol is GraphQL. Extension points: ``_variables`` (filters to
query variables), ``_to_record`` (an answer's node to a record).
"""

from odoo.addons.component.core import AbstractComponent

from ..transport import (
    ConfigError,
    NotFoundError,
    complete_connections,
    extract,
    flatten_connections,
    relay_pages,
)


class GraphQLAdapter(AbstractComponent):
    _name = "generic.graphql.adapter"
    _inherit = "generic.adapter"
    _usage = "backend.adapter.graphql"
    _protocol = "graphql"

    _list_query = None
    _connection_path = None
    _get_query = None
    _get_path = None
    _nested = ()
    _filter_variables = {}
    _mutations = {}
    _snake_case = True

    @property
    def graphql(self):
        """The backend's ``GraphQLClient``, built once per component."""
        if not hasattr(self, "_graphql"):
            self._graphql = self.backend_record._graphql_client()
        return self._graphql

    def _variables(self, filters):
        """Query variables for ``filters`` (override per resource)."""
        return {
            self._filter_variables.get(key, key): value
            for key, value in (filters or {}).items()
        }

    def _to_record(self, node):
        return flatten_connections(node, self._snake_case)

    def _complete(self, nodes):
        for nested in self._nested:
            complete_connections(self.graphql, nodes, nested)
        return nodes

    def iterate_pages(self, filters=None):
        backend = self.backend_record
        pages = relay_pages(
            self.graphql,
            self._list_query,
            connection_path=self._connection_path,
            variables=self._variables(filters),
            page_size=backend.page_size or 100,
            size_key=(self.graphql.cost_key, self._name),
        )
        for page in pages:
            page.items = [self._to_record(n) for n in self._complete(page.items)]
            yield page

    def get(self, external_id):
        data = self.graphql.execute(self._get_query, {"id": str(external_id)})
        node = extract(data, self._get_path, default=None)
        if node is None:
            raise NotFoundError(
                f"{self._get_path} {external_id} does not exist on the remote"
            )
        return self._to_record(self._complete([node])[0])

    def _mutate(self, operation, variables):
        if operation not in self._mutations:
            raise ConfigError(f"{self._name} declares no {operation} mutation")
        document, path = self._mutations[operation]
        data = self.graphql.execute(document, variables)
        return self._to_record(extract(data, path))

    def create(self, data):  # pylint: disable=method-required-super
        return self._mutate("create", {"input": data})

    def update(self, external_id, data, expected_version=None):
        variables = {"id": str(external_id), "input": data}
        if expected_version is not None:
            # Declared by the update mutation that supports conditional writes.
            variables["expectedVersion"] = expected_version
        return self._mutate("update", variables)

    def delete(self, external_id):
        self._mutate("delete", {"id": str(external_id)})
        return True
