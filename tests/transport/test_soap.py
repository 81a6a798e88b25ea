"""SOAP transport: zeep on the pooled session, fault mapping, XXE refused,
timeouts, WSDL parsed once. Against the sandbox's spyne service and scripted
loopback servers."""

import time

import pytest
import requests

from generic_connector.transport import (
    AuthError,
    BasicAuth,
    ConfigError,
    RetryPolicy,
    SoapFaultError,
    TransientError,
    count_calls,
    get_session,
)
from generic_connector.transport.soap import (
    SoapClient,
    forget_soap_clients,
    get_soap_client,
)

from .servers import reply

AUTH = BasicAuth("demo", "demo-password")


@pytest.fixture(autouse=True)
def _fresh_clients():
    forget_soap_clients()
    yield
    forget_soap_clients()


def soap_for(url, auth=AUTH, timeout=(2, 5), **kwargs):
    return SoapClient(
        url + "/soap?wsdl",
        session=get_session(("soap-test", url)),
        auth=auth,
        timeout=timeout,
        retry=RetryPolicy(max_attempts=3, backoff_base=0.01),
        **kwargs,
    )


def test_inventory_read_and_update_as_plain_dicts(platform):
    sandbox = platform()
    soap = soap_for(sandbox.url)
    levels = soap.call("GetInventory", idempotent=True, sku="SKU-00001")
    assert isinstance(levels, list) and isinstance(levels[0], dict)
    assert {lvl["locationId"] for lvl in levels} == {1, 2}
    stored = {
        lvl["location_id"]: lvl["available"]
        for lvl in sandbox.store.inventory_for_variant(101)
    }
    assert {lvl["locationId"]: lvl["available"] for lvl in levels} == stored
    level = soap.call("UpdateInventory", sku="SKU-00001", locationId=2, available=17)
    assert level["available"] == 17
    after = {
        lvl["location_id"]: lvl["available"]
        for lvl in sandbox.store.inventory_for_variant(101)
    }
    assert after[2] == 17


def test_client_fault_is_permanent_and_readable(platform):
    soap = soap_for(platform().url)
    with pytest.raises(SoapFaultError) as err:
        soap.call("GetInventory", idempotent=True, sku="NO-SUCH-SKU")
    assert not err.value.retryable
    assert "NO-SUCH-SKU" in str(err.value)
    assert "Client" in err.value.faultcode


def test_wrong_password_is_an_auth_error_without_the_secret(platform):
    soap = soap_for(platform().url, auth=BasicAuth("demo", "wrong-secret"))
    with pytest.raises(AuthError) as err:
        soap.call("GetInventory", sku="SKU-00001")
    assert "wrong-secret" not in str(err.value)


def test_wsdl_parsed_once_per_process_and_key(platform):
    sandbox = platform()
    first, again = (
        get_soap_client(
            "backend-1",
            sandbox.url + "/soap?wsdl",
            auth=AUTH,
            timeout=(2, 5),
            session=requests.Session(),
        )
        for _call in range(2)
    )
    assert again is first
    assert again.call("GetInventory", sku="SKU-00002")
    stats = requests.get(sandbox.url + "/admin/stats", timeout=5).json()["requests"]
    assert stats.get("GET /soap") == 1


def test_soap_calls_are_counted_like_the_remote_serves_them(platform):
    """The WSDL's GET and each operation's POST are HTTP calls: a run's count
    of calls is what the remote served, over SOAP as over REST."""
    sandbox = platform()
    with count_calls() as stats:
        soap = soap_for(sandbox.url)
        soap.call("GetInventory", idempotent=True, sku="SKU-00001")
        soap.call("GetInventory", idempotent=True, sku="SKU-00002")
    served = requests.get(sandbox.url + "/admin/stats", timeout=5).json()["requests"]
    assert stats.calls == sum(
        count for route, count in served.items() if route.endswith("/soap")
    )
    assert stats.calls == 3


XXE_WSDL = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" name="x">&xxe;</definitions>
"""


def test_wsdl_with_external_entity_is_refused(server):
    server.route("/soap", reply(body=XXE_WSDL, headers={"Content-Type": "text/xml"}))
    with pytest.raises(ConfigError, match="DTD or entities"):
        soap_for(server.url)


def served_wsdl(sandbox, server):
    """The sandbox's WSDL, served by ``server`` with its own address."""
    text = requests.get(sandbox.url + "/soap?wsdl", timeout=5).text
    return text.replace(sandbox.url, server.url).encode()


def test_hung_server_fails_after_the_read_timeout(platform, server):
    wsdl = served_wsdl(platform(), server)

    def handler(request):
        if request.method == "GET":
            return reply(body=wsdl, headers={"Content-Type": "text/xml"})(request)
        return reply(body="too late", delay=3)(request)

    server.route("/soap", handler)
    soap = soap_for(server.url, timeout=(1, 0.3))
    start = time.monotonic()
    with pytest.raises(TransientError, match="timed out"):
        soap.call("GetInventory", sku="SKU-00001")
    assert time.monotonic() - start < 2


def test_server_fault_and_5xx_are_transient_and_retried(platform, server):
    wsdl = served_wsdl(platform(), server)
    fault = (
        b'<?xml version="1.0"?><s:Envelope '
        b'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
        b"<faultcode>s:Server</faultcode><faultstring>database down</faultstring>"
        b"</s:Fault></s:Body></s:Envelope>"
    )
    calls = []

    def handler(request):
        if request.method == "GET":
            return reply(body=wsdl, headers={"Content-Type": "text/xml"})(request)
        calls.append(1)
        if len(calls) == 1:
            return reply(503, body="busy")(request)
        return reply(500, body=fault, headers={"Content-Type": "text/xml"})(request)

    server.route("/soap", handler)
    soap = soap_for(server.url, sleep=lambda s: None)
    with pytest.raises(TransientError, match="database down"):
        soap.call("GetInventory", idempotent=True, sku="SKU-00001")
    assert len(calls) == 3  # retried: idempotent
    calls.clear()
    with pytest.raises(TransientError):
        soap.call("UpdateInventory", sku="SKU-00001", locationId=1, available=1)
    assert len(calls) == 1  # not idempotent: not retried


def test_operations_stay_on_the_backend_origin(platform, server, other_server):
    wsdl = served_wsdl(platform(), other_server)
    server.route("/soap", reply(body=wsdl, headers={"Content-Type": "text/xml"}))
    soap = soap_for(server.url)
    with pytest.raises(ConfigError, match="credentials are never sent"):
        soap.call("GetInventory", sku="SKU-00001")
    assert other_server.count() == 0
