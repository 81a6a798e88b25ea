"""Webhook subscriptions and their delivery.

Design:

* The store calls :meth:`WebhookManager.on_change` for every change, with its
  lock held; that call only builds the event once (id, body) and queues one
  job per matching subscription, so an API request never waits on delivery.
* One scheduler thread owns a heap of due jobs (first attempts, retries with
  exponential backoff, flushes of held reorder batches) and hands "units" to a
  thread pool. A unit is a list of jobs delivered one after the other: a
  single event normally, a whole shuffled batch under the ``reorder`` fault so
  the receiver really sees them out of order.
* A redelivery reuses the event id and body; its timestamp and signature are
  made fresh at each attempt, as Standard Webhooks expects.
* ``pending`` counts jobs not yet finished (queued, held, in flight, waiting
  for a retry); :meth:`wait_for_deliveries` waits for it to reach zero.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import heapq
import hmac
import ipaddress
import itertools
import logging
import secrets
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from .errors import ApiError, invalid, not_found
from .faults import Faults
from .store import Record, Store
from .util import dumps, format_us

_logger = logging.getLogger(__name__)

EVENT_TYPES = (
    "product.created",
    "product.updated",
    "product.deleted",
    "customer.created",
    "customer.updated",
    "order.created",
    "order.updated",
    "order.cancelled",
    "inventory.updated",
    "fulfillment.created",
    "refund.created",
)
# Emitted too, but only to subscriptions that name them: "*" means the
# documented set above, so a client written against it never sees these.
EXTRA_EVENT_TYPES = ("customer.deleted", "order.deleted", "order.paid")
SCHEMES = ("standard", "signature")
REORDER_HOLD_SECONDS = 0.5
DELIVERY_LOG_SIZE = 1000
ACCOUNT_API_KEY = "demo-api-key"


@dataclass
class Job:
    subscription_id: int
    event_id: str
    event_type: str
    body: bytes
    attempt: int = 1
    duplicate: bool = False


def sign_standard(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256("{id}.{ts}.{body}")>``, key = secret after whsec_."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def sign_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _new_secret(scheme: str) -> str:
    """A secret the platform makes when the subscriber gives none."""
    if scheme == "standard":
        return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    return secrets.token_hex(32)


def _secret_problem(secret: Any, scheme: str) -> str | None:
    """Why ``secret`` is no secret of ``scheme``, or ``None``."""
    if not isinstance(secret, str) or not secret:
        return "must be a non-empty string"
    if scheme == "standard":
        try:
            if not base64.b64decode(secret.removeprefix("whsec_"), validate=True):
                return "must be 'whsec_' followed by base64"
        except (binascii.Error, ValueError):
            return "must be 'whsec_' followed by base64"
    return None


def _host_is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WebhookManager:
    def __init__(
        self,
        store: Store,
        faults: Faults,
        *,
        retry_base: float = 1.0,
        max_attempts: int = 5,
        timeout: float = 5.0,
        workers: int = 4,
        allow_any_host: bool = False,
    ) -> None:
        self.store = store
        self.faults = faults
        self.retry_base = retry_base
        self.max_attempts = max_attempts
        self.timeout = timeout
        self.allow_any_host = allow_any_host
        self._subscriptions: dict[int, Record] = {}
        self._deliveries: dict[int, deque[Record]] = {}
        self._delivery_ids = itertools.count(1)
        self._heap: list[tuple[float, int, str, Any]] = []
        self._seq = itertools.count()
        self._held: dict[int, list[Job]] = {}
        self._pending = 0
        self._cond = threading.Condition()
        self._closed = False
        self._local = threading.local()
        self._executor = ThreadPoolExecutor(
            workers, thread_name_prefix="sandbox-webhook"
        )
        if store.db is not None:
            for key, sub in store.db.load("webhooks"):
                self._subscriptions[key] = sub
                self._deliveries[key] = deque(maxlen=DELIVERY_LOG_SIZE)
        self._scheduler = threading.Thread(
            target=self._run_scheduler, name="sandbox-webhook-scheduler", daemon=True
        )
        self._scheduler.start()
        store.subscribe(self.on_change)

    # -- subscriptions ---------------------------------------------------

    def create(self, data: Any) -> Record:
        values = self._validated(data, creating=True)
        scheme = values.get("scheme", "standard")
        sub_id = self.store.next_id("webhook")
        subscription = {
            "id": sub_id,
            "url": values["url"],
            "events": values.get("events", ["*"]),
            "scheme": scheme,
            "secret": values.get("secret") or _new_secret(scheme),
            "created_at": format_us(self.store.clock.now_us()),
        }
        with self._cond:
            self._subscriptions[sub_id] = subscription
            self._deliveries[sub_id] = deque(maxlen=DELIVERY_LOG_SIZE)
        self._save(subscription)
        return subscription

    def update(self, sub_id: int, data: Any) -> Record:
        """Change the fields ``data`` names (``PATCH``): deliveries attempted
        from now on use them. A new scheme without a secret gets a new secret
        (the old one has the other scheme's format)."""
        current = self.get(sub_id)
        values = self._validated(data, scheme=current["scheme"])
        if values.get("scheme", current["scheme"]) != current["scheme"]:
            values.setdefault("secret", _new_secret(values["scheme"]))
        with self._cond:
            if sub_id not in self._subscriptions:
                raise not_found("Webhook", sub_id)
            subscription = dict(self._subscriptions[sub_id], **values)
            self._subscriptions[sub_id] = subscription
        self._save(subscription)
        return subscription

    def _save(self, subscription: Record) -> None:
        if self.store.db is not None:
            with self.store.lock:
                self.store.db.save("webhooks", subscription["id"], subscription)

    def _validated(
        self, data: Any, creating: bool = False, scheme: str = "standard"
    ) -> Record:
        """The subscription fields ``data`` gives, checked: a 422 names every
        bad one. ``url`` is required when ``creating``; a secret is checked
        against the scheme ``data`` names, else ``scheme``."""
        if not isinstance(data, dict):
            raise ApiError(400, "Request body must be a JSON object")
        errors: dict[str, list[str]] = {}
        if "url" in data or creating:
            url = data.get("url")
            parts = urlsplit(url) if isinstance(url, str) else None
            if (
                parts is None
                or parts.scheme not in ("http", "https")
                or not parts.hostname
            ):
                errors["url"] = ["must be an absolute http(s) URL"]
            elif not self.allow_any_host and not _host_is_loopback(parts.hostname):
                errors["url"] = [
                    "only loopback hosts are allowed "
                    "(start with --webhook-allow-any-host)"
                ]
        if "events" in data:
            events = data["events"]
            known = EVENT_TYPES + EXTRA_EVENT_TYPES
            if (
                not isinstance(events, list)
                or not events
                or not all(
                    isinstance(e, str) and (e == "*" or e in known) for e in events
                )
            ):
                errors["events"] = [
                    f"must be a non-empty list of '*' or {', '.join(known)}"
                ]
        scheme = data.get("scheme", scheme)
        if scheme not in SCHEMES:
            errors["scheme"] = ["must be 'standard' or 'signature'"]
        if data.get("secret") is not None:
            problem = _secret_problem(data["secret"], scheme)
            if problem:
                errors["secret"] = [problem]
        for key in sorted(set(data) - {"url", "events", "scheme", "secret"}):
            errors[key] = ["unknown field"]
        if errors:
            raise invalid(errors)
        return {key: value for key, value in data.items() if value is not None}

    def list(self) -> list[Record]:
        with self._cond:
            return [self._subscriptions[k] for k in sorted(self._subscriptions)]

    def get(self, sub_id: int) -> Record:
        with self._cond:
            found = self._subscriptions.get(sub_id)
        if found is None:
            raise not_found("Webhook", sub_id)
        return found

    def delete(self, sub_id: int) -> None:
        with self._cond:
            if self._subscriptions.pop(sub_id, None) is None:
                raise not_found("Webhook", sub_id)
        if self.store.db is not None:
            with self.store.lock:
                self.store.db.delete("webhooks", sub_id)

    def delete_all(self) -> None:
        for sub in self.list():
            self.delete(sub["id"])

    def deliveries(self, sub_id: int) -> list[Record]:
        self.get(sub_id)
        with self._cond:
            return list(self._deliveries.get(sub_id, ()))

    # -- events ----------------------------------------------------------

    def on_change(self, event_type: str, record: Record) -> None:
        with self._cond:
            targets = [
                sub
                for sub in self._subscriptions.values()
                if event_type in sub["events"]
                or ("*" in sub["events"] and event_type in EVENT_TYPES)
            ]
        if not targets or self._closed:
            return
        event_id = "evt_" + secrets.token_hex(12)
        event = {
            "id": event_id,
            "type": event_type,
            "timestamp": format_us(self.store.clock.now_us()),
            "data": record,
        }
        body = dumps(event).encode("utf-8")
        knobs = self.faults.for_webhook(event_type)
        for sub in targets:
            jobs = [Job(sub["id"], event_id, event_type, body)]
            if self.faults.roll(knobs, "duplicate_rate"):
                jobs.append(Job(sub["id"], event_id, event_type, body, duplicate=True))
            batch = knobs.get("reorder", 0)
            with self._cond:
                self._pending += len(jobs)
                if batch >= 2:
                    self._hold(sub["id"], jobs, batch)
                else:
                    for job in jobs:
                        self._push(time.monotonic(), "job", job)

    def _hold(self, sub_id: int, jobs: list[Job], batch: int) -> None:
        held = self._held.setdefault(sub_id, [])
        if not held:
            self._push(time.monotonic() + REORDER_HOLD_SECONDS, "flush", sub_id)
        held.extend(jobs)
        if len(held) >= batch:
            self._flush(sub_id)

    def _flush(self, sub_id: int) -> None:
        held = self._held.pop(sub_id, [])
        if not held:
            return
        order = list(held)
        self.faults.shuffle(order)
        if len(order) > 1 and order == held:
            order.reverse()  # a shuffle may keep the order; reorder must not
        if len(order) > 1:
            self.faults.count("reorder")
        self._executor.submit(self._run_unit, order)

    def _push(self, due: float, kind: str, payload: Any) -> None:
        heapq.heappush(self._heap, (due, next(self._seq), kind, payload))
        self._cond.notify_all()

    def _run_scheduler(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (
                    not self._heap or self._heap[0][0] > time.monotonic()
                ):
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(wait)
                if self._closed:
                    return
                _, _, kind, payload = heapq.heappop(self._heap)
                if kind == "flush":
                    self._flush(payload)
                    continue
            self._executor.submit(self._run_unit, [payload])

    def _run_unit(self, jobs: list[Job]) -> None:
        for job in jobs:
            try:
                self._attempt(job)
            except Exception:  # a bug here must not wedge wait_for_deliveries
                _logger.exception("webhook delivery crashed")
                self._finish(job, retry_at=None)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.trust_env = False  # never route loopback calls via a proxy
        return session

    def _attempt(self, job: Job) -> None:
        with self._cond:
            sub = self._subscriptions.get(job.subscription_id)
        if sub is None or self._closed:
            self._finish(job, retry_at=None)
            return
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "MyConnector-Sandbox-Webhooks/1.0",
        }
        if sub["scheme"] == "standard":
            headers.update(
                {
                    "webhook-id": job.event_id,
                    "webhook-timestamp": str(timestamp),
                    "webhook-signature": sign_standard(
                        sub["secret"], job.event_id, timestamp, job.body
                    ),
                }
            )
        else:
            headers.update(
                {
                    "X-Signature": sign_hex(sub["secret"], job.body),
                    "X-Event-Type": job.event_type,
                    "X-API-Key": ACCOUNT_API_KEY,
                    "X-Webhook-Id": job.event_id,
                    "X-Webhook-Timestamp": str(timestamp),
                }
            )
        started_us = self.store.clock.now_us()
        started = time.monotonic()
        status_code = None
        error = None
        try:
            response = self._session().post(
                sub["url"], data=job.body, headers=headers, timeout=self.timeout
            )
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        success = error is None
        retry_at = None
        if not success and job.attempt < self.max_attempts:
            delay = self.retry_base * 2 ** (job.attempt - 1)
            retry_at = time.monotonic() + delay
            next_retry = format_us(self.store.clock.now_us() + int(delay * 1e6))
        else:
            next_retry = None
        entry = {
            "id": next(self._delivery_ids),
            "event_id": job.event_id,
            "event_type": job.event_type,
            "attempt": job.attempt,
            "duplicate": job.duplicate,
            "url": sub["url"],
            "status_code": status_code,
            "success": success,
            "error": error,
            "started_at": format_us(started_us),
            "completed_at": format_us(self.store.clock.now_us()),
            "duration_ms": round((time.monotonic() - started) * 1000, 3),
            "next_retry_at": next_retry,
        }
        with self._cond:
            log = self._deliveries.get(job.subscription_id)
            if log is not None:
                log.append(entry)
        self._finish(job, retry_at)

    def _finish(self, job: Job, retry_at: float | None) -> None:
        with self._cond:
            if retry_at is not None and not self._closed:
                job.attempt += 1
                self._push(retry_at, "job", job)
            else:
                self._pending -= 1
                self._cond.notify_all()

    # -- control ---------------------------------------------------------

    @property
    def pending(self) -> int:
        with self._cond:
            return self._pending

    def wait_for_deliveries(self, timeout: float = 10.0) -> bool:
        """Block until nothing is queued, held, in flight or awaiting retry."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending <= 0, timeout)

    def close(self) -> None:
        self.store.unsubscribe(self.on_change)
        with self._cond:
            self._closed = True
            self._heap.clear()
            self._held.clear()
            self._pending = 0
            self._cond.notify_all()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._scheduler.join(timeout=2)
