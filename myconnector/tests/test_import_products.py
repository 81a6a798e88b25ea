# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import contextmanager
from itertools import islice
from unittest import mock

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.generic_connector.components.chunk_importer import GenericChunkImporter
from odoo.addons.queue_job.exception import RetryableJobError

from .common import VARIANT_MODEL, MyConnectorCase


@tagged("post_install", "-at_install")
class TestImportProducts(MyConnectorCase):
    seed_records = 250

    def test_import_then_again_then_incremental(self):
        self.backend.action_import_products()
        outcomes = self.run_jobs()
        self.assertEqual(outcomes["failed"], 0)
        # Three pages of 100, each asked once.
        served = self.remote("GET", "/admin/stats")["requests"]
        self.assertEqual(served["GET /api/v1/products"], 3)
        remote = self.assertMatchesRemote()
        self.assertEqual(len(remote), 250)
        # 250 products in chunks of 50: five chunk jobs, not one per record.
        self.assertEqual(len(self.job_results("import_chunk")), 5)
        self.assertTrue(self.backend.products_imported_until)
        before = self.snapshot()

        # Again: nothing changed since the watermark, nothing is fetched.
        first_run = self.env["queue.job"].search([])
        self.backend.action_import_products()
        self.run_jobs()
        self.assertEqual(self.snapshot(), before)
        new_jobs = self.env["queue.job"].search([("id", "not in", first_run.ids)])
        self.assertNotIn("import_chunk", new_jobs.mapped("method_name"))

        # A full re-import reads every product again and skips them all.
        self.backend.with_delay()._import_products(since=None)
        self.run_jobs()
        self.assertEqual(self.snapshot(), before)
        chunks = self.env["queue.job"].search(
            [("method_name", "=", "import_chunk"), ("id", "not in", first_run.ids)]
        )
        self.assertEqual(len(chunks), 5)
        for result in chunks.mapped("result"):
            self.assertEqual(result, "created: 0, updated: 0, skipped: 50")

        # Five products change remotely: the next run updates exactly those.
        changed = sorted(remote)[10:15]
        for external_id in changed:
            self.remote(
                "PATCH",
                f"/api/v1/products/{external_id}",
                json={"price": "123.45", "title": f"Changed {external_id}"},
            )
        self.backend.action_import_products()
        self.run_jobs()
        after = self.snapshot()
        self.assertEqual(
            sorted(k for k in after if after[k] != before[k]), sorted(changed)
        )
        for external_id in changed:
            self.assertEqual(after[external_id][0], f"Changed {external_id}")
            self.assertEqual(after[external_id][1], 123.45)
        self.assertMatchesRemote()

    def test_watermark_stays_when_a_chunk_fails(self):
        self.backend.import_chunk_size = 100
        self.backend.action_import_products()
        self.run_jobs(domain=[("method_name", "!=", "_sync_finalize")])
        chunk = self.env["queue.job"].search(
            [("method_name", "=", "import_chunk")], limit=1
        )
        chunk.write({"state": "failed", "exc_info": "simulated"})
        self.run_jobs()
        self.assertFalse(self.backend.products_imported_until)
        finalize = self.env["queue.job"].search(
            [("method_name", "=", "_sync_finalize")]
        )
        self.assertEqual(finalize.state, "failed")
        self.assertIn("watermark stays", finalize.exc_message)


@tagged("post_install", "-at_install")
class TestImportUnderFaults(MyConnectorCase):
    """20 % of API calls answer 5xx and 10 % answer 429: the import still ends
    with exactly the sandbox's products, and no duplicates."""

    seed_records = 250
    sandbox_options = {
        "faults": {"* /api/v1/*": {"error_rate": 0.2, "rate_limit_rate": 0.1}},
        "fault_seed": 7,
    }

    def test_import_survives_faults(self):
        self.backend.page_size = 50  # more calls, more faults
        self.backend.action_import_products()
        outcomes = self.run_jobs()
        self.assertEqual(outcomes["failed"], 0)
        bindings = self.bindings()
        self.assertEqual(len(bindings), 250)
        self.assertEqual(len(set(bindings.mapped("external_id"))), 250)
        self.assertEqual(len(bindings.mapped("odoo_id")), 250)
        self.sandbox.faults.clear()
        self.assertEqual(
            set(bindings.mapped("external_id")), set(self.remote_products())
        )


