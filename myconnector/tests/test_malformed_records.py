# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""R5: generated malformed remote products through the importer and mapper.

Every record either imports or fails with ``RemoteDataError`` (or an Odoo
``ValidationError``/``UserError``) whose message names the product; no other
exception escapes, so the chunk job can isolate the record with its reason.
"""

import logging
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.generic_connector.exceptions import RemoteDataError
from odoo.addons.generic_connector.tests.strategies import SETTINGS, json_values

from .common import MyConnectorCase

VALID = {
    "title": st.text(min_size=1, max_size=20),
    "price": st.decimals(min_value=0, max_value=10**6, places=2).map(str),
    "sku": st.text(max_size=12),
    "description": st.text(max_size=30),
    "updated_at": st.just("2025-01-01T00:00:00.000001Z"),
}
PRICES = st.decimals(min_value=0, max_value=10**6, places=2).map(str)
VARIANTS = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.integers(min_value=1, max_value=10**9),
            "title": st.text(min_size=1, max_size=12),
            "sku": st.text(min_size=1, max_size=12),
            "price": PRICES,
        }
    ),
    min_size=1,
    max_size=2,
    unique_by=lambda variant: variant["id"],
)
records = st.fixed_dictionaries(
    {
        "id": st.integers(min_value=1, max_value=10**9),
        # Every product has variants: valid ones, or anything at all.
        "variants": VARIANTS | json_values,
    },
    optional={name: valid | json_values for name, valid in VALID.items()},
)
DOCUMENTED = (RemoteDataError, ValidationError, UserError)
_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestMalformedRecords(MyConnectorCase):
    seed_records = 1

    def test_generated_records_import_or_fail_with_a_reason(self):
        outcomes = Counter()

        @SETTINGS
        @given(record=records)
        def check(record):
            outcomes[self.check_record(record)] += 1

        check()
        _logger.info("R5 generated records: %s", dict(outcomes))
        # Both ways were taken: the generator is not degenerate.
        self.assertTrue(outcomes["imported"] and outcomes["refused"], outcomes)

    def check_record(self, record):
        external_id = str(record["id"])
        # Each example leaves nothing behind, whatever its outcome.
        with self.env.cr.savepoint() as savepoint:
            try:
                self.import_one(external_id, record)
            except DOCUMENTED as err:
                self.assertIn(external_id, str(err))
                outcome = "refused"
            else:
                binding = self.Binding.search(
                    [
                        ("backend_id", "=", self.backend.id),
                        ("external_id", "=", external_id),
                    ]
                )
                self.assertEqual(binding.name, record["title"].strip())
                outcome = "imported"
            savepoint.rollback()
            self.env.invalidate_all()
        return outcome

    def import_one(self, external_id, record):
        with (
            self.env.cr.savepoint(),
            self.backend.work_on(self.Binding._name) as work,
        ):
            work.component(usage="record.importer").run(external_id, data=record)
            self.env.flush_all()

    def test_reason_is_readable(self):
        with (
            self.assertRaises(RemoteDataError) as caught,
            self.backend.work_on(self.Binding._name) as work,
        ):
            work.component(usage="record.importer").run(
                "9",
                data={
                    "id": 9,
                    "title": "Mug",
                    "price": "1e999",
                    "variants": [{"id": 91, "title": "M", "sku": "M", "price": "1"}],
                },
            )
        self.assertEqual(
            str(caught.exception), "MyConnector product 9 has an invalid price '1e999'"
        )
