#!/usr/bin/env bash
# `make soak`: the fault suite at the issue's full numbers, each part bounded
# in time. R1-R4 and R7 (tests/reliability) run against a 4-worker Odoo the
# suite starts itself; R5 runs the hypothesis cases of the Odoo tests with
# 1,000 examples each. `make test` runs the same cases, smaller.
source "$(dirname "$0")/common.sh"
export RELIABILITY_SCALE=soak
status=0
say "Soak: R1-R4, R7 against a 4-worker Odoo (at most 45 min)"
timeout 2700 bash "$REPO_ROOT/setup/test.sh" --only pytest -- tests/reliability -s || status=1
say "Soak: R5, generated malformed records and webhook bodies (at most 15 min)"
timeout 900 bash "$REPO_ROOT/setup/test.sh" --only odoo --addons myconnector,myconnector_webhook || status=1
exit "$status"
