"""The OpenAPI document against the running server.

Every (method, path, status) the document describes is produced for real and
the response body is validated against the described schema (jsonschema,
OpenAPI 3.1 = JSON Schema 2020-12), with its required headers. A second test
checks the reverse: every REST route of the server is described.
"""

from __future__ import annotations

import itertools
import re
import time

import pytest
import requests
from jsonschema import Draft202012Validator

from sandbox.rest import URL_MAP

KEY = {"X-API-Key": "demo-api-key"}
READONLY = {"X-API-Key": "readonly-api-key"}
METHODS = ("get", "post", "put", "patch", "delete")
_unique = itertools.count(1)

VALID_BODIES = {
    "products": lambda: {
        "title": "Spec product",
        "price": "4.20",
        "sku": f"SPEC-{next(_unique)}",
    },
    "customers": lambda: {
        "email": f"spec{next(_unique)}@example.com",
        "first_name": "S",
    },
    "orders": lambda: {
        "customer_id": 1,
        "lines": [{"sku": "SKU-00001", "quantity": 1}],
    },
}
INVALID_BODIES = {
    "products": {"title": 5},
    "customers": {"email": 5},
    "orders": {"status": "bogus"},
}
CONFLICT_BODIES = {
    "products": {"title": "Dup", "price": "1", "sku": "SKU-00001"},
    "customers": {"email": "customer1@example.com"},
}


class Case:
    """Builds the request that should make one operation answer one status."""

    def __init__(self, server, path: str, method: str) -> None:
        self.server = server
        self.path = path
        self.method = method
        self.resource = path.split("/")[3] if path.startswith("/api/v1/") else None

    def _fresh_id(self, status: str = "200") -> int:
        """A record of this resource that the case may modify or delete."""
        if self.resource == "bulk_operations":
            return self._bulk_operation(completed=status != "409")
        if self.resource == "webhooks":
            response = requests.post(
                self.server.url + "/api/v1/webhooks",
                headers=KEY,
                json={"url": "http://127.0.0.1:9/spec"},
            )
        else:
            response = requests.post(
                f"{self.server.url}/api/v1/{self.resource}",
                headers=KEY,
                json=VALID_BODIES[self.resource](),
            )
        assert response.status_code == 201, response.text
        return response.json()["data"]["id"]

    def request(self, status: str) -> requests.Response:
        method, path = self.method.upper(), self.path
        if path == "/oauth/token":
            return self._token(status)
        headers, kwargs, query = dict(KEY), {}, {}
        record_id = None
        if "{id}" in path:
            record_id = 999_999 if status == "404" else self._fresh_id(status)
            path = path.replace("{id}", str(record_id))
            if status == "409" and path.endswith(("/fulfil", "/cancel")):
                # Fulfilled orders cannot be cancelled, nor cancelled fulfilled.
                other = "cancel" if path.endswith("/fulfil") else "fulfil"
                self._admin(
                    "post",
                    f"/api/v1/orders/{record_id}/{other}",
                    headers=KEY,
                )
        if method in ("POST", "PUT", "PATCH"):
            kwargs["json"] = self._body(status, record_id)
        if path == "/graphql" and status == "400":
            kwargs = {"data": "{"}
        if status == "400" and path != "/graphql":
            query["envelope"] = "bogus"
        elif status == "401":
            headers = {}
        elif status == "403":
            headers = dict(READONLY)
        elif status == "412":
            headers["If-Match"] = '"stale"'
        elif status == "429":
            # The real limiter: a budget of one, spent on a harmless request.
            self._admin("put", "/admin/settings", json={"rate_limit": 1})
            requests.get(self.server.url + "/api/v1/locations", headers=KEY)
        elif status == "5XX":
            self._admin("put", "/admin/faults", json={"*": {"error_rate": 1}})
        try:
            return requests.request(
                method, self.server.url + path, headers=headers, params=query, **kwargs
            )
        finally:
            if status == "429":
                self._admin("delete", "/admin/settings")
            if status == "5XX":
                self._admin("delete", "/admin/faults")

    def _bulk_operation(self, completed: bool) -> int:
        """A bulk export, polled until completed (or never polled: 409)."""
        url = self.server.url + "/api/v1/bulk_operations"
        response = requests.post(url, headers=KEY, json={"resource": "customers"})
        assert response.status_code == 201, response.text
        operation = response.json()["data"]
        while completed and operation["status"] != "completed":
            time.sleep(0.05)
            operation = requests.get(f"{url}/{operation['id']}", headers=KEY).json()[
                "data"
            ]
        return operation["id"]

    def _admin(self, method: str, path: str, **kwargs) -> None:
        assert requests.request(method, self.server.url + path, **kwargs).ok

    def _body(self, status: str, record_id: int | None):
        if self.path.endswith(("/fulfil", "/cancel")):
            return None
        if self.path == "/graphql":
            return {"query": "{ products(first: 2) { edges { node { id } } } }"}
        if self.resource == "bulk_operations":
            return {"resource": "nope" if status == "422" else "products"}
        if self.resource == "inventory_levels":
            if status == "404":
                return {"sku": "NOPE", "available": 1}
            if status == "422":
                return {"sku": "SKU-00001"}
            return {"sku": "SKU-00001", "location_id": 2, "available": 5}
        if self.resource == "webhooks":
            if status == "422":
                return {"url": "ftp://nowhere"}
            return {"url": "http://127.0.0.1:9/spec", "events": ["*"]}
        if status == "422":
            return (
                {} if self.method in ("post", "put") else INVALID_BODIES[self.resource]
            )
        if status == "409":
            if self.method == "patch":
                return {
                    k: v
                    for k, v in CONFLICT_BODIES[self.resource].items()
                    if k in ("sku", "email")
                }
            return CONFLICT_BODIES[self.resource]
        body = VALID_BODIES[self.resource]()
        if self.method == "patch":
            body = {k: v for k, v in body.items() if k != "customer_id"}
        return body

    def _token(self, status: str) -> requests.Response:
        form = {
            "grant_type": "client_credentials",
            "client_id": "demo-client",
            "client_secret": "demo-secret",
        }
        if status == "400":
            form["grant_type"] = "password"
        elif status == "401":
            form["client_secret"] = "wrong"
        elif status == "5XX":
            self._admin(
                "put", "/admin/faults", json={"/oauth/token": {"error_rate": 1}}
            )
        try:
            return requests.post(self.server.url + "/oauth/token", data=form)
        finally:
            if status == "5XX":
                self._admin("delete", "/admin/faults")


