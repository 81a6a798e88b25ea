#!/usr/bin/env bash
# Refresh the README's screenshots: start a `make run` instance in a fresh
# database (DEMO_DB, default myconnector_screenshots) on ODOO_PORT /
# SANDBOX_PORT (defaults 8079 / 8078), take the pictures with headless
# Chromium (setup/screenshots.py) into docs/screenshots/, stop the instance.
#
#   bash setup/screenshots.sh
source "$(dirname "$0")/common.sh"
source "$REPO_ROOT/setup/odoo_db.sh"
source "$REPO_ROOT/setup/chromium.sh"

export DEMO_DB="${DEMO_DB:-myconnector_screenshots}"
export ODOO_PORT="${ODOO_PORT:-8079}"
export SANDBOX_PORT="${SANDBOX_PORT:-8078}"
VENV="$(bash "$REPO_ROOT/setup/venv.sh")"
ensure_browser || die "no Chrome/Chromium to take the screenshots with"
use_postgres || die "no PostgreSQL server could be reached or started"

# A fresh database and sandbox data: the same pictures every time.
db_exists "$DEMO_DB" && drop_db "$DEMO_DB"
rm -f "$MYCONNECTOR_CACHE/$DEMO_DB.sandbox.sqlite" "$MYCONNECTOR_CACHE/$DEMO_DB.addons"

log="$MYCONNECTOR_CACHE/logs/screenshots-$DEMO_DB.log"
mkdir -p "$(dirname "$log")"
say "Starting make run on :$ODOO_PORT (log in $log)"
# In a session of its own: stopping it must not signal this script.
setsid bash "$REPO_ROOT/setup/run.sh" >"$log" 2>&1 &
run_pid=$!
stop_run() {
    local status=$?
    kill -TERM "$run_pid" 2>/dev/null || true
    wait "$run_pid" 2>/dev/null || true
    exit "$status"
}
trap stop_run EXIT
for _ in $(seq 600); do
    curl -fs "http://127.0.0.1:$ODOO_PORT/web/login" >/dev/null 2>&1 && break
    kill -0 "$run_pid" 2>/dev/null || die "make run stopped: see $log"
    sleep 0.5
done
"$VENV/bin/python" "$REPO_ROOT/setup/screenshots.py" \
    --odoo "http://127.0.0.1:$ODOO_PORT" --sandbox "http://127.0.0.1:$SANDBOX_PORT" \
    --db "$DEMO_DB" --out "$REPO_ROOT/docs/screenshots"
# The scripted walkthrough leaves no ERROR line in the server log: an
# expected failure (the broken product) is one WARNING line.
errors="$(grep -c -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log" || true)"
say "Server log: $errors ERROR line(s) ($(grep -c -E '^[0-9-]+ [0-9:,]+ [0-9]+ WARNING ' "$log" || true) WARNING)"
[ "$errors" = 0 ] || { grep -E -A3 '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log" >&2; die "ERROR lines in $log"; }