@tagged("post_install", "-at_install")
class TestMalformedRecord(MyConnectorCase):
    """A malformed remote product fails alone, with its reason visible to the
    admin, while the rest of its chunk and of the run proceeds."""

    seed_records = 60

    def test_bad_record_isolated_then_recovered(self):
        self.remote(
            "POST", "/admin/corrupt", json={"product_id": 7, "fields": {"price": "n/a"}}
        )
        self.backend.action_import_products()
        outcomes = self.run_jobs()
        # The record's own job, and the run's end which refuses to move the
        # watermark past a record that did not import.
        self.assertEqual(outcomes["failed"], 2)
        self.assertEqual(len(self.bindings()), 59)
        self.assertNotIn("7", self.bindings().mapped("external_id"))
        chunks = self.env["queue.job"].search([("method_name", "=", "import_chunk")])
        self.assertEqual(set(chunks.mapped("state")), {"done"})
        self.assertIn("isolated in their own job: 7", " ".join(chunks.mapped("result")))
        failed = self.env["queue.job"].search(
            [("state", "=", "failed"), ("method_name", "=", "import_record")]
        )
        self.assertEqual(len(failed), 1)
        self.assertIn("product 7 has an invalid price 'n/a'", failed.exc_message)
        # The run did not fully succeed: the watermark does not move.
        self.assertFalse(self.backend.products_imported_until)
        finalize = self.env["queue.job"].search(
            [("method_name", "=", "_sync_finalize")]
        )
        self.assertIn("Import MyConnector Product 7", finalize.exc_message)

        # Fixed remotely, the admin requeues the failed job: nothing was lost.
        self.remote("PATCH", "/api/v1/products/7", json={"price": "12.50"})
        failed.requeue()
        self.run_jobs()
        self.assertEqual(len(self.bindings()), 60)
        self.assertEqual(
            self.Binding.search([("external_id", "=", "7")]).list_price, 12.5
        )

    def test_bad_variant_fails_its_product_alone(self):
        """A variant's bad price fails its product while the chunk prepares
        it (the mapper checks the variants): it fails alone, with its reason,
        and the rest of the chunk is created with its variants bound. A
        record refused only after the chunk's ``create()`` is
        ``TestChunkVariants.test_record_refused_after_the_chunks_create``."""
        product = self.remote("GET", "/api/v1/products/7")["data"]
        variants = product["variants"]
        variants[-1]["price"] = "n/a"
        self.remote(
            "POST",
            "/admin/corrupt",
            json={"product_id": 7, "fields": {"variants": variants}},
        )
        self.backend.action_import_products()
        outcomes = self.run_jobs()
        self.assertEqual(outcomes["failed"], 2)
        self.assertEqual(len(self.bindings()), 59)
        self.assertNotIn("7", self.bindings().mapped("external_id"))
        chunks = self.env["queue.job"].search([("method_name", "=", "import_chunk")])
        self.assertIn("isolated in their own job: 7", " ".join(chunks.mapped("result")))
        self.assertIn("created: 49", " ".join(chunks.mapped("result")))
        failed = self.env["queue.job"].search(
            [("state", "=", "failed"), ("method_name", "=", "import_record")]
        )
        self.assertIn(
            f"variant {variants[-1]['id']} has an invalid price 'n/a'",
            failed.exc_message,
        )
        remote = self.remote_products()
        expected = sum(len(p["variants"]) for i, p in remote.items() if i != "7")
        self.assertEqual(len(self.variant_bindings()), expected)


REFUSED_SKU = "SKU-REFUSED"


