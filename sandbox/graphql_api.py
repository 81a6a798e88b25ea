"""GraphQL endpoint (graphql-core 3) with Shopify-style query cost and throttling.

Cost model (Shopify's, simplified): scalars cost 0, an object field 1 plus its
children, a connection 2 plus, per node, the cost of what is selected on its
edges; ``pageInfo`` is free. The *requested* cost multiplies by ``first``; the
*actual* cost walks the returned data, so it counts the nodes really sent.
The requested cost is taken from a leaky bucket per credential before
execution (a query that does not fit is refused with ``THROTTLED`` and not
run) and the difference is refunded afterwards.

Field names are camelCase in the schema and snake_case in the store records;
one default resolver maps between them.
"""

from __future__ import annotations

import base64
import binascii
import re
from bisect import bisect_right
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    build_schema,
    execute,
    get_named_type,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution.values import get_argument_values, get_variable_values

from .errors import ApiError
from .util import dumps

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

    from .app import SandboxApp
    from .auth import Principal

SDL = """
type Query {
  products(first: Int = 50, after: String, updatedSince: String): ProductConnection!
  product(id: ID!): Product
  customers(first: Int = 50, after: String, updatedSince: String): CustomerConnection!
  customer(id: ID!): Customer
  orders(first: Int = 50, after: String, updatedSince: String): OrderConnection!
  order(id: ID!): Order
}

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

type Product {
  id: ID!
  title: String!
  "Nullable: a failure loading it yields an error for this field only."
  description: String
  sku: String!
  price: String!
  currency: String!
  status: String!
  createdAt: String!
  updatedAt: String!
  variants(first: Int = 50, after: String): VariantConnection!
}

type Variant {
  id: ID!
  title: String!
  sku: String!
  price: String!
  stock: Int!
}

type Customer {
  id: ID!
  email: String!
  firstName: String
  lastName: String
  phone: String
  addresses: [Address!]!
  createdAt: String!
  updatedAt: String!
}

type Address {
  id: ID!
  address1: String
  address2: String
  city: String
  province: String
  zip: String
  countryCode: String
  default: Boolean
}

type Order {
  id: ID!
  number: String!
  customerId: ID!
  status: String!
  currency: String!
  total: String!
  lines: [OrderLine!]!
  createdAt: String!
  updatedAt: String!
}

type OrderLine {
  id: ID!
  productId: ID!
  variantId: ID!
  sku: String!
  quantity: Int!
  price: String!
}

type ProductEdge { node: Product! cursor: String! }
type ProductConnection { edges: [ProductEdge!]! pageInfo: PageInfo! totalCount: Int! }
type VariantEdge { node: Variant! cursor: String! }
type VariantConnection { edges: [VariantEdge!]! pageInfo: PageInfo! totalCount: Int! }
type CustomerEdge { node: Customer! cursor: String! }
type CustomerConnection { edges: [CustomerEdge!]! pageInfo: PageInfo! totalCount: Int! }
type OrderEdge { node: Order! cursor: String! }
type OrderConnection { edges: [OrderEdge!]! pageInfo: PageInfo! totalCount: Int! }
"""

MAX_FIRST = 250
_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")
_snake_cache: dict[str, str] = {}


def _snake_resolver(source: Any, info: Any, **_args: Any) -> Any:
    name = info.field_name
    key = _snake_cache.get(name)
    if key is None:
        key = _snake_cache[name] = _SNAKE.sub("_", name).lower()
    if isinstance(source, Mapping):
        return source.get(key)
    return getattr(source, key, None)


def _encode(kind: str, key: int) -> str:
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


def _decode(kind: str, cursor: str) -> int:
    try:
        prefix, _, key = base64.b64decode(cursor, validate=True).decode().partition(":")
        if prefix != kind:
            raise ValueError(prefix)
        return int(key)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise GraphQLError(f"Invalid cursor {cursor!r}") from exc