def _validator(spec, schema):
    return Draft202012Validator({**schema, "components": spec["components"]})


def test_every_described_response_is_real(sandbox):
    spec = requests.get(sandbox.url + "/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    checked = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            for status, described in item[method]["responses"].items():
                case = Case(sandbox, path, method)
                response = case.request(status)
                label = f"{method.upper()} {path} -> {status}"
                if status == "5XX":
                    assert 500 <= response.status_code < 600, label
                else:
                    assert response.status_code == int(status), (label, response.text)
                content = described.get("content")
                if content:
                    ctype = response.headers["Content-Type"].split(";")[0]
                    assert ctype in content, (label, ctype)
                    schema = content[ctype]["schema"]
                    body = (
                        response.json()
                        if ctype == "application/json"
                        else response.text
                    )
                    errors = sorted(
                        _validator(spec, schema).iter_errors(body), key=lambda e: e.path
                    )
                    assert not errors, (label, [e.message for e in errors][:3], body)
                else:
                    assert response.content == b"", label
                for name, header in described.get("headers", {}).items():
                    value = response.headers.get(name)
                    if header.get("required"):
                        assert value is not None, (label, name)
                    if value is not None and header["schema"].get("type") == "integer":
                        assert re.fullmatch(r"\d+", value), (label, name, value)
                checked.append(label)
    assert len(checked) > 90


def test_every_rest_route_is_described(sandbox):
    spec = requests.get(sandbox.url + "/api/v1/openapi.json").json()
    described = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in METHODS
        if method in item
    }
    for rule in URL_MAP.iter_rules():
        for resource in ("products", "customers", "orders"):
            path = re.sub(r"<any\([^)]*\):resource>", resource, rule.rule)
            path = re.sub(r"<int:\w+>", "{id}", path)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (method, path) in described, (method, path)


@pytest.mark.parametrize("envelope", ["wrapped", "nested"])
@pytest.mark.parametrize("pagination", ["offset", "cursor", "link"])
def test_list_shapes_match_the_schema(sandbox, envelope, pagination):
    spec = requests.get(sandbox.url + "/api/v1/openapi.json").json()
    schema = spec["paths"]["/api/v1/products"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    body = requests.get(
        sandbox.url + "/api/v1/products",
        headers=KEY,
        params={
            "envelope": envelope,
            "pagination": pagination,
            "per_page": 5,
            "limit": 5,
        },
    ).json()
    _validator(spec, schema).validate(body)
