#!/usr/bin/env bash
# Two Odoo servers on one database, each with 2 workers and its own job
# runner and data directory, behind a round-robin forwarder (the load
# balancer: queue_job elects one runner per database, which sends every job
# to its [queue_job] host/port), importing 500 products one job per product
# (the way webhooks make them) from a sandbox that allows RATE_LIMIT calls per
# RATE_WINDOW seconds and issues OAuth2 tokens living TOKEN_TTL seconds.
# Reports, from the sandbox's own counts: calls, 429s, tokens issued, and the
# achieved call rate over the allowed one. A throwaway database and data
# directories, removed at the end; ports BENCH_PORT..BENCH_PORT+12.
source "$(dirname "$0")/common.sh"
source "$REPO_ROOT/setup/odoo_db.sh"

BENCH_PORT="${BENCH_PORT:-8800}"
# Below what 4 Odoo workers do on a small machine, so the budget binds.
RATE_LIMIT="${RATE_LIMIT:-40}"
RATE_WINDOW="${RATE_WINDOW:-10}"
RATE_BURST="${RATE_BURST:-1}"
TOKEN_TTL="${TOKEN_TTL:-5}"
PRODUCTS="${PRODUCTS:-500}"

VENV="$(bash "$REPO_ROOT/setup/venv.sh")"
export VENV
find_odoo "$VENV/bin/python"
[ -n "$ODOO_SRC" ] || die "$ODOO_MISSING"
use_postgres || die "no PostgreSQL server could be reached or started (see above)"

db="gc_two_servers_$$"
work="$(mktemp -d)"
pids=()
cleanup() {
    trap - INT TERM EXIT
    # Odoo runs in odoo_bin's subshell: stop its master (which stops its
    # workers and job runner), then the subshell; errexit must not cut this.
    local pid
    for pid in "${pids[@]}"; do
        pkill -TERM -P "$pid" 2>/dev/null || true
        kill -TERM "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    # The master may exit before its workers and job runner: wait for every
    # process of this run's configuration to end before the database and
    # the log files they still use go away.
    for _ in $(seq 30); do
        pgrep -f "$work/" >/dev/null || break
        sleep 1
    done
    pkill -KILL -f "$work/" 2>/dev/null || true
    psql -d postgres -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work" "$ODOO_DATA_DIR/filestore/$db"
    return 0
}
trap cleanup INT TERM EXIT

copy_db "$(template_db)" "$db"
odoo_bin -d "$db" -i "$ADDONS" --without-demo=all --stop-after-init --log-level=warn ||
    die "installing the suite into $db failed"

sandbox_url="http://127.0.0.1:$((BENCH_PORT + 12))"
"$VENV/bin/python" -m sandbox --port "$((BENCH_PORT + 12))" --seed-records "$PRODUCTS" \
    --rate-limit "$RATE_LIMIT" --rate-window "$RATE_WINDOW" --token-ttl "$TOKEN_TTL" \
    >"$work/sandbox.log" 2>&1 &
pids+=($!)

SANDBOX_URL="$sandbox_url" RATE_LIMIT="$RATE_LIMIT" RATE_WINDOW="$RATE_WINDOW" RATE_BURST="$RATE_BURST" \
    odoo_bin shell -d "$db" --no-http --log-level=warn <<'PY' || die "backend set-up failed"
import os
env["myconnector.backend"].create({
    "name": "Bench", "base_url": os.environ["SANDBOX_URL"], "auth_type": "oauth2",
    "oauth_token_url": os.environ["SANDBOX_URL"] + "/oauth/token",
    "oauth_client_id": "demo-client", "oauth_client_secret": "demo-secret",
    "rate_limit_requests": int(os.environ["RATE_LIMIT"]),
    "rate_limit_window": float(os.environ["RATE_WINDOW"]), "rate_limit_burst": int(os.environ["RATE_BURST"]),
})
env.cr.commit()
PY

for side in a b; do
    offset=$([ "$side" = a ] && echo 0 || echo 4)
    cat >"$work/$side.conf" <<CONF
[options]
db_name = $db
list_db = False
data_dir = $work/data-$side
http_port = $((BENCH_PORT + offset))
gevent_port = $((BENCH_PORT + offset + 1))
workers = 2
max_cron_threads = 0
server_wide_modules = web,queue_job
log_level = info
log_handler = generic_connector.transport:DEBUG,urllib3:DEBUG,odoo.addons.queue_job:DEBUG
logfile = $work/odoo-$side.log