def _connection(kind: str, keys: list[int], nodes: Any, first: int, after: str | None):
    if first is None or not 0 <= first <= MAX_FIRST:
        raise GraphQLError(f"first must be between 0 and {MAX_FIRST}")
    start = bisect_right(keys, _decode(kind, after)) if after else 0
    chosen = keys[start : start + first]
    edges = [{"node": nodes(k), "cursor": _encode(kind, k)} for k in chosen]
    # snake_case keys: the default resolver maps pageInfo -> page_info.
    return {
        "edges": edges,
        "page_info": {
            "has_next_page": start + first < len(keys),
            "has_previous_page": start > 0,
            "start_cursor": edges[0]["cursor"] if edges else None,
            "end_cursor": edges[-1]["cursor"] if edges else None,
        },
        "total_count": len(keys),
    }


class GraphQLApi:
    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.store = app.store
        self.schema: GraphQLSchema = build_schema(SDL)
        query = self.schema.query_type
        assert query is not None
        for name in ("products", "customers", "orders"):
            query.fields[name].resolve = self._list_resolver(name)
            query.fields[name[:-1]].resolve = self._one_resolver(name)
        product = self.schema.get_type("Product")
        assert isinstance(product, GraphQLObjectType)
        product.fields["variants"].resolve = self._variants
        product.fields["description"].resolve = self._description

    # -- resolvers -------------------------------------------------------

    def _list_resolver(self, name: str):
        collection = self.store.collection(name)
        kind = name[:-1].capitalize()

        def resolve(_root, _info, first=50, after=None, updatedSince=None):  # noqa: N803
            from .util import parse_iso

            since = None
            if updatedSince:
                try:
                    since = parse_iso(updatedSince)
                except ValueError as exc:
                    raise GraphQLError(
                        "updatedSince must be an ISO 8601 date-time"
                    ) from exc
            with self.store.lock:
                keys = collection.select(since)
                return _connection(
                    kind, keys, collection.records.__getitem__, first, after
                )

        return resolve

    def _one_resolver(self, name: str):
        collection = self.store.collection(name)

        def resolve(_root, _info, id):  # noqa: A002 - the GraphQL argument name
            try:
                key = int(id)
            except ValueError:
                return None
            return collection.records.get(key)

        return resolve

    @staticmethod
    def _variants(product, _info, first=50, after=None):
        variants = {v["id"]: v for v in product["variants"]}
        return _connection(
            "Variant", sorted(variants), variants.__getitem__, first, after
        )

    def _description(self, product, info):
        knobs = info.context["faults"]
        if product["id"] in knobs.get("field_error_ids", ()) or self.app.faults.roll(
            knobs, "field_error_rate"
        ):
            raise GraphQLError(
                f"Could not load the description of product {product['id']}"
            )
        return product["description"]

    # -- HTTP ------------------------------------------------------------

    def handle(
        self, request: Request, principal: Principal, knobs: dict[str, Any]
    ) -> str:
        payload = self._payload(request)
        query = payload.get("query")
        if not isinstance(query, str) or not query.strip():
            raise ApiError(400, "Missing GraphQL query", {"query": ["is required"]})
        variables = payload.get("variables") or {}
        if not isinstance(variables, dict):
            raise ApiError(400, "variables must be an object")
        operation_name = payload.get("operationName")
        bucket = self.app.bucket
        try:
            document = parse(query)
        except GraphQLError as exc:
            return dumps({"errors": [exc.formatted]})
        errors = validate(self.schema, document)
        if errors:
            return dumps({"errors": [e.formatted for e in errors]})
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return dumps({"errors": [{"message": "Unknown or ambiguous operation"}]})
        coerced = get_variable_values(
            self.schema, operation.variable_definitions or (), variables
        )
        requested = (
            query_cost(self.schema, document, operation, coerced)
            if isinstance(coerced, dict)
            else 0
        )
        cost: dict[str, Any] = {
            "requestedQueryCost": requested,
            "actualQueryCost": None,
        }
        if requested > bucket.size:
            state = bucket.refund(principal.rate_key, 0)
            cost["throttleStatus"] = state.as_dict()
            return dumps(
                {
                    "errors": [
                        {
                            "message": f"Query cost {requested} exceeds the "
                            f"single query max cost limit ({int(bucket.size)}).",
                            "extensions": {
                                "code": "MAX_COST_EXCEEDED",
                                "cost": requested,
                            },
                        }
                    ],
                    "extensions": {"cost": cost},
                }
            )
        allowed, state = bucket.take(principal.rate_key, requested)
        if not allowed:
            cost["throttleStatus"] = state.as_dict()
            return dumps(
                {
                    "errors": [
                        {
                            "message": "Throttled",
                            "extensions": {
                                "code": "THROTTLED",
                                "documentation": "Wait for the bucket to refill "
                                "(throttleStatus.restoreRate points per second).",
                            },
                        }
                    ],
                    "extensions": {"cost": cost},
                }
            )
        result = execute(
            self.schema,
            document,
            variable_values=variables,
            operation_name=operation_name,
            context_value={"faults": knobs, "principal": principal},
            field_resolver=_snake_resolver,
        )
        actual = (
            query_cost(
                self.schema, document, operation, coerced, result.data, actual=True
            )
            if isinstance(coerced, dict)
            else 0
        )
        state = bucket.refund(principal.rate_key, requested - actual)
        cost["actualQueryCost"] = actual
        cost["throttleStatus"] = state.as_dict()
        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        body["data"] = result.data
        body["extensions"] = {"cost": cost}
        return dumps(body)

    @staticmethod
    def _payload(request: Request) -> dict[str, Any]:
        from .rest import read_json

        if request.method == "GET":
            return {"query": request.args.get("query"), "operationName": None}
        payload = read_json(request)
        if not isinstance(payload, dict):
            raise ApiError(400, "Request body must be a JSON object")
        return payload


