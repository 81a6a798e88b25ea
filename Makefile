# The suite's entry points. See README.md.
#   make run     Odoo 17 with the suite on http://localhost:8069 (+ a seeded sandbox)
#   make test    lint + pure tests + Odoo tests, one closing count
#   make lint    ruff and pylint-odoo only
#   make bench   benchmarks (ratios measured in one run)
#   make bench-large   opt-in: BENCH_LARGE products (100000) and BENCH_LARGE/10
#                through a 4-worker Odoo and its job runner, end to end
#                (docs/PERFORMANCE_LARGE.md); BENCH_LARGE=10000 for a quick one
#   make soak    the fault suite at full size (bounded to one hour)
SHELL := /bin/bash
ADDONS ?= generic_connector,myconnector,myconnector_webhook

.PHONY: run test lint pytest odoo-test bench bench-large soak venv clean-db format

run:
	@bash setup/run.sh

test:
	@bash setup/test.sh

lint:
	@bash setup/test.sh --only lint

pytest:
	@bash setup/test.sh --only pytest

# One addon's Odoo tests: make odoo-test ADDONS=myconnector
odoo-test:
	@bash setup/test.sh --only odoo --addons $(ADDONS)

bench:
	@bash setup/bench.sh

BENCH_LARGE ?= 100000
bench-large:
	@"$$(bash setup/venv.sh)/bin/python" tests/bench/bench_large.py --products $(BENCH_LARGE)

# The fault suite at the issue's numbers (setup/soak.sh); `make test` runs
# the same cases, smaller.
soak:
	@bash setup/soak.sh

venv:
	@bash setup/venv.sh

format:
	@"$$(bash setup/venv.sh)/bin/ruff" format . && "$$(bash setup/venv.sh)/bin/ruff" check --fix .
