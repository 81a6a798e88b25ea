"""OpenAPI 3.1 description of the REST API, OAuth and GraphQL endpoints.

OpenAPI 3.1 schemas are JSON Schema 2020-12, so the conformance test validates
live responses with ``jsonschema`` directly. Every operation lists its real
statuses; ``401``, ``429`` and ``5XX`` (fault injection) apply to all of them.
The SOAP service is described by its WSDL (``/soap?wsdl``), the admin API by
the README.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from .store import ORDER_STATUSES, PRODUCT_STATUSES

REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def _obj(
    props: dict[str, Any], required: list[str] | None = None, **extra: Any
) -> dict:
    schema = {"type": "object", "properties": props, **extra}
    schema["required"] = list(props) if required is None else required
    return schema


STR = {"type": "string"}
INT = {"type": "integer"}
TS = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$",
}
MONEY = {"type": "string", "pattern": r"^\d+\.\d{2}$"}
NSTR = {"type": ["string", "null"]}

SCHEMAS: dict[str, Any] = {
    "Image": _obj(
        {
            "url": {
                "type": "string",
                "description": "path on the API's host: GET it with credentials",
            },
            "checksum": {"type": "string", "description": "SHA-256 of the PNG"},
        }
    ),
    "Variant": _obj(
        {
            "id": INT,
            "title": STR,
            "sku": STR,
            "price": MONEY,
            "stock": INT,
            "image": {"oneOf": [_ref("Image"), {"type": "null"}]},
        },
        ["id", "title", "sku", "price", "stock"],
    ),
    "Category": _obj(
        {"id": INT, "name": STR, "parent_id": {"type": ["integer", "null"]}}
    ),
    "Product": _obj(
        {
            "id": INT,
            "title": STR,
            "description": STR,
            "sku": STR,
            "price": MONEY,
            "currency": STR,
            "status": {"enum": list(PRODUCT_STATUSES)},
            "variants": {"type": "array", "items": _ref("Variant"), "minItems": 1},
            "category_id": {"type": ["integer", "null"]},
            "image": {"oneOf": [_ref("Image"), {"type": "null"}]},
            "created_at": TS,
            "updated_at": TS,
        },
        [
            "id",
            "title",
            "description",
            "sku",
            "price",
            "currency",
            "status",
            "variants",
            "created_at",
            "updated_at",
        ],
    ),
    "ProductInput": {
        "type": "object",
        "description": "POST/PUT need title and price (or variants); PATCH any subset.",
        "properties": {
            "title": STR,
            "description": NSTR,
            "sku": STR,
            "price": {"type": ["string", "number"]},
            "currency": STR,
            "status": {"enum": list(PRODUCT_STATUSES)},
            "variants": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Address": _obj(
        {
            "id": INT,
            "address1": NSTR,
            "address2": NSTR,
            "city": NSTR,
            "province": NSTR,
            "zip": NSTR,
            "country_code": NSTR,
            "default": {"type": "boolean"},
        }
    ),
    "Customer": _obj(
        {
            "id": INT,
            "email": STR,
            "first_name": NSTR,
            "last_name": NSTR,
            "phone": NSTR,
            "addresses": {"type": "array", "items": _ref("Address")},
            "created_at": TS,
            "updated_at": TS,
        }
    ),
    "CustomerInput": {
        "type": "object",
        "properties": {
            "email": STR,
            "first_name": NSTR,
            "last_name": NSTR,
            "phone": NSTR,
            "addresses": {"type": "array"},
        },
    },
    "OrderLine": _obj(
        {
            "id": INT,
            "product_id": INT,
            "variant_id": INT,
            "sku": STR,
            "quantity": {"type": "integer", "minimum": 1},
            "price": MONEY,
            "discount": MONEY,
        },
        required=["id", "product_id", "variant_id", "sku", "quantity", "price"],
    ),
    "Order": _obj(
        {
            "id": INT,
            "number": STR,
            "customer_id": INT,
            "status": {"enum": list(ORDER_STATUSES)},
            "currency": STR,
            "lines": {"type": "array", "items": _ref("OrderLine")},
            "total": MONEY,
            "created_at": TS,
            "updated_at": TS,
        }
    ),
    "OrderInput": {
        "type": "object",
        "properties": {
            "customer_id": INT,
            "status": {"enum": list(ORDER_STATUSES)},
            "currency": STR,
            "number": STR,
            "lines": {"type": "array", "items": {"type": "object"}},
        },
    },
    "InventoryLevel": _obj(
        {
            "variant_id": INT,
            "sku": STR,
            "location_id": INT,
            "available": INT,
            "updated_at": TS,
        }
    ),
    "InventorySet": {
        "type": "object",
        "description": "sku or variant_id; available (absolute) or delta (relative).",
        "properties": {
            "sku": STR,
            "variant_id": INT,
            "location_id": INT,
            "available": INT,
            "delta": INT,
        },
    },
    "Location": _obj(
        {"id": INT, "name": STR, "code": STR, "active": {"type": "boolean"}}
    ),
    "Webhook": _obj(
        {
            "id": INT,
            "url": STR,
            "events": {"type": "array", "items": STR},
            "scheme": {"enum": ["standard", "signature"]},
            "secret": STR,
            "created_at": TS,
        }
    ),
    "WebhookInput": _obj(
        {
            "url": STR,
            "events": {"type": "array", "items": STR},
            "scheme": {"enum": ["standard", "signature"]},
            "secret": STR,
        },
        required=["url"],
    ),
    "WebhookPatch": _obj(
        {
            "url": STR,
            "events": {"type": "array", "items": STR},
            "scheme": {"enum": ["standard", "signature"]},
            "secret": STR,
        },
        required=[],
    ),
    "Delivery": _obj(
        {
            "id": INT,
            "event_id": STR,
            "event_type": STR,
            "attempt": INT,
            "duplicate": {"type": "boolean"},
            "url": STR,
            "status_code": {"type": ["integer", "null"]},
            "success": {"type": "boolean"},
            "error": NSTR,
            "started_at": TS,
            "completed_at": TS,
            "duration_ms": {"type": "number"},
            "next_retry_at": {"type": ["string", "null"]},
        }
    ),
    "Error": _obj(
        {
            "status": {"const": "error"},
            "message": STR,
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": STR},
            },
        },
        required=["status", "message"],
    ),
    "OAuthError": _obj(
        {
            "error": {"enum": ["invalid_client", "unsupported_grant_type"]},
            "error_description": STR,
            "status": {"const": "error"},
            "message": STR,
        }
    ),
    "Token": _obj(
        {
            "access_token": STR,
            "token_type": {"const": "Bearer"},
            "expires_in": {"type": "number"},
            "scope": STR,
        }
    ),
    "ListMeta": _obj(
        {
            "total": INT,
            "page": {"type": ["integer", "null"]},
            "per_page": INT,
            "next_cursor": NSTR,
        }
    ),
    "GraphQLResponse": {
        "type": "object",
        "properties": {
            "data": {"type": ["object", "null"]},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {
                        "message": STR,
                        "path": {"type": "array"},
                        "extensions": {"type": "object"},
                    },
                },
            },
            "extensions": _obj(
                {
                    "cost": _obj(
                        {
                            "requestedQueryCost": INT,
                            "actualQueryCost": {"type": ["integer", "null"]},
                            "throttleStatus": _obj(
                                {
                                    "maximumAvailable": {"type": "number"},
                                    "currentlyAvailable": {"type": "number"},
                                    "restoreRate": {"type": "number"},
                                }
                            ),
                        }
                    )
                }
            ),
        },
    },
}

# Fulfilments and refunds (``after_sale``): inside their order, and listed
# and created under it.
_SHIPPED_LINE = _obj(
    {"line_id": INT, "sku": STR, "quantity": {"type": "integer", "minimum": 1}}
)
_LINE_INPUT = _obj(
    {"line_id": INT, "quantity": {"type": "integer", "minimum": 1}},
    additionalProperties=False,
)
SCHEMAS.update(
    {
        "Fulfillment": _obj(
            {
                "id": INT,
                "order_id": INT,
                "status": {"const": "success"},
                "tracking_company": NSTR,
                "tracking_number": NSTR,
                "reference": NSTR,
                "lines": {"type": "array", "items": _SHIPPED_LINE, "minItems": 1},
                "created_at": TS,
            }
        ),
        "FulfillmentInput": _obj(
            {
                "tracking_company": NSTR,
                "tracking_number": NSTR,
                "reference": NSTR,
                "lines": {
                    "type": "array",
                    "items": _LINE_INPUT,
                    "description": "omitted: every quantity not shipped yet",
                },
            },
            required=[],
            additionalProperties=False,
        ),
        "Refund": _obj(
            {
                "id": INT,
                "order_id": INT,
                "restock": {"type": "boolean"},
                "note": NSTR,
                "lines": {
                    "type": "array",
                    "items": _obj(
                        {
                            "line_id": INT,
                            "sku": STR,
                            "variant_id": INT,
                            "quantity": {"type": "integer", "minimum": 1},
                            "amount": MONEY,
                            "taxes": {"type": "array", "items": {"type": "object"}},
                        }
                    ),
                },
                "shipping": MONEY,
                "total": MONEY,
                "created_at": TS,
            }
        ),
        "RefundInput": _obj(
            {
                "lines": {"type": "array", "items": _LINE_INPUT},
                "shipping": MONEY,
                "restock": {"type": "boolean"},
                "note": NSTR,
            },
            required=[],
            additionalProperties=False,
        ),
    }
)


SCHEMAS["BulkOperation"] = _obj(
    {
        "id": INT,
        "resource": {"enum": ["products", "customers", "orders"]},
        "status": {"enum": ["created", "running", "completed", "failed"]},
        "object_count": INT,
        "url": NSTR,
        "error_code": NSTR,
    }
)
SCHEMAS["BulkOperationInput"] = _obj(
    {"resource": {"enum": ["products", "customers", "orders"]}}
)
SCHEMAS["BulkOperationOne"] = _obj(
    {"status": {"const": "success"}, "data": _ref("BulkOperation")}
)


def _envelopes(name: str) -> None:
    SCHEMAS[f"{name}One"] = {
        "oneOf": [
            _obj({"status": {"const": "success"}, "data": _ref(name)}),
            _obj({"response": _obj({"result": _ref(name)})}),
        ]
    }
    items = {
        "allOf": [
            _ref("ListMeta"),
            _obj({"items": {"type": "array", "items": _ref(name)}}),
        ]
    }
    SCHEMAS[f"{name}List"] = {
        "oneOf": [
            _obj({"status": {"const": "success"}, "data": items}),
            _obj({"response": _obj({"result": items})}),
        ]
    }


for _name in (
    "Product",
    "Customer",
    "Order",
    "InventoryLevel",
    "Location",
    "Category",
    "Webhook",
    "Delivery",
    "Fulfillment",
    "Refund",
):
    _envelopes(_name)

RATE_HEADERS = {
    name: {"schema": INT, "description": text}
    for name, text in (
        ("X-RateLimit-Limit", "requests allowed per window"),
        ("X-RateLimit-Remaining", "requests left in the window"),
        ("X-RateLimit-Reset", "seconds until the window resets"),
    )
}


def _json(schema_name: str, description: str, headers: dict | None = None) -> dict:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": _ref(schema_name)}},
    }
    if headers:
        response["headers"] = headers
    return response


def _error(description: str, headers: dict | None = None) -> dict:
    return _json("Error", description, headers)


COMMON = {
    "401": _error(
        "Missing or invalid credentials",
        {"WWW-Authenticate": {"schema": STR, "required": True}},
    ),
    "429": _error(
        "Rate limited",
        {"Retry-After": {"schema": INT, "required": True}, **RATE_HEADERS},
    ),
    "5XX": {
        "description": "Server error (fault injection); the 502 is a proxy's HTML",
        "content": {
            "application/json": {"schema": _ref("Error")},
            "text/html": {"schema": STR},
        },
    },
}

ENVELOPE_PARAM = {
    "name": "envelope",
    "in": "query",
    "schema": {"enum": ["wrapped", "nested"]},
    "description": "Response envelope (default: server setting, 'wrapped')",
}


def _list_params(filters: dict[str, Any]) -> list[dict[str, Any]]:
    params = [
        {
            "name": "pagination",
            "in": "query",
            "schema": {"enum": ["offset", "cursor", "link"]},
        },
        ENVELOPE_PARAM,
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {
            "name": "per_page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 250, "default": 50},
        },
        {"name": "cursor", "in": "query", "schema": STR},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {
            "name": "updated_since",
            "in": "query",
            "schema": {"type": "string", "format": "date-time"},
            "description": "only records with updated_at strictly greater",
        },
    ]
    params += [{"name": k, "in": "query", "schema": v} for k, v in filters.items()]
    return params


def _op(summary: str, responses: dict, params=None, body: str | None = None) -> dict:
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": params if params is not None else [ENVELOPE_PARAM],
        "responses": {**responses, **COMMON},
    }
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    return operation


def _list_ok(name: str) -> dict:
    return _json(
        f"{name}List",
        "A page",
        {
            "Link": {"schema": STR, "description": "pagination=link only"},
            **RATE_HEADERS,
        },
    )


def _resource_paths(
    plural: str, name: str, filters: dict[str, Any], conflict: bool
) -> dict:
    id_param = {"name": "id", "in": "path", "required": True, "schema": INT}
    bad = _error("Bad input: malformed JSON or invalid query parameter")
    ro = _error("Read-only credential")
    missing = _error(f"{name} not found")
    invalid = _error("Validation failed (field errors)")
    precondition = _error("If-Match / If-Unmodified-Since failed")
    write = {"409": _error("Duplicate sku or email")} if conflict else {}
    one = _json(f"{name}One", name, RATE_HEADERS)
    created = _json(
        f"{name}One", "Created", {"Location": {"schema": STR, "required": True}}
    )
    return {
        f"/api/v1/{plural}": {
            "get": _op(
                f"List {plural}",
                {"200": _list_ok(name), "400": bad},
                _list_params(filters),
            ),
            "post": _op(
                f"Create a {name.lower()}",
                {"201": created, "400": bad, "403": ro, "422": invalid, **write},
                body=f"{name}Input",
            ),
        },
        f"/api/v1/{plural}/{{id}}": {
            "parameters": [id_param],
            "get": _op(
                f"Get a {name.lower()}", {"200": one, "400": bad, "404": missing}
            ),
            "put": _op(
                f"Replace a {name.lower()}",
                {
                    "200": one,
                    "400": bad,
                    "403": ro,
                    "404": missing,
                    "412": precondition,
                    "422": invalid,
                    **write,
                },
                body=f"{name}Input",
            ),
            "patch": _op(
                f"Update some fields of a {name.lower()}",
                {
                    "200": one,
                    "400": bad,
                    "403": ro,
                    "404": missing,
                    "412": precondition,
                    "422": invalid,
                    **write,
                },
                body=f"{name}Input",
            ),
            "delete": _op(
                f"Delete a {name.lower()}",
                {
                    "204": {"description": "Deleted"},
                    "400": bad,
                    "403": ro,
                    "404": missing,
                    "412": precondition,
                },
            ),
        },
    }


@lru_cache(maxsize=1)
def _spec() -> dict[str, Any]:
    bad = _error("Bad input")
    paths: dict[str, Any] = {}
    paths.update(
        _resource_paths(
            "products", "Product", {"status": STR, "sku": STR}, conflict=True
        )
    )
    paths.update(
        _resource_paths("customers", "Customer", {"email": STR}, conflict=True)
    )
    paths.update(
        _resource_paths(
            "orders", "Order", {"status": STR, "customer_id": INT}, conflict=False
        )
    )
    order_id = {"name": "id", "in": "path", "required": True, "schema": INT}
    for action, verb in (("fulfil", "Fulfil"), ("cancel", "Cancel")):
        paths[f"/api/v1/orders/{{id}}/{action}"] = {
            "parameters": [order_id],
            "post": _op(
                f"{verb} an order (idempotent)",
                {
                    "200": _json("OrderOne", "The order"),
                    "400": bad,
                    "403": _error("Read-only credential"),
                    "404": _error("Unknown order"),
                    "409": _error("The order's status does not allow it"),
                },
            ),
        }
    for kind, name, what in (
        ("fulfillments", "Fulfillment", "ships more than is left of a line"),
        ("refunds", "Refund", "refunds more than was ordered of a line"),
    ):
        paths[f"/api/v1/orders/{{id}}/{kind}"] = {
            "parameters": [order_id],
            "get": _op(
                f"List an order's {kind}",
                {
                    "200": _json(f"{name}List", "All of them, oldest first"),
                    "400": bad,
                    "404": _error("Unknown order"),
                },
            ),
            "post": _op(
                f"Create a {name.lower()} of the order",
                {
                    "201": _json(f"{name}One", "Created"),
                    "400": bad,
                    "403": _error("Read-only credential"),
                    "404": _error("Unknown order"),
                    "422": _error(f"Validation failed, or the request {what}"),
                },
                body=f"{name}Input",
            ),
        }
    paths["/api/v1/inventory_levels"] = {
        "get": _op(
            "List inventory levels (one per variant and location)",
            {"200": _list_ok("InventoryLevel"), "400": bad},
            _list_params({"sku": STR, "variant_id": INT, "location_id": INT}),
        )
    }
    paths["/api/v1/inventory_levels/set"] = {
        "post": _op(
            "Set or adjust one inventory level",
            {
                "200": _json("InventoryLevelOne", "The new level"),
                "400": bad,
                "403": _error("Read-only credential"),
                "404": _error("Unknown sku or variant"),
                "422": _error("Validation failed"),
            },
            body="InventorySet",
        )
    }
    paths["/api/v1/locations"] = {
        "get": _op("List locations", {"200": _list_ok("Location"), "400": bad})
    }
    paths["/api/v1/categories"] = {
        "get": _op(
            "List categories (a tree)", {"200": _list_ok("Category"), "400": bad}
        )
    }
    paths["/api/v1/images/{filename}"] = {
        "get": _op(
            "Download an image (8x8 PNG)",
            {
                "200": {
                    "description": "The PNG",
                    "content": {"image/png": {"schema": {"type": "string"}}},
                },
                "404": _error("No such image"),
            },
            [
                {"name": "filename", "in": "path", "required": True, "schema": STR},
                {"name": "v", "in": "query", "schema": INT},
            ],
        )
    }
    paths["/api/v1/webhooks"] = {
        "get": _op(
            "List webhook subscriptions", {"200": _list_ok("Webhook"), "400": bad}
        ),
        "post": _op(
            "Subscribe",
            {
                "201": _json("WebhookOne", "Created", {"Location": {"schema": STR}}),
                "400": bad,
                "403": _error("Read-only credential"),
                "422": _error("Validation failed"),
            },
            body="WebhookInput",
        ),
    }
    hook_id = {"name": "id", "in": "path", "required": True, "schema": INT}
    paths["/api/v1/webhooks/{id}"] = {
        "parameters": [hook_id],
        "get": _op(
            "Get a subscription",
            {
                "200": _json("WebhookOne", "Subscription"),
                "400": bad,
                "404": _error("Unknown subscription"),
            },
        ),
        "patch": _op(
            "Change a subscription (the fields given; a new scheme without a "
            "secret gets a new secret)",
            {
                "200": _json("WebhookOne", "Subscription"),
                "400": bad,
                "403": _error("Read-only credential"),
                "404": _error("Unknown subscription"),
                "422": _error("Validation failed"),
            },
            body="WebhookPatch",
        ),
        "delete": _op(
            "Unsubscribe",
            {
                "204": {"description": "Deleted"},
                "400": bad,
                "403": _error("Read-only credential"),
                "404": _error("Unknown subscription"),
            },
        ),
    }
    paths["/api/v1/webhooks/{id}/deliveries"] = {
        "parameters": [hook_id],
        "get": _op(
            "Delivery log of a subscription (latest 1000 attempts)",
            {
                "200": _list_ok("Delivery"),
                "400": bad,
                "404": _error("Unknown subscription"),
            },
        ),
    }
    paths.update(_bulk_paths())
    paths["/oauth/token"] = {
        "post": {
            "summary": "OAuth2 client credentials grant",
            "security": [],
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": _obj(
                            {
                                "grant_type": {"const": "client_credentials"},
                                "client_id": STR,
                                "client_secret": STR,
                                "scope": STR,
                            },
                            required=["grant_type"],
                        )
                    }
                },
            },
            "responses": {
                "200": _json("Token", "Access token"),
                "400": _json("OAuthError", "unsupported_grant_type"),
                "401": _json("OAuthError", "invalid_client"),
                "5XX": COMMON["5XX"],
            },
        }
    }
    paths["/graphql"] = {
        "post": {
            "summary": "GraphQL (errors and THROTTLED are HTTP 200, as on Shopify)",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": _obj(
                            {
                                "query": STR,
                                "variables": {"type": "object"},
                                "operationName": STR,
                            },
                            required=["query"],
                        )
                    }
                },
            },
            "responses": {
                "200": _json(
                    "GraphQLResponse", "Result, errors and cost", RATE_HEADERS
                ),
                "400": _error("Malformed request"),
                **COMMON,
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "MyConnector sandbox",
            "version": "1.0.0",
            "description": "Fake commerce platform for connector tests; SOAP: WSDL",
        },
        "servers": [{"url": "/"}],
        "security": [{"apiKey": []}, {"bearer": []}, {"basic": []}, {"oauth2": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
                "oauth2": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "/oauth/token",
                            "scopes": {"read": "read access", "write": "write access"},
                        }
                    },
                },
            },
        },
    }


def _bulk_paths() -> dict[str, Any]:
    """Bulk exports (``sandbox.bulk``): start, poll, download the file."""
    op_id = {"name": "id", "in": "path", "required": True, "schema": INT}
    one = _json("BulkOperationOne", "The operation")
    return {
        "/api/v1/bulk_operations": {
            "post": _op(
                "Start a bulk export of a resource (products with their "
                "variants nested, customers, orders)",
                {
                    "201": _json(
                        "BulkOperationOne", "Started", {"Location": {"schema": STR}}
                    ),
                    "422": _error("Unknown resource"),
                },
                params=[],
                body="BulkOperationInput",
            )
        },
        "/api/v1/bulk_operations/{id}": {
            "parameters": [op_id],
            "get": _op(
                "Poll a bulk export: created, running, completed (object_count, "
                "url) or failed (error_code)",
                {"200": one, "404": _error("Unknown operation")},
                params=[],
            ),
        },
        "/api/v1/bulk_operations/{id}/file": {
            "parameters": [op_id],
            "get": _op(
                "Download a completed export: JSON Lines, one record per line "
                "(the object GET /api/v1/<resource>/<id> returns), streamed",
                {
                    "200": {
                        "description": "The file",
                        "content": {"application/jsonl": {"schema": STR}},
                    },
                    "404": _error("Unknown operation"),
                    "409": _error("The operation is not completed"),
                },
                params=[],
            ),
        },
    }


def build_spec() -> dict[str, Any]:
    return copy.deepcopy(_spec())