@tagged("post_install", "-at_install")
class TestChunkVariants(MyConnectorCase):
    """The new products of a chunk get their variants together
    (``_after_import_batch``): bindings found in one search and created in
    one ``create()``, with the same result as one by one."""

    seed_records = 20

    @contextmanager
    def variant_binding_creates(self):
        """The sizes of the ``create()`` calls of variant bindings in the
        block, in order."""
        Binding = type(self.env[VARIANT_MODEL])
        create, sizes = Binding.create, []

        def counting_create(model, vals_list):
            sizes.append(len(vals_list) if isinstance(vals_list, list) else 1)
            return create(model, vals_list)

        with mock.patch.object(Binding, "create", counting_create):
            yield sizes

    @contextmanager
    def refusing_sku(self, sku):
        """Odoo refuses ``sku`` on a variant (as a rule of the database on
        internal references would), which the import learns only once the
        product is created."""
        Product = type(self.env["product.product"])
        write = Product.write

        def refusing_write(records, vals):
            if vals.get("default_code") == sku:
                raise ValidationError(f"The internal reference {sku} is refused")
            return write(records, vals)

        with mock.patch.object(Product, "write", refusing_write):
            yield

    def multi_variant(self, remote):
        ids = sorted((i for i, p in remote.items() if len(p["variants"]) > 1), key=int)
        self.assertGreaterEqual(len(ids), 3, "the seed has multi-variant products")
        return ids

    def test_chunk_variants_in_one_batch(self):
        remote = self.remote_products()
        self.multi_variant(remote)
        with self.variant_binding_creates() as creates:
            self.backend.action_import_products()
            outcomes = self.run_jobs()
        self.assertEqual(outcomes["failed"], 0)
        self.assertEqual(
            self.job_results("import_chunk"), ["created: 20, updated: 0, skipped: 0"]
        )
        # One chunk: every variant binding of it made by one create().
        self.assertEqual(creates, [sum(len(p["variants"]) for p in remote.values())])
        self.assertMatchesRemote()

        # A full re-import reads them all again: nothing created or changed.
        before = self.snapshot()
        with self.variant_binding_creates() as creates:
            self.backend.with_delay()._import_products(since=None)
            self.run_jobs()
        self.assertEqual(creates, [])
        self.assertEqual(self.snapshot(), before)
        self.assertMatchesRemote()

    def test_record_refused_after_the_chunks_create(self):
        """A product Odoo refuses after the chunk's create() (a variant's
        SKU) makes the chunk import its new products one by one: it fails
        alone, with its reason, and leaves nothing behind; the others get
        their variants, SKUs, prices and bindings."""
        remote = self.remote_products()
        bad = self.multi_variant(remote)[1]
        variants = remote[bad]["variants"]
        variants[-1]["sku"] = REFUSED_SKU
        self.remote(
            "POST",
            "/admin/corrupt",
            json={"product_id": int(bad), "fields": {"variants": variants}},
        )
        with self.refusing_sku(REFUSED_SKU), self.variant_binding_creates() as creates:
            self.backend.action_import_products()
            outcomes = self.run_jobs()
        # The product's own job, and the run's end (the watermark stays).
        self.assertEqual(outcomes["failed"], 2)
        self.assertEqual(
            self.job_results("import_chunk"),
            [f"created: 19, updated: 0, skipped: 0; isolated in their own job: {bad}"],
        )
        failed = self.env["queue.job"].search(
            [("state", "=", "failed"), ("method_name", "=", "import_record")]
        )
        self.assertIn(
            f"internal reference {REFUSED_SKU} is refused", failed.exc_message
        )
        # The batch was rolled back before its variant bindings: one
        # create() per product after it.
        self.assertEqual(
            sorted(creates),
            sorted(len(p["variants"]) for i, p in remote.items() if i != bad),
        )
        bindings = self.bindings()
        self.assertEqual(set(bindings.mapped("external_id")), set(remote) - {bad})
        for binding in bindings:
            self.assertVariantsMatch(binding, remote[binding.external_id]["variants"])
        bad_variant_ids = {str(v["id"]) for v in variants}
        self.assertFalse(
            self.variant_bindings().filtered(lambda b: b.external_id in bad_variant_ids)
        )
        self.assertFalse(
            self.env["product.template"].search([("name", "=", remote[bad]["title"])])
        )

        # Once Odoo takes the SKU, the failed job imports it.
        failed.requeue()
        self.run_jobs()
        self.assertMatchesRemote()


@tagged("post_install", "-at_install")
class TestBoundConcurrently(MyConnectorCase):
    """Another job bound the record after this job's snapshot was taken: the
    job does not see the binding, and its insert meets the committed one.
    Played here by a binder that misses the binding this transaction has."""

    seed_records = 3

    def blind_binder(self):
        with self.backend.work_on(self.Binding._name) as work:
            binder = type(work.component(usage="binder"))
        return mock.patch.object(
            binder, "to_internal", lambda self, *args, **kwargs: self.model.browse()
        )

    @mute_logger("odoo.sql_db")  # the unique violation is the point
    def test_record_job_retried_not_failed(self):
        self.Binding.import_record(self.backend, "2")
        with (
            self.blind_binder(),
            self.assertRaises(RetryableJobError) as raised,
            self.env.cr.savepoint(),
        ):
            self.Binding.import_record(self.backend, "2", force=True)
        self.assertIn("bound by another job", str(raised.exception))

    @mute_logger("odoo.sql_db")
    def test_chunk_retried_not_isolated(self):
        self.Binding.import_record(self.backend, "2")
        records = [self.remote("GET", f"/api/v1/products/{i}")["data"] for i in (1, 2)]
        with (
            self.blind_binder(),
            mock.patch.object(GenericChunkImporter, "_chunk_bindings", lambda *a: {}),
            self.assertRaises(RetryableJobError),
            self.env.cr.savepoint(),
        ):
            self.Binding.import_chunk(self.backend, records)
        # Not handed to an isolated job: the whole chunk is retried.
        self.assertFalse(
            self.env["queue.job"].search([("method_name", "=", "import_record")])
        )


@tagged("post_install", "-at_install")
class TestChunkLocks(MyConnectorCase):
    seed_records = 20

    def test_chunk_locks_its_records_in_one_statement(self):
        """A chunk takes its records' advisory locks in one query, not one
        per record (B1's queries per product)."""
        with self.backend.work_on(self.Binding._name) as work:
            adapter = work.component(usage="backend.adapter")
            records = list(islice(adapter.iterate_all(), 20))
        self.Binding.import_chunk(self.backend, records)
        self.env.flush_all()
        with self.assertLogs("odoo.sql_db", "DEBUG") as logs:
            self.Binding.import_chunk(self.backend, records)
            self.env.flush_all()
        locks = [line for line in logs.output if "pg_try_advisory_xact_lock" in line]
        self.assertEqual(len(locks), 1, locks[:3])
