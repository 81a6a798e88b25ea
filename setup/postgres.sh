#!/usr/bin/env bash
# Make sure a PostgreSQL server answers, then print the libpq settings to use
# as shell assignments (PGHOST=... PGPORT=... PGUSER=...) on stdout.
#
# 1. The server named by the standard PG* variables, or the local socket.
# 2. Else start the system cluster (Debian's pg_ctlcluster) if there is one.
# 3. Else start a project-local cluster under $MYCONNECTOR_CACHE/postgres,
#    run as the `postgres` user when we are root (initdb refuses root).
# 4. Else stop, naming the package to install.
source "$(dirname "$0")/common.sh"

answers() { pg_isready -q -t 3 "$@" >/dev/null 2>&1; }
pg_bin() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    if [ -n "$dir" ] && [ -x "$dir/$1" ]; then echo "$dir/$1"; else command -v "$1" || true; fi
}
emit() {
    # Who we are on that server: PGUSER if set, else ourselves (root is a
    # superuser on this kind of set-up), else postgres.
    local user="${PGUSER:-$(id -un)}"
    if ! psql -h "${PGHOST:-/var/run/postgresql}" -p "${PGPORT:-5432}" -U "$user" -d postgres -Atc 'select 1' >/dev/null 2>&1; then
        user=postgres
    fi
    echo "PGHOST=${PGHOST:-} PGPORT=${PGPORT:-5432} PGUSER=$user"
}

command -v pg_isready >/dev/null 2>&1 || [ -n "$(pg_bin pg_ctl)" ] ||
    die "PostgreSQL is not installed. Install it (Debian/Ubuntu: 'apt-get install postgresql postgresql-client', version 12 or newer) or point PGHOST/PGPORT/PGUSER at a server."

if answers; then emit; exit 0; fi

if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
    version="$(ls /etc/postgresql | sort -V | tail -1)"
    say "PostgreSQL is not answering: starting the system cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
    for _ in $(seq 20); do answers && { emit; exit 0; }; sleep 0.5; done
fi

# A project-local cluster on a socket under the cache path.
initdb="$(pg_bin initdb)" pg_ctl="$(pg_bin pg_ctl)"
[ -n "$initdb" ] && [ -n "$pg_ctl" ] ||
    die "No PostgreSQL server answers and initdb/pg_ctl are missing: install 'postgresql' (server), or set PGHOST/PGPORT/PGUSER to a running server."
data="$MYCONNECTOR_CACHE/postgres/data" sock="$MYCONNECTOR_CACHE/postgres/run"
mkdir -p "$data" "$sock"
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' system user for initdb; create one or run as another user"
    chown -R postgres "$MYCONNECTOR_CACHE/postgres"
fi
if answers -h "$sock" -p 5433; then
    echo "PGHOST=$sock PGPORT=5433 PGUSER=postgres"
    exit 0
fi
if [ ! -f "$data/PG_VERSION" ]; then
    say "Creating a project-local PostgreSQL cluster in $data"
    as_owner "$initdb" -D "$data" -A trust -U postgres >&2
fi
say "Starting the project-local PostgreSQL cluster (socket in $sock, port 5433)"
as_owner "$pg_ctl" -D "$data" -l "$MYCONNECTOR_CACHE/postgres/server.log" -w \
    -o "-k $sock -p 5433 -c listen_addresses=''" start >&2 ||
    die "the local cluster did not start: see $MYCONNECTOR_CACHE/postgres/server.log"
echo "PGHOST=$sock PGPORT=5433 PGUSER=postgres"
