# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Companies kept apart: two companies with a backend each, each synchronised
and sent a webhook; a connector user of one reads none of the other's runs,
failures, tallies, drift lines, inbox events, receipts, timelines or import
plans."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import API_KEY, MyConnectorCase

OWNED = (
    "generic.sync.run",
    "generic.sync.run.failure",
    "generic.sync.run.tally",
    "generic.webhook",
    "generic.webhook.receipt",
    "generic.binding.version",
    "generic.sync.run.drift",
    "generic.import.plan",
    "generic.import.plan.line",
)


@tagged("post_install", "-at_install")
class TestCompaniesKeptApart(MyConnectorCase):
    seed_records = 3

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.backend.company_id
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.backend_b = cls.env["myconnector.backend"].create(
            {
                "name": "Sandbox of B",
                "company_id": cls.company_b.id,
                "base_url": cls.sandbox.url,
                "auth_type": "api_key",
                "api_key": API_KEY,
            }
        )
        for backend in cls.backend | cls.backend_b:
            backend.action_import_products()
            backend.with_context(connector_resource="products").action_plan_import()
        cls.runs = cls.env["generic.sync.run"].search([])
        cls.env["generic.webhook"]._receive(
            cls.backend, "delivery-a", "product.updated", b'{"id": 1}', {}
        )
        cls.env["generic.webhook"]._receive(
            cls.backend_b, "delivery-b", "product.updated", b'{"id": 1}', {}
        )

    def setUp(self):
        super().setUp()
        self.run_jobs(domain=[("method_name", "!=", "_process")])
        for run in self.runs:
            run._note_failure("Bad data, for the test", external_id="9")
            self.env["generic.sync.run.drift"]._record(
                run,
                [
                    {
                        "external_id": "9",
                        "drift_class": "changed_odoo",
                        "repair": "waiting",
                    }
                ],
            )

    def user(self, companies):
        return self.env["res.users"].create(
            {
                "name": f"Connector user of {companies.mapped('name')}",
                "login": f"connector-user-{'-'.join(map(str, companies.ids))}",
                "company_id": companies[0].id,
                "company_ids": [Command.set(companies.ids)],
                "groups_id": [
                    Command.link(self.env.ref("base.group_user").id),
                    Command.link(
                        self.env.ref(
                            "generic_connector.generic_connector_group_user"
                        ).id
                    ),
                ],
            }
        )

    def of_company(self, model, company):
        """Everything of ``model`` the company owns, read as superuser."""
        records = self.env[model].sudo().search([])
        company_of = {
            "generic.sync.run.tally": lambda r: r.run_id.company_id,
            "generic.sync.run.drift": lambda r: r.run_id.company_id,
            "generic.import.plan.line": lambda r: r.plan_id.company_id,
            "generic.webhook.receipt": lambda r: r.webhook_id.company_id,
        }.get(model, lambda r: r.company_id)
        return records.filtered(lambda r: company_of(r) == company)

    def test_each_record_carries_its_backend_company(self):
        for model in OWNED:
            with self.subTest(model=model):
                self.assertTrue(self.of_company(model, self.company_a), model)
                self.assertTrue(self.of_company(model, self.company_b), model)
        self.assertFalse(
            self.env["generic.webhook"].search([("company_id", "=", False)]),
            "the intake's SQL insert writes the company",
        )

    def test_a_user_of_one_company_reads_none_of_the_other(self):
        user_a = self.user(self.company_a)
        for model in OWNED:
            with self.subTest(model=model):
                mine = self.of_company(model, self.company_a)
                theirs = self.of_company(model, self.company_b)
                self.assertEqual(self.env[model].with_user(user_a).search([]), mine)
                with self.assertRaises(AccessError):
                    theirs.with_user(user_a).read(["id"])
        # Through the records they can read, no more: a run's counts and
        # failures are its own company's.
        run_b = self.of_company("generic.sync.run", self.company_b)[:1]
        run_a = self.of_company("generic.sync.run", self.company_a)[:1]
        self.assertEqual(run_a.with_user(user_a).failure_ids.run_id, run_a)
        with self.assertRaises(AccessError):
            run_b.with_user(user_a).failure_ids.read(["reason"])

    def test_a_user_of_both_companies_reads_both(self):
        user_ab = self.user(self.company_a | self.company_b)
        for model in OWNED:
            with self.subTest(model=model):
                both = self.of_company(model, self.company_a) | self.of_company(
                    model, self.company_b
                )
                self.assertEqual(self.env[model].with_user(user_ab).search([]), both)
