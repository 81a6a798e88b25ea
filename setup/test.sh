#!/usr/bin/env bash
# `make test`: lint, the pure tests, the Odoo tests, one closing count.
#
#   setup/test.sh [--only lint|pytest|no-odoo|odoo] [--addons a,b] [-- extra pytest args]
#
# The Odoo tests run in a fresh throwaway database (a copy of a template with
# the dependencies installed), with --test-enable and test tags limited to
# our addons; Odoo's own result line decides, the database is dropped after.
# Where no Odoo can be had they are skipped, loudly, and the rest still runs.
source "$(dirname "$0")/common.sh"
source "$REPO_ROOT/setup/odoo_db.sh"
source "$REPO_ROOT/setup/chromium.sh"

# The suite's addons, and the one that exists only for the tests (the
# framework tested on its own; never installed by make run, never shipped).
only="" addons="$ADDONS,test_generic_connector,example_drf_connector"
while [ $# -gt 0 ]; do
    case "$1" in
        --only) only="$2"; shift 2 ;;
        --addons) addons="$2"; shift 2 ;;
        --) shift; break ;;
        *) die "unknown option $1 (see the header of $0)" ;;
    esac
done
wants() { [ -z "$only" ] || [ "$only" = "$1" ]; }

VENV="$(bash "$REPO_ROOT/setup/venv.sh")"
export VENV
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
cd "$REPO_ROOT"

if wants lint; then
    say "Lint: ruff"
    "$VENV/bin/ruff" check . && "$VENV/bin/ruff" format --check . || status=1
    say "Lint: pylint-odoo (OCA mandatory checks)"
    "$VENV/bin/pylint" --rcfile=.pylintrc-mandatory generic_connector myconnector myconnector_webhook \
        test_generic_connector example_drf_connector || status=1
    [ "$status" = 0 ] || warn "lint failed"
fi

if wants pytest; then
    say "Pure tests: pytest tests/"
    touch "$results/pytest.expected"
    "$VENV/bin/python" -m pytest -m "not bench" --junitxml="$results/pytest.xml" "$@" || true
fi

# What a machine without Odoo runs: the transport's tests in a virtualenv
# built with Odoo hidden (no Odoo requirements, psycopg2 among them, and no
# OCA wheels). Built once, then reused; the first build takes a minute.
if wants no-odoo; then
    say "Pure tests without Odoo: tests/transport in a virtualenv without Odoo's requirements"
    touch "$results/pytest-no-odoo.expected"
    pure_venv="$(VENV="$MYCONNECTOR_CACHE/venv-no-odoo" ODOO_SRC=/nonexistent-odoo bash "$REPO_ROOT/setup/venv.sh")"
    "$pure_venv/bin/python" -m pytest -q -m "not bench" -p no:cacheprovider \
        --junitxml="$results/pytest-no-odoo.xml" tests/transport tests/test_docs.py || true
fi

if wants odoo; then
    find_odoo "$VENV/bin/python"
    if [ -z "$ODOO_SRC" ]; then
        warn "ODOO TESTS SKIPPED: $ODOO_MISSING"
        echo "skipped: $ODOO_MISSING" >"$results/odoo.skipped"
    elif ! use_postgres; then
        warn "ODOO TESTS SKIPPED: no PostgreSQL server could be reached or started (see above)"
        echo "skipped: no PostgreSQL server" >"$results/odoo.skipped"
    else
        say "Odoo tests with Odoo $(odoo_version "$ODOO_SRC") at $ODOO_SRC"
        ensure_browser || echo "no Chrome/Chromium" >"$results/tours.skipped"
        template="$(template_db)"
        db="myconnector_test_$$"
        trap 'drop_db "$db"; rm -rf "$results"' EXIT
        copy_db "$template" "$db"
        # TEST_TAGS narrows the run (e.g. TEST_TAGS=/myconnector:TestInventory).
        tags="${TEST_TAGS:-$(echo "$addons" | sed 's/\([^,]*\)/\/\1/g')}"
        odoo_bin -d "$db" -i "$addons" --test-enable --test-tags "$tags" \
            --stop-after-init --workers=0 --http-port="${ODOO_TEST_HTTP_PORT:-8169}" \
            --log-level=info 2>&1 | tee "$results/odoo.log" | grep -v "^$" || true
        echo "${PIPESTATUS[0]}" >"$results/odoo.rc"
    fi
fi

if wants pytest || wants odoo || wants no-odoo; then
    "$VENV/bin/python" "$REPO_ROOT/setup/summary.py" "$results" || status=1
fi
exit "$status"
