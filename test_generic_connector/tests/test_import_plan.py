# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Import plans, framework only: every action a plan can decide, nothing
written by planning, and Apply doing what was planned and nothing else."""

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.generic_connector.tests.common import (
    MockAdapter,
    mock_adapter,
    run_jobs,
)
from odoo.addons.generic_connector.transport import AuthError

from .common import TestConnectorCase, tag

OLD, NEW = "2026-01-01T00:00:00.000001Z", "2026-02-01T00:00:00.000001Z"


@tagged("post_install", "-at_install")
class TestImportPlan(TestConnectorCase):
    def setUp(self):
        super().setUp()
        self.import_tags(
            MockAdapter({"list": [tag(1, "Same"), tag(2, "Old name"), tag(5, "Gone")]})
        )
        self.retail = self.env["res.partner.category"].create({"name": "Retail"})
        self.backend.bind_tags_by_name = True
        # A full walk, as a first import would be: it can see deletions.
        self.backend.categories_imported_until = False
        self.adapter = MockAdapter(
            {
                "list": [
                    tag(1, "Same"),
                    tag(2, "New name", updated_at=NEW),
                    tag(3, "Retail"),
                    tag(4, "Wholesale"),
                    tag(6, "Bad", updated_at="not a date"),
                ]
            }
        )

    def state(self):
        tags = self.env["res.partner.category"].with_context(active_test=False)
        return {
            "tags": sorted(tags.search([]).mapped("name")),
            "active tags": tags.search_count([("active", "=", True)]),
            "bindings": sorted(self.bindings().mapped("external_id")),
        }

    def test_plan_decides_every_action_and_apply_does_them(self):
        before = self.state()
        action = self.backend.with_context(
            connector_resource="categories"
        ).action_plan_import()
        plan = self.env["generic.import.plan"].browse(action["res_id"])
        with mock_adapter(self.adapter):
            run_jobs(self.env)
        self.assertEqual(plan.state, "ready")
        self.assertEqual(self.state(), before, "the plan wrote records")
        lines = {line.external_id: line for line in plan.line_ids}
        self.assertEqual(
            {key: line.action for key, line in lines.items()},
            {
                "1": "skip",
                "2": "update",
                "3": "bind",
                "4": "create",
                "5": "archive",
                "6": "fail",
            },
        )
        self.assertEqual(lines["3"].res_id, self.retail.id)
        self.assertIn("same", lines["3"].reason)
        self.assertIn("invalid updated_at", lines["6"].reason)

        plan.action_apply()
        with mock_adapter(MockAdapter()):  # Apply reads nothing remote
            run_jobs(self.env)
        self.assertEqual(plan.run_id.state, "done", plan.run_id.message)
        bindings = {b.external_id: b for b in self.bindings()}
        self.assertEqual(sorted(bindings), ["1", "2", "3", "4", "5"])
        self.assertEqual(bindings["2"].name, "New name")
        self.assertEqual(bindings["3"].odoo_id, self.retail)
        self.assertFalse(bindings["5"].active)
        self.assertEqual(self.backend.categories_imported_until, plan.watermark)

    def test_apply_creates_a_planned_creation_that_now_matches(self):
        """The plan said create: a tag named alike since is not bound."""
        self.backend.bind_tags_by_name = False
        plan = self.env["generic.import.plan"]._start(self.backend, "categories")
        with mock_adapter(self.adapter):
            run_jobs(self.env)
        self.assertEqual(
            plan.line_ids.filtered(lambda line: line.external_id == "3").action,
            "create",
        )
        self.backend.bind_tags_by_name = True
        plan.action_apply()
        with mock_adapter(MockAdapter()):
            run_jobs(self.env)
        binding = self.bindings().filtered(lambda b: b.external_id == "3")
        self.assertNotEqual(binding.odoo_id, self.retail)

    def test_a_plan_that_cannot_be_made_says_why(self):
        plan = self.env["generic.import.plan"]._start(self.backend, "categories")
        refusing = MockAdapter({"list": AuthError("the API key was refused")})
        with mock_adapter(refusing), mute_logger("odoo.addons.queue_job"):
            run_jobs(self.env)
        self.assertEqual((plan.state, plan.job_state), ("planning", "failed"))
        self.assertIn("refused our credentials", plan.job_error)
        self.assertFalse(plan.line_ids)
