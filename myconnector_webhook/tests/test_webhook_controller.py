# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The webhook endpoint over real HTTP, fed by the sandbox platform itself."""

import base64
import json
import select
import socket
import time
import uuid
from unittest.mock import patch

import psycopg2

import odoo
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.generic_connector.controllers.webhook import (
    MAX_BODY_BYTES,
    MAX_ID_LENGTH,
)
from odoo.addons.generic_connector.tests.common import run_jobs
from odoo.addons.generic_connector.transport import sign_hmac_hex, sign_standard_webhook
from odoo.addons.myconnector.tests.common import MyConnectorCase

from .common import WebhookHttpCase

CONTROLLER_LOG = "odoo.addons.generic_connector.controllers.webhook"
OUTAGE_LOG = "odoo.addons.generic_connector.http_outage"


@tagged("post_install", "-at_install")
class TestWebhookController(WebhookHttpCase):
    seed_records = 5

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product_id = "3"
        cls.Binding.import_record(cls.backend, cls.product_id)
        cls.binding = cls.Binding.search([("external_id", "=", cls.product_id)])

    def webhook_jobs(self):
        return self.env["queue.job"].search([("method_name", "=", "_process")])

    def signed(self, payload, delivery_id=None, timestamp=None):
        body = json.dumps(payload).encode()
        headers = sign_standard_webhook(
            self.backend.webhook_secret,
            delivery_id or f"evt_{uuid.uuid4().hex}",
            body,
            timestamp=timestamp,
        )
        return body, headers

    def test_sandbox_delivery_updates_product(self):
        self.remote(
            "PATCH", f"/api/v1/products/{self.product_id}", json={"price": "77.70"}
        )
        self.sandbox.wait_for_deliveries(timeout=20)
        event = self.inbox().filtered(lambda e: e.event_type == "product.updated")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.state, "pending")
        self.assertTrue(event.job_id)
        self.assertEqual(event.subject, f"product:{self.product_id}")
        self.assertEqual(
            event.create_uid, self.env.ref("myconnector_webhook.user_integration")
        )
        self.assertNotIn(self.backend.webhook_secret, event.headers)
        deliveries = self.remote(
            "GET", f"/api/v1/webhooks/{self.backend.webhook_subscription_id}/deliveries"
        )
        statuses = [d.get("status_code") for d in deliveries["data"]["items"]]
        self.assertIn(202, statuses)
        run_jobs(self.env)
        self.assertEqual(event.state, "done")
        self.assertEqual(self.binding.list_price, 77.70)

    def test_same_delivery_twice_one_job(self):
        payload = {"id": "evt_dup", "type": "product.updated", "data": {"id": 3}}
        body, headers = self.signed(payload, delivery_id="evt_dup")
        first = self.post(body, headers)
        self.assertEqual(first.status_code, 202, first.text)
        jobs = self.webhook_jobs()
        second = self.post(body, headers)
        self.assertEqual(second.status_code, 200)
        self.assertEqual(second.json()["status"], "duplicate")
        self.assertEqual(self.webhook_jobs(), jobs)
        event = self.inbox().filtered(lambda e: e.delivery_id == "evt_dup")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.delivery_count, 2)

    def test_token_and_secret_changes_apply_at_once(self):
        """The intake caches the backend by token in each worker: a rotated
        token or secret is used from the next delivery on."""
        old_url, old_secret = self.url, self.backend.webhook_secret

        def event(n):
            return {"id": f"evt_rot{n}", "type": "product.updated", "data": {"id": 3}}

        self.assertEqual(self.post(*self.signed(event(1))).status_code, 202)
        self.backend.webhook_token = f"rotated-{uuid.uuid4().hex}"
        new_url = f"/myconnector/webhook/{self.backend.webhook_token}"
        body, headers = self.signed(event(2))
        self.assertEqual(self.post(body, headers, url=old_url).status_code, 401)
        self.assertEqual(self.post(body, headers, url=new_url).status_code, 202)
        self.backend.webhook_secret = (
            "whsec_" + base64.b64encode(b"a-rotated-webhook-secret-key").decode()
        )
        body = json.dumps(event(3)).encode()
        stale = sign_standard_webhook(old_secret, "evt_rot3", body)
        self.assertEqual(self.post(body, stale, url=new_url).status_code, 401)
        body, headers = self.signed(event(3))
        self.assertEqual(self.post(body, headers, url=new_url).status_code, 202)
        self.backend.active = False
        body, headers = self.signed(event(4))
        self.assertEqual(self.post(body, headers, url=new_url).status_code, 401)

    def test_same_event_other_delivery_kept_as_duplicate(self):
        self.backend.write({"webhook_scheme": "signature", "webhook_secret": "s3cret"})
        body = json.dumps(
            {"id": "evt_e", "type": "product.updated", "data": {"id": 3}}
        ).encode()
        jobs = self.webhook_jobs()
        answers = [
            self.post(
                body,
                {
                    "X-Signature": sign_hmac_hex("s3cret", body),
                    "X-Webhook-Id": delivery,
                },
            ).status_code
            for delivery in ("dlv_1", "dlv_2")
        ]
        self.assertEqual(answers, [202, 200])
        rows = self.inbox().filtered(lambda e: e.event_id == "evt_e").sorted("id")
        self.assertEqual(rows.mapped("state"), ["pending", "duplicate"])
        self.assertEqual(len(self.webhook_jobs() - jobs), 1)

    @mute_logger(CONTROLLER_LOG)
    def test_tampered_body_refused_and_not_stored(self):
        body, headers = self.signed(
            {"id": "evt_t", "type": "product.updated", "data": {"id": 3}}
        )
        before = self.inbox()
        response = self.post(body.replace(b'"id": 3', b'"id": 4'), headers)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(self.inbox(), before)

    @mute_logger(CONTROLLER_LOG)
    def test_stale_timestamp_refused(self):
        body, headers = self.signed(
            {"id": "evt_s", "type": "product.updated", "data": {"id": 3}},
            timestamp=int(time.time()) - 600,
        )
        self.assertEqual(self.post(body, headers).status_code, 401)

    @mute_logger(CONTROLLER_LOG)
    def test_unknown_backend_same_answer_as_bad_signature(self):
        body, headers = self.signed(
            {"id": "evt_u", "type": "product.updated", "data": {"id": 3}}
        )
        unknown = self.post(body, headers, url="/myconnector/webhook/nope")
        forged = self.post(body, dict(headers, **{"webhook-signature": "v1,AAAA"}))
        self.assertEqual(
            (unknown.status_code, unknown.text), (forged.status_code, forged.text)
        )
        self.assertEqual(unknown.status_code, 401)

    def test_malformed_json_400(self):
        body = b'{"id": "evt_m", "type": '
        headers = sign_standard_webhook(self.backend.webhook_secret, "evt_m", body)
        # An expected refusal: one WARNING line with its reason, no ERROR.
        with self.assertLogs(CONTROLLER_LOG, level="WARNING") as logged:
            self.assertEqual(self.post(body, headers).status_code, 400)
        self.assertEqual(len(logged.records), 1, logged.output)
        self.assertEqual(logged.records[0].levelname, "WARNING")
        self.assertIn("400", logged.records[0].getMessage())

    def test_oversized_body_413_even_chunked(self):
        big = b"x" * (MAX_BODY_BYTES + 10)
        self.assertEqual(self.post(big, {}).status_code, 413)

        status = self.post_chunked(b"y" * (MAX_BODY_BYTES // 8), count=20)
        self.assertEqual(status, 413)
        self.assertFalse(self.inbox())

    def test_chunked_signed_body_accepted(self):
        body, headers = self.signed(
            {"id": "evt_c", "type": "product.updated", "data": {"id": 3}},
            delivery_id="evt_c",
        )
        pieces = [body[i : i + 7] for i in range(0, len(body), 7)]
        self.assertEqual(self.post_chunked(pieces, headers=headers), 202)
        self.assertEqual(
            self.inbox().filtered(lambda e: e.delivery_id == "evt_c").state, "pending"
        )

    def post_chunked(self, chunks, count=None, headers=None):
        """POST ``chunks`` (or one chunk ``count`` times) with
        Transfer-Encoding: chunked (no Content-Length) the way a streaming
        sender does, reading the answer as soon as the server gives one;
        return its status code."""
        if count is not None:
            chunks = [chunks] * count
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        port = int(self.base_url().rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                f"POST {self.url} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/json\r\n"
                f"{extra}Transfer-Encoding: chunked\r\n\r\n".encode()
            )
            for chunk in chunks:
                if select.select([sock], [], [], 0.05)[0]:
                    break
                try:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                except (BrokenPipeError, ConnectionResetError):
                    break
            else:
                sock.sendall(b"0\r\n\r\n")
            status_line = sock.makefile("rb").readline()
        return int(status_line.split()[1])

    def test_x_signature_scheme(self):
        self.backend.write({"webhook_scheme": "signature", "webhook_secret": "s3cret"})
        payload = {"id": "evt_x", "type": "product.updated", "data": {"id": 3}}
        body = json.dumps(payload).encode()
        headers = {
            "X-Signature": sign_hmac_hex("s3cret", body),
            "X-Event-Type": "product.updated",
            "X-Webhook-Id": "evt_x",
            "X-Webhook-Timestamp": str(int(time.time())),
        }
        self.assertEqual(self.post(body, headers).status_code, 202)
        with mute_logger(CONTROLLER_LOG):
            headers["X-Signature"] = sign_hmac_hex("other", body)
            self.assertEqual(self.post(body, headers).status_code, 401)


@tagged("post_install", "-at_install")
class TestWebhookOrdering(HttpCase, MyConnectorCase):
    """Deliveries duplicated and out of order: one job per event, and the
    product ends at the newest remote state."""

    seed_records = 5
    sandbox_options = {"faults": {"webhooks": {"duplicate_rate": 1.0, "reorder": 3}}}

    def test_newest_state_wins(self):
        self.env["ir.config_parameter"].set_param("web.base.url", self.base_url())
        self.backend.action_register_webhook()
        self.Binding.import_record(self.backend, "2")
        for price in ("10.00", "20.00", "30.00"):
            self.remote("PATCH", "/api/v1/products/2", json={"price": price})
        self.assertTrue(self.sandbox.wait_for_deliveries(timeout=30))
        deliveries = self.remote(
            "GET", f"/api/v1/webhooks/{self.backend.webhook_subscription_id}/deliveries"
        )["data"]["items"]
        self.assertEqual(
            sorted(d["status_code"] for d in deliveries), [200, 200, 200, 202, 202, 202]
        )
        inbox = self.env["generic.webhook"].search([])
        self.assertEqual(len(inbox), 3)
        # One job: the first event's, still waiting when the others came,
        # covers them (it reads the product after all three arrived).
        self.assertEqual(len(inbox.job_id), 1)
        self.assertEqual(set(inbox.mapped("subject")), {"product:2"})
        run_jobs(self.env)
        self.assertEqual(sorted(inbox.mapped("state")), ["covered", "covered", "done"])
        binding = self.Binding.search([("external_id", "=", "2")])
        self.assertEqual(binding.list_price, 30.0)


@tagged("post_install", "-at_install")
class TestWebhookIntakeFaults(WebhookHttpCase):
    """What PostgreSQL refuses is refused first (400/401, never 500); a
    replayed request sees its body; a database outage answers 503."""

    seed_records = 3

    def signed_raw(self, body, delivery_id):
        return sign_standard_webhook(self.backend.webhook_secret, delivery_id, body)

    def post_raw(self, path, headers, body):
        """POST with headers written byte for byte (``requests`` refuses a NUL
        in a header); return the status code."""
        port = int(self.base_url().rsplit(":", 1)[1])
        head = b"".join(k + b": " + v + b"\r\n" for k, v in headers.items())
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nConnection: close\r\n"
                + head
                + b"Content-Length: %d\r\n\r\n" % len(body)
                + body
            )
            status_line = sock.makefile("rb").readline()
        return int(status_line.split()[1])

    @mute_logger(CONTROLLER_LOG)
    def test_nul_in_token_401(self):
        body = b'{"id": "evt_n", "type": "product.updated", "data": {"id": 1}}'
        headers = self.signed_raw(body, "evt_n")
        for token in ("tok%00en", self.backend.webhook_token + "%00", "%00"):
            response = self.post(body, headers, url=f"/myconnector/webhook/{token}")
            self.assertEqual(response.status_code, 401, token)
        self.assertFalse(self.inbox())

    def test_nul_in_signed_headers_400(self):
        body = b'{"type": "product.updated", "data": {"id": 1}}'
        for header in (b"webhook-id", b"X-Event-Type", b"X-Webhook-Id"):
            delivery = "evt_\x00h"
            headers = {
                k.encode(): v.encode("latin-1")
                for k, v in self.signed_raw(body, delivery).items()
            }
            headers[header] = b"x\x00y"
            status = self.post_raw(self.url.encode(), headers, body)
            self.assertEqual(status, 400, header)
        self.assertFalse(self.inbox())

    @mute_logger(CONTROLLER_LOG)
    def test_nul_in_unsigned_headers_401(self):
        body = b'{"id": "evt_s", "type": "product.updated"}'
        headers = {
            b"webhook-id": b"evt_s",
            b"webhook-timestamp": b"12\x0034",
            b"webhook-signature": b"v1,\x00",
        }
        status = self.post_raw(self.url.encode(), headers, body)
        self.assertIn(status, (400, 401))
        self.assertFalse(self.inbox())

    def test_body_postgresql_would_refuse_400(self):
        bodies = {
            "NUL escaped in the id": b'{"id": "evt\\u0000", "type": "product.updated"}',
            "NUL escaped in the type": b'{"id": "evt_t", "type": "a\\u0000b"}',
            "lone surrogate in the id": b'{"id": "\\ud800", "type": "product.updated"}',
            "raw NUL byte": b'{"id": "evt_r", "type": "product.updated"}\x00',
            "raw NUL in a string": b'{"id": "e\x00", "type": "product.updated"}',
            "invalid UTF-8": b'{"id": "evt_\xff", "type": "product.updated"}',
            "encoded surrogate": b'{"id": "evt_\xed\xa0\x80", "type": "x"}',
            "UTF-16": '{"id": "evt_16", "type": "product.updated"}'.encode("utf-16"),
            "overlong id": json.dumps(
                {"id": "e" * (MAX_ID_LENGTH + 1), "type": "product.updated"}
            ).encode(),
            "id not a string": b'{"id": {"a": 1}, "type": "product.updated"}',
            "deep nesting": b'{"id": "evt_d", "type": "x", "data": '
            + b"[" * 100000
            + b"]" * 100000
            + b"}",
        }
        for name, body in bodies.items():
            headers = self.signed_raw(body, f"dlv_{uuid.uuid4().hex}")
            with self.subTest(name):
                response = self.post(body, headers)
                self.assertEqual(response.status_code, 400, response.text)
        self.assertFalse(self.inbox())

    def test_replay_after_serialization_failure_sees_the_same_body(self):
        """Odoo replays a request after a serialization failure; the replay
        must verify the same bytes (it used to read an empty stream: 401)."""
        Inbox = type(self.env["generic.webhook"])
        original = Inbox._receive
        calls = []

        def fail_once(model, *args, **kwargs):
            calls.append(args[1])
            if len(calls) == 1:
                # A real serialization failure, raised by PostgreSQL.
                model.env.cr.execute(
                    "DO $$BEGIN RAISE EXCEPTION 'concurrent update' "
                    "USING ERRCODE = 'serialization_failure'; END$$"
                )
            return original(model, *args, **kwargs)

        body = b'{"id": "evt_replay", "type": "product.updated", "data": {"id": 1}}'
        with (
            patch.object(Inbox, "_receive", fail_once),
            patch("odoo.service.model.time.sleep"),
            mute_logger("odoo.service.model", "odoo.sql_db"),
        ):
            response = self.post(body, self.signed_raw(body, "evt_replay"))
        self.assertEqual(response.status_code, 202, response.text)
        self.assertEqual(calls, ["evt_replay", "evt_replay"])
        event = self.inbox()
        self.assertEqual(event.delivery_id, "evt_replay")
        self.assertEqual(event.delivery_count, 1)
        self.assertEqual(len(event.job_id), 1)

    @mute_logger(OUTAGE_LOG, "odoo.http")
    def test_database_unreachable_503_not_404(self):
        body = b'{"id": "evt_o", "type": "product.updated", "data": {"id": 1}}'
        refused = psycopg2.OperationalError("could not connect to server")
        with (
            patch.object(odoo.service.db, "list_dbs", side_effect=refused),
            patch.object(
                odoo.modules.registry.Registry, "check_signaling", side_effect=refused
            ),
        ):
            response = self.post(body, self.signed_raw(body, "evt_o"))
            other = self.url_open("/myconnector/not-a-webhook", data=b"{}")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.headers["Retry-After"], "5")
        self.assertEqual(other.status_code, 404)
        self.assertFalse(self.inbox())
        # Back up: the platform's retry is accepted.
        self.assertEqual(
            self.post(body, self.signed_raw(body, "evt_o")).status_code, 202
        )

    @mute_logger(OUTAGE_LOG, "odoo.http", "odoo.service.model")
    def test_connection_lost_mid_request_503(self):
        Inbox = type(self.env["generic.webhook"])
        lost = psycopg2.OperationalError("server closed the connection unexpectedly")
        body = b'{"id": "evt_l", "type": "product.updated", "data": {"id": 1}}'
        with patch.object(Inbox, "_receive", side_effect=lost):
            response = self.post(body, self.signed_raw(body, "evt_l"))
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.headers["Retry-After"], "5")
        self.assertFalse(self.inbox())

    def test_every_delivery_counted(self):
        body = b'{"id": "evt_cnt", "type": "product.updated", "data": {"id": 1}}'
        answers = [
            self.post(body, self.signed_raw(body, "evt_cnt")).status_code
            for _i in range(5)
        ]
        self.assertEqual(answers, [202, 200, 200, 200, 200])
        event = self.inbox()
        self.assertEqual(event.delivery_count, 5)
        self.assertEqual(len(event.receipt_ids), 5)
        run_jobs(self.env)
        self.assertEqual(event.state, "done")
        self.assertEqual(event.delivery_count, 5)
