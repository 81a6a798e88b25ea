"""SOAP through zeep: WSDL, paging, inventory read/write, faults, auth."""

from __future__ import annotations

import pytest
import requests
import zeep
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport


def client(server, auth=("demo", "demo-password")):
    session = requests.Session()
    session.trust_env = False
    session.auth = auth
    return zeep.Client(server.url + "/soap?wsdl", transport=Transport(session=session))


def test_wsdl_is_public_and_names_operations(sandbox):
    wsdl = requests.get(sandbox.url + "/soap?wsdl")
    assert wsdl.status_code == 200
    for operation in ("GetProducts", "GetInventory", "UpdateInventory"):
        assert operation in wsdl.text


def test_get_products_pages(sandbox):
    service = client(sandbox).service
    first = service.GetProducts(page=1, pageSize=10)
    assert first.total == 30 and first.page == 1 and first.pageSize == 10
    products = first.products.Product
    assert [p.id for p in products] == list(range(1, 11))
    assert products[0].sku == sandbox.store.get_product(1)["sku"]
    assert (
        products[0].variants.Variant[0].price == sandbox.store.get_product(1)["price"]
    )
    last = service.GetProducts(page=3, pageSize=10)
    assert [p.id for p in last.products.Product] == list(range(21, 31))


def test_inventory_read_and_update_emit_changes(sandbox):
    service = client(sandbox).service
    levels = service.GetInventory(sku="SKU-00004")
    assert {level.locationId for level in levels} == {1, 2}
    by_variant = service.GetInventory(variantId=401)
    assert [lv.available for lv in by_variant] == [lv.available for lv in levels]
    events = []
    sandbox.store.subscribe(lambda kind, record: events.append(kind))
    updated = service.UpdateInventory(sku="SKU-00004", locationId=2, available=99)
    assert updated.available == 99 and updated.locationId == 2
    assert "inventory.updated" in events
    product = sandbox.store.get_product(4)
    assert product["variants"][0]["stock"] == sum(
        lv["available"] for lv in sandbox.store.inventory_for_variant(401)
    )


def test_unknown_sku_is_a_client_fault(sandbox):
    service = client(sandbox).service
    with pytest.raises(Fault) as raised:
        service.GetInventory(sku="NOPE")
    assert raised.value.code.endswith("Client")
    assert "NOPE" in raised.value.message
    with pytest.raises(Fault) as raised:
        service.UpdateInventory(sku="NOPE", locationId=1, available=1)
    assert raised.value.code.endswith("Client")


def test_soap_requires_basic_auth(sandbox):
    with pytest.raises(Fault) as raised:
        client(sandbox, auth=None).service.GetProducts(page=1, pageSize=1)
    assert raised.value.code.endswith("Client.Authentication")
    with pytest.raises(Fault):
        client(sandbox, auth=("demo", "wrong")).service.GetProducts(page=1, pageSize=1)
    raw = requests.post(
        sandbox.url + "/soap", data="<x/>", headers={"Content-Type": "text/xml"}
    )
    assert raw.status_code == 401
    assert raw.headers["WWW-Authenticate"] == 'Basic realm="MyConnector"'
    # API keys are a REST/GraphQL credential, not a SOAP one.
    keyed = requests.post(
        sandbox.url + "/soap", data="<x/>", headers={"X-API-Key": "demo-api-key"}
    )
    assert keyed.status_code == 401


def test_soap_injected_server_error_reaches_zeep(sandbox):
    service = client(sandbox).service
    sandbox.faults.add_rule("POST /soap", error_rate=1.0)
    for _ in range(4):
        # JSON 500/503 bodies are a TransportError; the HTML 502 page parses as
        # a document without a SOAP fault, which zeep reports as a Fault.
        with pytest.raises((TransportError, Fault)) as raised:
            service.GetProducts(page=1, pageSize=1)
        if isinstance(raised.value, TransportError):
            assert raised.value.status_code in (500, 503)
