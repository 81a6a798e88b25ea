#!/usr/bin/env bash
# `make bench`: the benchmarks, each bounded in time, reported as ratios
# measured in one run (never timed assertions in tests).
source "$(dirname "$0")/common.sh"
VENV="$(bash "$REPO_ROOT/setup/venv.sh")"
cd "$REPO_ROOT"
say "Transport: pooling and lazy pagination"
"$VENV/bin/python" tests/bench/bench_transport.py
say "Sandbox: 100-record pages per second"
"$VENV/bin/python" tests/sandbox/bench_sandbox.py --seconds 3
say "GraphQL: a 1,000-product walk under the sandbox's default cost limits"
"$VENV/bin/python" tests/bench/bench_graphql.py --records 1000
say "Rate budget: 4 processes against a limited account, shared bucket vs none"
"$VENV/bin/python" tests/bench/bench_ratelimit.py
say "Walk: 1,000 records x 3 calls at 50 ms each, 4 in flight vs 1, one rate budget (about 4 minutes)"
"$VENV/bin/python" tests/bench/bench_walk.py
say "Odoo paths B1-B5: import, incremental, webhook intake, memory, end to end (several minutes)"
"$VENV/bin/python" tests/bench/bench_odoo.py --products "${BENCH_PRODUCTS:-2000}"
say "B7 freshness: price changes at 20, 50 and 100/s for 30 s each, change -> visible in Odoo (a few minutes)"
"$VENV/bin/python" tests/bench/bench_freshness.py
say "Rate budget and OAuth2 token: two Odoo servers, 4 workers, one database (a few minutes)"
bash "$REPO_ROOT/setup/bench_two_servers.sh"
if [ -n "${BENCH_LARGE:-}" ]; then
    say "Large catalogue: $BENCH_LARGE products and a tenth of them, 4 workers and the job runner (opt-in)"
    "$VENV/bin/python" tests/bench/bench_large.py --products "$BENCH_LARGE"
fi
