# Copyright 2026 MyConnector Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every lookup a product chunk makes in the catalogue's tables has an index.

A table the import writes grows with the catalogue; a query on it that no
index can serve reads it whole, at every chunk, so its cost per product
grows with the products already there (at 100,000 products, a read of
100,000 rows per chunk for each such query). The queries of a chunk of new
products are planned again here with sequential scans disabled: the planner
then takes an index wherever one can serve the query, so a sequential scan
left in a plan is a lookup with no index at all (a choice of the planner on
a small table, which a seq scan may well be, does not count).
"""

import json
import re
from contextlib import contextmanager
from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tests import tagged
from odoo.tools import SQL

from .common import MyConnectorCase


def _whole_reads(plan, leading):
    """The tables a JSON plan node (and its children) reads whole for a
    lookup: by a sequential scan, or through an index whose first column
    the lookup does not give (the whole index is read then) while no index
    of the table starts with a column it gives (on a small table the
    planner may read a wider index whole though a fitting one exists: its
    choice, not a missing index). ``leading``: ``{index name: (its table,
    its first column)}``."""
    found = set()
    node = plan.get("Node Type")
    if node == "Seq Scan":
        found.add(plan["Relation Name"])
    elif node in ("Index Scan", "Index Only Scan", "Bitmap Index Scan"):
        cond = plan.get("Index Cond")
        table, column = leading.get(plan["Index Name"], (None, None))
        firsts = {c for t, c in leading.values() if t == table}
        if (
            cond
            and column
            and not any(re.search(rf"\b{first}\b", cond) for first in firsts)
        ):
            found.add(table)
    for child in plan.get("Plans", ()):
        found |= _whole_reads(child, leading)
    return found


@tagged("post_install", "-at_install")
class TestImportLookups(MyConnectorCase):
    seed_records = 30

    def _records(self, ids):
        return [self.remote("GET", f"/api/v1/products/{i}")["data"] for i in ids]

    def _written(self):
        self.env.cr.execute(
            "SELECT relname, n_tup_ins FROM pg_stat_xact_user_tables"
            " WHERE n_tup_ins > 0"
        )
        return dict(self.env.cr.fetchall())

    @contextmanager
    def _selects(self):
        """The SELECTs run inside, as ``[(query, params)]``."""
        selects = []
        execute = Cursor.execute

        def recording(cursor, query, params=None, log_exceptions=True):
            if isinstance(query, SQL):
                query, params = query.code, query.params
            if query.lstrip()[:6].upper() == "SELECT":
                selects.append((query, params))
            return execute(cursor, query, params, log_exceptions)

        with patch.object(Cursor, "execute", recording):
            yield selects

    def _unindexed(self, selects, tables):
        """``{table: [query]}``: the queries of ``selects`` that read one of
        ``tables`` with no index, planned with sequential scans disabled."""
        found = {}
        cr = self.env.cr
        cr.execute(
            "SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text,"
            " a.attname FROM pg_index i JOIN pg_attribute a"
            " ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
        )
        leading = {index: (table, column) for index, table, column in cr.fetchall()}
        # The statistics as autovacuum would have them.
        cr.execute(SQL("ANALYZE %s", SQL(", ").join(map(SQL.identifier, tables))))
        cr.execute("SET LOCAL enable_seqscan = off")
        try:
            for query, params in selects:
                cr.execute(f"EXPLAIN (FORMAT JSON) {query}", params)
                plan = cr.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                for table in _whole_reads(plan[0]["Plan"], leading) & tables:
                    found.setdefault(table, []).append(" ".join(query.split())[:300])
        finally:
            cr.execute("SET LOCAL enable_seqscan TO DEFAULT")
        return found

    def test_a_chunk_of_products_reads_no_catalogue_table_whole(self):
        """A chunk of new products, half of them bound to the products Odoo
        has with their SKU (a first import onto an existing catalogue)."""
        binding = self.env["myconnector.product.template"]
        binding.import_chunk(self.backend, self._records(range(1, 21)))
        records = self._records(range(21, 31))
        existing = self.env["product.template"].create(
            [{"name": r["title"], "default_code": r["sku"]} for r in records[5:]]
        )
        self.env.flush_all()
        before = self._written()
        with self._selects() as selects:
            binding.import_chunk(self.backend, records)
            self.env.flush_all()
        bound = binding.search([("backend_id", "=", self.backend.id)])
        self.assertEqual(len(bound), 30)
        self.assertEqual(bound.odoo_id & existing, existing)
        after = self._written()
        grown = {t for t, n in after.items() if n > before.get(t, 0)}
        # The catalogue's tables: those the chunk added rows to.
        self.assertIn("product_template", grown)
        self.assertIn("myconnector_product_template", grown)
        self.assertIn(
            "product_attribute_value_product_template_attribute_line_rel", grown
        )
        unindexed = self._unindexed(selects, grown)
        self.assertEqual(
            unindexed,
            {},
            "catalogue tables read whole for want of an index:\n"
            + "\n".join(f"{t}: {q}" for t, qs in unindexed.items() for q in qs),
        )
