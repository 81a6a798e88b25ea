"""SOAP with zeep, on the backend's pooled session and the transport's rules.

``SoapClient`` wraps a zeep ``Client`` whose ``Transport`` (``_Transport``)
uses the backend's pooled ``requests.Session`` (``session.get_session``), so
SOAP calls share the connections, and whatever a session-level hook adds
(a shared rate limiter), with the REST and GraphQL calls of that backend.
The auth object stays on the transport, never on the shared session.

Guarantees:

* every load of a WSDL or schema and every operation carries the backend's
  ``(connect, read)`` timeout (zeep's ``operation_timeout`` is ``None``, i.e.
  wait forever, unless told);
* XML is parsed with ``forbid_dtd``, ``forbid_entities`` and
  ``forbid_external``: a WSDL or an answer carrying a DTD or an entity
  (XXE, billion laughs) is refused with a ``ConfigError``;
* operations go to the backend's origin only (a WSDL naming another host as
  the service address is refused before any credential leaves);
* the WSDL is parsed once per process and key (``get_soap_client``): building
  a zeep client parses every schema, far too slow to repeat per job;
* results come back as plain dicts and lists (``serialize_object``);
* errors are the transport's typed errors (``soap_error``): a ``Client``
  fault is permanent (``SoapFaultError``), a ``Server`` fault or an HTTP 5xx
  is transient, a 401/403 is an ``AuthError``, a 429 a ``RateLimitedError``.
  Idempotent operations (declared by the caller) are retried on transient
  errors with the backoff of the ``RetryPolicy``.
"""

import logging
import random
import threading
import time
from collections.abc import Hashable

import requests
from zeep import Client, Settings
from zeep import exceptions as zeep_exceptions
from zeep.cache import InMemoryCache
from zeep.helpers import serialize_object
from zeep.transports import Transport

from . import metrics
from .client import origin_of
from .errors import (
    AuthError,
    ConfigError,
    FatalError,
    RateLimitedError,
    SoapFaultError,
    TransientError,
    TransportError,
    error_from_exception,
    error_from_response,
    reached_remote,
)
from .policy import RetryPolicy

_logger = logging.getLogger("generic_connector.transport")

_lock = threading.Lock()
_clients: dict[Hashable, "SoapClient"] = {}
_documents = InMemoryCache(timeout=3600)

SECURE_SETTINGS = {
    "strict": True,
    "xml_huge_tree": False,
    "forbid_dtd": True,
    "forbid_entities": True,
    "forbid_external": True,
}


