# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""R5: generated bodies and headers through the webhook parser.

Every input is either refused with ``BadDelivery`` (an HTTP 400 with a
readable reason) or parsed into values PostgreSQL stores: the inbox row is
then really inserted, so "accepted by the parser" means "storable".
"""

import json
import logging
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from odoo.tests import tagged

from odoo.addons.generic_connector.controllers.webhook import (
    BadDelivery,
    check_headers,
    parse_delivery,
)
from odoo.addons.generic_connector.tests.strategies import (
    NASTY_TEXT,
    SETTINGS,
    json_values,
)
from odoo.addons.myconnector.tests.common import MyConnectorCase

header_values = st.text(
    st.characters(min_codepoint=0, max_codepoint=255), max_size=40
) | NASTY_TEXT.filter(lambda t: all(ord(c) < 256 for c in t))
headers = st.dictionaries(
    st.sampled_from(
        ["webhook-id", "X-Webhook-Id", "X-Event-Type", "webhook-timestamp"]
    ),
    header_values,
    max_size=3,
)
payloads = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(min_size=1, max_size=20) | json_values,
        "type": st.just("product.updated") | json_values,
        "data": json_values,
    },
)


def encode(payload):
    return json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass")


_logger = logging.getLogger(__name__)
bodies = st.binary(max_size=200) | payloads.map(encode) | json_values.map(encode)


@tagged("post_install", "-at_install")
class TestWebhookParser(MyConnectorCase):
    seed_records = 1

    def test_generated_deliveries_are_refused_or_storable(self):
        outcomes = Counter()

        @SETTINGS
        @given(body=bodies, header_map=headers)
        def check(body, header_map):
            outcomes[self.check_delivery(body, header_map)] += 1

        check()
        _logger.info("R5 generated webhook deliveries: %s", dict(outcomes))
        # Both ways were taken: the generator is not degenerate.
        self.assertTrue(outcomes["stored"] and outcomes["refused"], outcomes)

    def check_delivery(self, body, header_map):
        try:
            check_headers(header_map)
            delivery_id, event_type, event_id, text, payload = parse_delivery(
                body, header_map
            )
            subject = self.backend._webhook_subject(event_type, payload)
        except BadDelivery as err:
            self.assertEqual(err.status, 400)
            self.assertTrue(str(err))
            return "refused"
        with self.env.cr.savepoint() as savepoint:
            event, created = self.env["generic.webhook"]._receive(
                self.backend,
                delivery_id,
                event_type,
                text,
                header_map,
                event_id,
                subject=subject,
            )
            self.env.flush_all()
            self.assertEqual(event.delivery_id, delivery_id)
            self.assertTrue(created)
            savepoint.rollback()
            self.env.invalidate_all()
        return "stored"
