#!/usr/bin/env bash
# `make run`: Odoo 17 with the suite on http://localhost:8069, beside a seeded
# sandbox platform on http://127.0.0.1:8070 (its data kept in SQLite), wired
# together.
#
# The first time it creates the database (DEMO_DB, default myconnector_demo)
# with the three addons; every time it (re)starts the sandbox, points the demo
# backend at it and registers its webhook subscription, then serves Odoo with
# workers and the queue_job runner. Safe to run again; Ctrl-C stops all it
# started.
source "$(dirname "$0")/common.sh"
source "$REPO_ROOT/setup/odoo_db.sh"

DEMO_DB="${DEMO_DB:-myconnector_demo}"
ODOO_PORT="${ODOO_PORT:-8069}"
SANDBOX_PORT="${SANDBOX_PORT:-8070}"
SANDBOX_RECORDS="${SANDBOX_RECORDS:-250}"

VENV="$(bash "$REPO_ROOT/setup/venv.sh")"
export VENV
find_odoo "$VENV/bin/python"
[ -n "$ODOO_SRC" ] || die "$ODOO_MISSING"
use_postgres || die "no PostgreSQL server could be reached or started (see above)"
say "Odoo $(odoo_version "$ODOO_SRC") at $ODOO_SRC, PostgreSQL ${PGHOST:-local socket}:${PGPORT}"

pids=()
cleanup() {
    trap - INT TERM EXIT
    say "Stopping"
    # Odoo runs under a shell function's subshell: signal its children too
    # (Odoo's master then stops its workers and the job runner).
    for pid in "${pids[@]}"; do
        pkill -TERM -P "$pid" 2>/dev/null || true
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_busy "$ODOO_PORT" && die "port $ODOO_PORT is in use: stop what listens there, or set ODOO_PORT"
port_busy "$SANDBOX_PORT" && die "port $SANDBOX_PORT is in use: stop what listens there, or set SANDBOX_PORT"

mkdir -p "$MYCONNECTOR_CACHE/logs"
# The sandbox keeps its data in SQLite beside the demo database, so that both
# remember the same state across restarts (they are dropped together below).
sandbox_db="$MYCONNECTOR_CACHE/$DEMO_DB.sandbox.sqlite"
db_exists "$DEMO_DB" || rm -f "$sandbox_db"
say "Starting the sandbox platform on http://127.0.0.1:$SANDBOX_PORT ($SANDBOX_RECORDS products, data in $sandbox_db)"
(cd "$REPO_ROOT" && exec "$VENV/bin/python" -m sandbox --port "$SANDBOX_PORT" \
    --seed-records "$SANDBOX_RECORDS" --db "$sandbox_db") >"$MYCONNECTOR_CACHE/logs/$DEMO_DB.sandbox.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
    curl -fs "http://127.0.0.1:$SANDBOX_PORT/admin/health" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fs "http://127.0.0.1:$SANDBOX_PORT/admin/health" >/dev/null ||
    die "the sandbox did not start: see $MYCONNECTOR_CACHE/logs/$DEMO_DB.sandbox.log"

# The addons' code, fingerprinted: when it changed since the database last
# saw it, the addons are updated (new fields, views, data) before serving.
addons_hash="$(cd "$REPO_ROOT" && find ${ADDONS//,/ } -type f \( -name '*.py' -o -name '*.xml' -o -name '*.csv' \) \
    -not -path '*/tests/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
stamp="$MYCONNECTOR_CACHE/$DEMO_DB.addons"
if ! db_exists "$DEMO_DB"; then
    say "Creating the database $DEMO_DB with $ADDONS (first run only)"
    copy_db "$(template_db)" "$DEMO_DB"
    odoo_bin -d "$DEMO_DB" -i "$ADDONS" --without-demo=all --stop-after-init \
        --log-level=warn || { drop_db "$DEMO_DB"; die "installing the addons failed"; }
    echo "$addons_hash" >"$stamp"
elif [ "$(cat "$stamp" 2>/dev/null)" != "$addons_hash" ]; then
    say "The addons changed since $DEMO_DB last saw them: updating them"
    odoo_bin -d "$DEMO_DB" -u "$ADDONS" --stop-after-init --log-level=warn ||
        die "updating the addons in $DEMO_DB failed (see above)"
    echo "$addons_hash" >"$stamp"
fi

say "Pointing the demo backend at the sandbox and registering its webhook"
SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT" ODOO_URL="http://127.0.0.1:$ODOO_PORT" \
    odoo_bin shell -d "$DEMO_DB" --no-http --log-level=warn <"$REPO_ROOT/setup/demo.py" ||
    die "configuring the demo backend failed"

conf="$MYCONNECTOR_CACHE/odoo-run.conf"
cat >"$conf" <<CONF
[options]
admin_passwd = admin
; db_name alone, no dbfilter: Odoo serves this database without listing
; PostgreSQL's databases at each request without a session (webhooks, job
; dispatches); a dbfilter costs a query per such request.
db_name = $DEMO_DB
list_db = False
http_port = $ODOO_PORT
; Threaded (workers = 0): one process serves HTTP and the websocket of live
; updates on the same port, with no proxy in front (with workers, /websocket
; would need a proxy routing it to the gevent port). The job runner and the
; cron run in threads of it.
workers = 0
max_cron_threads = 1
server_wide_modules = web,queue_job
proxy_mode = False

[queue_job]
channels = root:2,root.myconnector:2
CONF

cat >&2 <<MSG

  Odoo:     http://localhost:$ODOO_PORT   (login: admin, password: admin)
  Sandbox:  http://127.0.0.1:$SANDBOX_PORT/api/v1/openapi.json
  Logs:     Odoo below; sandbox in $MYCONNECTOR_CACHE/logs/$DEMO_DB.sandbox.log
  Stop:     Ctrl-C

MSG
odoo_bin -c "$conf" -d "$DEMO_DB" &
pids+=($!)
wait "${pids[-1]}"
