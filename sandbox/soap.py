"""SOAP 1.1 service (spyne 2.14) at ``/soap``, WSDL at ``GET /soap?wsdl``.

Spyne binds services to classes, so :func:`build_soap_app` defines the service
class inside a closure over one server's store: two servers in one process
never share state. Authentication, rate limits and fault injection happen in
``sandbox.app`` before the request reaches spyne; the WSDL is public so that a
client can be built before it has credentials.
"""

from __future__ import annotations

import logging
import warnings
from xml.sax.saxutils import escape

with warnings.catch_warnings():
    # spyne 2.14 imports the stdlib 'cgi' module, deprecated since Python 3.11
    # (still present up to 3.12); not ours to fix, so not ours to print.
    warnings.filterwarnings("ignore", "'cgi' is deprecated", DeprecationWarning)
    from spyne import Application, ComplexModel, Integer, ServiceBase, Unicode, rpc
    from spyne.model.complex import Array
    from spyne.model.fault import Fault
    from spyne.protocol.soap import Soap11
    from spyne.server.wsgi import WsgiApplication
    from spyne.util.appreg import unregister_application

from .errors import ApiError
from .store import Store

NAMESPACE = "urn:myconnector:sandbox:soap"

# Spyne logs every Client fault with a traceback; a client's bad sku is not a
# server problem, so keep those out of the test and demo output.
_spyne_client_logger = logging.getLogger("spyne.application.client")
_spyne_client_logger.addHandler(
    logging.NullHandler()
)  # else Python's lastResort prints
_spyne_client_logger.propagate = False


class Variant(ComplexModel):
    __namespace__ = NAMESPACE
    id = Integer
    title = Unicode
    sku = Unicode
    price = Unicode
    stock = Integer


class Product(ComplexModel):
    __namespace__ = NAMESPACE
    id = Integer
    title = Unicode
    description = Unicode
    sku = Unicode
    price = Unicode
    currency = Unicode
    status = Unicode
    createdAt = Unicode
    updatedAt = Unicode
    variants = Array(Variant)


class ProductPage(ComplexModel):
    __namespace__ = NAMESPACE
    total = Integer
    page = Integer
    pageSize = Integer
    products = Array(Product)


class InventoryLevel(ComplexModel):
    __namespace__ = NAMESPACE
    variantId = Integer
    sku = Unicode
    locationId = Integer
    available = Integer
    updatedAt = Unicode


_VARIANT_KEYS = ("id", "title", "sku", "price", "stock")


def _product(record: dict) -> Product:
    return Product(
        id=record["id"],
        title=record["title"],
        description=record["description"],
        sku=record["sku"],
        price=record["price"],
        currency=record["currency"],
        status=record["status"],
        createdAt=record["created_at"],
        updatedAt=record["updated_at"],
        variants=[
            Variant(**{k: v[k] for k in _VARIANT_KEYS}) for v in record["variants"]
        ],
    )


def _level(record: dict) -> InventoryLevel:
    return InventoryLevel(
        variantId=record["variant_id"],
        sku=record["sku"],
        locationId=record["location_id"],
        available=record["available"],
        updatedAt=record["updated_at"],
    )


def _client_fault(error: ApiError) -> Fault:
    return Fault(faultcode="Client", faultstring=error.message)


def build_soap_app(store: Store) -> WsgiApplication:
    class CatalogService(ServiceBase):
        @rpc(Integer, Integer, _returns=ProductPage)
        def GetProducts(ctx, page, pageSize):  # noqa: N802,N803 - SOAP names
            page = page or 1
            size = pageSize or 50
            if page < 1 or not 1 <= size <= 250:
                raise Fault(
                    faultcode="Client",
                    faultstring="page must be >= 1 and pageSize between 1 and 250",
                )
            with store.lock:
                keys = store.products.ids
                total = len(keys)
                chosen = [
                    store.products.records[k] for k in keys[(page - 1) * size :][:size]
                ]
            return ProductPage(
                total=total,
                page=page,
                pageSize=size,
                products=[_product(r) for r in chosen],
            )

        @rpc(Unicode, Integer, _returns=Array(InventoryLevel))
        def GetInventory(ctx, sku, variantId):  # noqa: N802,N803
            if not sku and variantId is None:
                raise Fault(faultcode="Client", faultstring="Give sku or variantId")
            try:
                _, variant = store.find_variant(sku=sku, variant_id=variantId)
            except ApiError as exc:
                raise _client_fault(exc) from exc
            return [_level(r) for r in store.inventory_for_variant(variant["id"])]

        @rpc(Unicode, Integer, Integer, _returns=InventoryLevel)
        def UpdateInventory(ctx, sku, locationId, available):  # noqa: N802,N803
            if not sku or available is None:
                raise Fault(
                    faultcode="Client", faultstring="sku and available are required"
                )
            try:
                level = store.set_inventory(
                    sku=sku, location_id=locationId or 1, available=available
                )
            except ApiError as exc:
                raise _client_fault(exc) from exc
            return _level(level)

    application = Application(
        [CatalogService],
        tns=NAMESPACE,
        name="MyConnectorSandbox",
        in_protocol=Soap11(validator="lxml"),
        out_protocol=Soap11(),
    )
    # Spyne keeps every Application in a global registry (a debugging aid):
    # it would warn when a second server registers the same name and keep
    # each stopped server's store alive. Nothing reads it, so drop ours.
    unregister_application(application)
    return WsgiApplication(application)


def soap_fault_xml(code: str, message: str) -> bytes:
    """A SOAP 1.1 fault envelope for errors raised before spyne runs (401, 429)."""
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        '<soap11env:Envelope xmlns:soap11env="http://schemas.xmlsoap.org/soap/envelope/">'
        "<soap11env:Body><soap11env:Fault>"
        f"<faultcode>soap11env:{escape(code)}</faultcode>"
        f"<faultstring>{escape(message)}</faultstring>"
        "</soap11env:Fault></soap11env:Body></soap11env:Envelope>"
    ).encode()
