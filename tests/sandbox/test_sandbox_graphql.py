"""GraphQL: connection shape, pagination, partial errors, cost and throttling."""

from __future__ import annotations

import requests

PRODUCTS_QUERY = """
query($first: Int, $after: String) {
  products(first: $first, after: $after) {
    edges { node { id title description variants { edges { node { id price sku } } } }
            cursor }
    pageInfo { hasNextPage endCursor }
  }
}"""


def gql(server, query, variables=None, headers=None):
    response = requests.post(
        server.url + "/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers or {"X-API-Key": "demo-api-key"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_products_connection_shape_and_pagination(sandbox):
    seen, after = [], None
    while True:
        body = gql(sandbox, PRODUCTS_QUERY, {"first": 8, "after": after})
        assert "errors" not in body
        connection = body["data"]["products"]
        for edge in connection["edges"]:
            node = edge["node"]
            assert set(node) == {"id", "title", "description", "variants"}
            variant = node["variants"]["edges"][0]["node"]
            assert set(variant) == {"id", "price", "sku"}
            assert isinstance(edge["cursor"], str)
            seen.append(int(node["id"]))
        after = connection["pageInfo"]["endCursor"]
        if not connection["pageInfo"]["hasNextPage"]:
            break
    assert seen == list(range(1, 31))
    product = sandbox.store.get_product(1)
    assert body["data"]["products"]["edges"][-1]["node"]["id"] == "30"
    single = gql(sandbox, '{ product(id: "1") { id title sku price } }')
    assert single["data"]["product"] == {
        "id": "1",
        "title": product["title"],
        "sku": product["sku"],
        "price": product["price"],
    }


def test_customers_and_orders_connections(sandbox):
    body = gql(
        sandbox,
        """{
      customers(first: 2) { edges { node { id email firstName addresses { city } }
                                    cursor }
                            pageInfo { hasNextPage endCursor } }
      orders(first: 2) { edges { node { id number status total
                                        lines { sku quantity } } cursor }
                         pageInfo { hasNextPage endCursor } }
    }""",
    )
    assert (
        body["data"]["customers"]["edges"][0]["node"]["email"]
        == "customer1@example.com"
    )
    assert body["data"]["orders"]["edges"][1]["node"]["number"] == "#1002"
    assert body["data"]["orders"]["pageInfo"]["hasNextPage"] is True


def test_partial_errors_keep_the_rest_of_the_data(sandbox):
    sandbox.faults.add_rule("/graphql", field_error_ids=[2])
    body = gql(sandbox, PRODUCTS_QUERY, {"first": 3})
    edges = body["data"]["products"]["edges"]
    assert [e["node"]["id"] for e in edges] == ["1", "2", "3"]
    assert edges[1]["node"]["description"] is None
    assert edges[0]["node"]["description"] and edges[2]["node"]["description"]
    assert edges[1]["node"]["title"]
    (error,) = body["errors"]
    assert error["path"] == ["products", "edges", 1, "node", "description"]
    assert "product 2" in error["message"]


def test_field_error_rate(sandbox):
    sandbox.faults.add_rule("/graphql", field_error_rate=1.0)
    body = gql(sandbox, PRODUCTS_QUERY, {"first": 4})
    assert len(body["errors"]) == 4
    assert all(e["node"]["title"] for e in body["data"]["products"]["edges"])


def test_cost_extension(sandbox):
    body = gql(sandbox, PRODUCTS_QUERY, {"first": 3})
    cost = body["extensions"]["cost"]
    # 2 + 3 nodes x (1 + variants connection: 2 + 50 x 1)
    assert cost["requestedQueryCost"] == 2 + 3 * (1 + 2 + 50)
    variants = sum(
        len(e["node"]["variants"]["edges"]) for e in body["data"]["products"]["edges"]
    )
    assert cost["actualQueryCost"] == 2 + 3 * (1 + 2) + variants
    status = cost["throttleStatus"]
    assert status["maximumAvailable"] == 1000.0 and status["restoreRate"] == 50.0
    assert status["currentlyAvailable"] <= 1000 - cost["actualQueryCost"] + 1


def test_throttled_queries_are_refused_not_run(make_sandbox):
    server = make_sandbox(
        seed_records=60, graphql_bucket_size=200, graphql_restore_rate=1
    )
    query = "{ products(first: 50) { edges { node { id } } } }"  # cost 2 + 50 = 52
    statuses = []
    for _ in range(5):
        body = gql(server, query)
        statuses.append("errors" in body)
    assert statuses[:3] == [False, False, False]
    assert statuses[-1] is True
    throttled = gql(server, query)
    assert throttled["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert "data" not in throttled
    cost = throttled["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 52 and cost["actualQueryCost"] is None
    assert cost["throttleStatus"]["currentlyAvailable"] < 52
    # The bucket is per credential.
    other = gql(server, query, headers={"Authorization": "Bearer demo-token"})
    assert "errors" not in other
    too_big = gql(
        server,
        "{ products(first: 250) { edges { node { id variants "
        "{ edges { node { id } } } } } } }",
    )
    assert too_big["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


def test_graphql_errors_and_auth(sandbox):
    assert (
        requests.post(
            sandbox.url + "/graphql",
            json={"query": "{ products { edges " "{ cursor } } }"},
        ).status_code
        == 401
    )
    invalid = gql(sandbox, "{ products { nope } }")
    assert invalid["errors"][0]["message"].startswith("Cannot query field 'nope'")
    syntax = gql(sandbox, "{ products(")
    assert "Syntax Error" in syntax["errors"][0]["message"]
    bad = requests.post(
        sandbox.url + "/graphql", data="{", headers={"X-API-Key": "demo-api-key"}
    )
    assert bad.status_code == 400
    too_many = gql(sandbox, "{ products(first: 999) { edges { cursor } } }")
    assert "first must be between" in too_many["errors"][0]["message"]