# -- cost ----------------------------------------------------------------


def query_cost(
    schema: GraphQLSchema,
    document: Any,
    operation: OperationDefinitionNode,
    variables: dict[str, Any],
    data: Any = None,
    actual: bool = False,
) -> int:
    """Requested cost, or with ``actual`` the cost of what ``data`` holds."""
    fragments = {
        d.name.value: d
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    root = schema.get_root_type(operation.operation)
    walker = _CostWalker(schema, fragments, variables, actual)
    return walker.selection(operation.selection_set, root, data)


class _CostWalker:
    def __init__(self, schema, fragments, variables, actual: bool) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.actual = actual

    def _fields(self, selection_set, parent: GraphQLNamedType):
        """Flatten fragments: yield (field node, its parent type)."""
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                target = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                yield from self._fields(selection.selection_set, target)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    yield from self._fields(fragment.selection_set, target)

    def selection(self, selection_set, parent, data) -> int:
        total = 0
        for node, owner in self._fields(selection_set, parent):
            name = node.name.value
            if name.startswith("__") or not isinstance(owner, GraphQLObjectType):
                continue
            field = owner.fields[name]
            named = get_named_type(field.type)
            if not isinstance(named, GraphQLObjectType) or named.name == "PageInfo":
                continue
            key = node.alias.value if node.alias else name
            value = data.get(key) if isinstance(data, Mapping) else None
            if self.actual and value is None:
                continue  # not returned (null after an error): nothing was paid for
            if named.name.endswith("Connection"):
                total += 2 + self._connection(node, named, field, value)
            elif isinstance(value, list):
                total += sum(
                    1 + self.selection(node.selection_set, named, v) for v in value
                )
            else:
                total += 1 + self.selection(node.selection_set, named, value)
        return total

    def _connection(self, node: FieldNode, conn_type, field, value) -> int:
        per_edge = 0
        edge_sets = [
            (n, o)
            for n, o in self._fields(node.selection_set, conn_type)
            if n.name.value == "edges"
        ]
        if not self.actual:
            first = get_argument_values(field, node, self.variables).get("first") or 0
            for edges_node, owner in edge_sets:
                edge_type = get_named_type(owner.fields["edges"].type)
                per_edge += self._edge(edges_node, edge_type, None)
            return int(first) * per_edge
        total = 0
        for edges_node, owner in edge_sets:
            edge_type = get_named_type(owner.fields["edges"].type)
            key = edges_node.alias.value if edges_node.alias else "edges"
            for edge in value.get(key) or []:
                total += self._edge(edges_node, edge_type, edge)
        return total

    def _edge(self, edges_node: FieldNode, edge_type, edge) -> int:
        # The edge wrapper is free; its node costs like any object.
        return self.selection(edges_node.selection_set, edge_type, edge)