[queue_job]
channels = root:4,root.myconnector:4
host = 127.0.0.1
port = $((BENCH_PORT + 10))
CONF
    ODOO_DATA_DIR="$work/data-$side" odoo_bin -c "$work/$side.conf" &
    pids+=($!)
done

"$VENV/bin/python" "$REPO_ROOT/tests/bench/round_robin.py" "$((BENCH_PORT + 10))" \
    "$BENCH_PORT" "$((BENCH_PORT + 4))" &
pids+=($!)

for _ in $(seq 60); do
    curl -sf "http://127.0.0.1:$BENCH_PORT/web/health" >/dev/null &&
        curl -sf "http://127.0.0.1:$((BENCH_PORT + 4))/web/health" >/dev/null && break
    sleep 1
done

say "Two servers up; enqueuing $PRODUCTS product jobs"
PRODUCTS="$PRODUCTS" odoo_bin shell -d "$db" --no-http --log-level=warn <<'PY' || die "enqueuing failed"
import os
backend = env["myconnector.backend"].search([("name", "=", "Bench")])
bindings = env["myconnector.product.template"]
for product in range(1, int(os.environ["PRODUCTS"]) + 1):
    bindings.with_delay(**backend._job_options()).import_record(backend, str(product))
env.cr.commit()
PY

# The tokens the workers shared, as they come: looked for in logs and jobs.
for _ in $(seq 600); do
    psql -d "$db" -Atc "select token from generic_connector_oauth_token where token is not null" >>"$work/tokens"
    left="$(psql -d "$db" -Atc "select count(*) from queue_job where state not in ('done','failed')")"
    [ "$left" = 0 ] && break
    sleep 1
done

"$VENV/bin/python" - "$sandbox_url" "$db" "$RATE_LIMIT" "$RATE_WINDOW" "$work" "$TOKEN_TTL" <<'PY'
import json, pathlib, subprocess, sys, urllib.request
url, db, limit, window, work, ttl = sys.argv[1:]
stats = json.load(urllib.request.urlopen(url + "/admin/stats", timeout=10))
def sql(query):
    return subprocess.run(["psql", "-d", db, "-Atc", query], capture_output=True,
                          text=True, check=True).stdout.strip()
states = sql("select state || ':' || count(*) from queue_job group by state").split()
span = float(sql("select extract(epoch from max(date_done) - min(date_started)) "
                 "from queue_job where state = 'done'") or 0)
hosts = sql("select count(distinct worker_pid) from queue_job where state = 'done'")
waits = sql("select coalesce(sum(waited), 0) || ' waited, ' || coalesce(sum(rescheduled), 0) "
            "|| ' rescheduled' from generic_connector_rate_stat")
calls = stats["requests"].get("GET /api/v1/products", 0) + sum(
    v for k, v in stats["requests"].items() if k.startswith("GET /api/v1/products/"))
tokens = set(pathlib.Path(work, "tokens").read_text().split())
log_lines = sum(1 for p in pathlib.Path(work).glob("odoo-*.log") for _ in p.open(errors="replace"))
jobs = sql("select concat_ws(' ', args, kwargs, result, exc_info, exc_message) from queue_job")
logs = "".join(p.read_text(errors="replace") for p in pathlib.Path(work).glob("*.log"))
allowed = int(limit) / float(window)
print(f"jobs: {' '.join(states)}; done by {hosts} worker processes; calls {waits}")
for line in sql("select name || ': ' || coalesce(exc_message, '') from queue_job "
               "where state = 'failed' order by id limit 5").splitlines():
    print(f"failed job: {line}")
print(f"API calls {calls} in {span:.1f}s: {calls / span:.2f}/s, "
      f"rate / R = {calls / span / allowed:.3f} (R = {limit} per {window}s)")
print(f"429 answered: {stats['statuses'].get('429', 0)}; 401 answered: "
      f"{stats['statuses'].get('401', 0)}; OAuth2 tokens issued: "
      f"{stats['tokens_issued']} (each lives {ttl}s)")
print(f"tokens seen in the shared table: {len(tokens)}; found in job records: "
      f"{sum(t in jobs for t in tokens)}; in the {log_lines} log lines (transport "
      f"and urllib3 at DEBUG): {sum(t in logs for t in tokens)}")
PY
exit 0