class _Transport(Transport):
    """zeep's transport on a shared session, with our auth, timeouts, origin
    check and HTTP error mapping."""

    def __init__(self, session, auth, timeout, origin, secrets=()):
        super().__init__(
            cache=_documents,
            timeout=timeout,
            operation_timeout=timeout,
            session=session,
        )
        self.auth = auth
        self.origin = origin
        self.secrets = tuple(secrets)

    def post(self, address, message, headers):
        if origin_of(address) != self.origin:
            raise ConfigError(
                f"the WSDL sends operations to {address}, not to the backend's "
                "origin: refused, credentials are never sent there",
                url=address,
            )
        try:
            response = self.session.post(
                address,
                data=message,
                headers=headers,
                auth=self.auth,
                timeout=self.operation_timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            if reached_remote(exc):
                metrics.note_call()
            raise error_from_exception(exc, "POST", address, self.secrets) from exc
        metrics.note_call()
        if response.status_code in (401, 403, 429) or (
            response.status_code >= 300 and not _is_xml(response)
        ):
            raise error_from_response(response, self.secrets)
        return response

    def _load_remote_data(self, url):
        try:
            response = self.session.get(url, timeout=self.load_timeout)
        except requests.RequestException as exc:
            if reached_remote(exc):
                metrics.note_call()
            raise error_from_exception(exc, "GET", url, self.secrets) from exc
        metrics.note_call()
        if not 200 <= response.status_code < 300:
            raise error_from_response(response, self.secrets, "loading the WSDL")
        return response.content


def _is_xml(response) -> bool:
    return "xml" in response.headers.get("Content-Type", "")


def soap_error(exc: Exception, operation: str, secrets=()) -> TransportError:
    """The typed error for what zeep raised during ``operation``."""
    if isinstance(exc, TransportError):
        return exc
    if isinstance(exc, zeep_exceptions.Fault):
        code = str(exc.code or "")
        local = code.split(":", 1)[-1]
        text = f"SOAP fault {code or '(no code)'} in {operation}: {exc.message}"
        if local.startswith("Client.Authentication"):
            return AuthError(text, secrets=secrets)
        if local.startswith("Client.RateLimited"):
            return RateLimitedError(text, secrets=secrets)
        if local.startswith("Client"):
            return SoapFaultError(text, faultcode=code, secrets=secrets)
        return TransientError(text, secrets=secrets)
    if isinstance(
        exc, zeep_exceptions.DTDForbidden | zeep_exceptions.EntitiesForbidden
    ):
        return ConfigError(
            f"refused XML with a DTD or entities in {operation} ({exc!r}): "
            "entity expansion and external entities are never processed",
            secrets=secrets,
        )
    if isinstance(exc, zeep_exceptions.TransportError):
        return TransientError(
            f"SOAP transport error in {operation}: {exc}",
            status=getattr(exc, "status_code", None),
            secrets=secrets,
        )
    if isinstance(exc, zeep_exceptions.Error):
        return FatalError(f"SOAP error in {operation}: {exc!r}", secrets=secrets)
    raise exc


class SoapClient:
    """Operations of one SOAP service, for one backend."""

    def __init__(
        self,
        wsdl_url,
        *,
        session,
        auth=None,
        timeout=(5.0, 30.0),
        retry: RetryPolicy | None = None,
        sleep=time.sleep,
        rng: random.Random | None = None,
    ):
        self.wsdl_url = wsdl_url
        self.origin = origin_of(wsdl_url)
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.rng = rng or random.Random()
        secrets = tuple(getattr(auth, "secrets", tuple)()) if auth else ()
        self.transport = _Transport(session, auth, tuple(timeout), self.origin, secrets)
        try:
            self.zeep = Client(
                wsdl_url, transport=self.transport, settings=Settings(**SECURE_SETTINGS)
            )
        except Exception as exc:  # noqa: BLE001 - mapped, or re-raised as is
            raise soap_error(exc, "loading the WSDL", secrets) from exc

    def use(self, auth, timeout):
        """Take the backend's current credentials and timeouts (a cached
        client outlives the record it was built from)."""
        self.transport.auth = auth
        self.transport.secrets = (
            tuple(getattr(auth, "secrets", tuple)()) if auth else ()
        )
        self.transport.load_timeout = self.transport.operation_timeout = tuple(timeout)
        return self

    def call(self, operation: str, *, idempotent=False, **arguments):
        """Run ``operation``; return its result as plain dicts and lists."""
        attempts = self.retry.max_attempts if idempotent else 1
        try:
            method = getattr(self.zeep.service, operation)
        except AttributeError as exc:
            raise ConfigError(f"the service has no operation {operation}") from exc
        for attempt in range(1, attempts + 1):
            try:
                return serialize_object(method(**arguments), dict)
            except Exception as exc:  # noqa: BLE001 - mapped, or re-raised as is
                error = soap_error(exc, operation, self.transport.secrets)
                if not error.retryable or attempt == attempts:
                    raise error from exc
                wait = self.retry.backoff(attempt, self.rng)
                _logger.info("retrying %s in %.2fs: %s", operation, wait, error)
                self.sleep(wait)


def get_soap_client(key: Hashable, wsdl_url: str, *, auth, timeout, **kwargs):
    """The ``SoapClient`` of ``key`` (a backend) for ``wsdl_url``, its WSDL
    parsed on first use in this process and kept; credentials and timeouts
    are refreshed on every call."""
    with _lock:
        client = _clients.get((key, wsdl_url))
    if client is None:
        client = SoapClient(wsdl_url, auth=auth, timeout=timeout, **kwargs)
        with _lock:
            client = _clients.setdefault((key, wsdl_url), client)
    return client.use(auth, timeout)


def forget_soap_clients():
    """Drop the cached clients and documents (tests, configuration change)."""
    with _lock:
        _clients.clear()
    _documents._cache.clear()
