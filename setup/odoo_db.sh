# shellcheck shell=bash
# Helpers to run Odoo from the project: sourced by run.sh and test.sh after
# common.sh, with VENV, ODOO_SRC and the PG* settings known.

ADDONS="generic_connector,myconnector,myconnector_webhook"
ODOO_DATA_DIR="${ODOO_DATA_DIR:-$MYCONNECTOR_CACHE/odoo-data}"

# The addons path: Odoo's own, the OCA wheels in the virtualenv, this repository.
odoo_addons_path() {
    local site
    site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    echo "$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$site/odoo/addons,$REPO_ROOT"
}

odoo_bin() {
    # A sub-command (shell, ...) must come first on odoo-bin's command line.
    local command=()
    case "${1:-}" in -*|"") ;; *) command=("$1"); shift ;; esac
    # The repository root on the path: the tests import the sandbox from it.
    PYTHONPATH="$REPO_ROOT${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/python" "$ODOO_SRC/odoo-bin" \
        "${command[@]}" --addons-path="$(odoo_addons_path)" --data-dir="$ODOO_DATA_DIR" \
        ${PGHOST:+--db_host="$PGHOST"} --db_port="${PGPORT:-5432}" \
        ${PGUSER:+--db_user="$PGUSER"} "$@"
}

# Reach or start PostgreSQL (setup/postgres.sh) and export its PG* settings.
# Returns non-zero, having said why, when no server can be had.
use_postgres() {
    local pg_env
    pg_env="$(bash "$REPO_ROOT/setup/postgres.sh")" || return 1
    eval "$pg_env"
    [ -n "$PGHOST" ] || unset PGHOST
    export PGHOST PGPORT PGUSER
}

db_exists() { psql -d postgres -Atc "select 1 from pg_database where datname='$1'" | grep -q 1; }

# A database with the suite's dependencies (not the suite) installed, built
# once per Odoo tree, data directory (its filestore lives there) and
# dependency set, then copied for each test run: a
# fresh database for our addons without reinstalling mail, product and
# queue_job every time.
# The addons ours depend on, read from our manifests (ours left out).
suite_dependencies() {
    "$VENV/bin/python" - "$REPO_ROOT" <<'PY'
import ast, pathlib, sys
root = pathlib.Path(sys.argv[1])
ours = {p.parent.name for p in root.glob("*/__manifest__.py")}
deps = set()
for manifest in root.glob("*/__manifest__.py"):
    deps |= set(ast.literal_eval(manifest.read_text()).get("depends", []))
print(",".join(sorted(deps - ours)))
PY
}

template_db() {
    local deps key name
    deps="$(suite_dependencies)"
    key="$(cat "$ODOO_SRC/odoo/release.py" "$REPO_ROOT/setup/oca-addons.txt" <(echo "$ODOO_SRC $ODOO_DATA_DIR $deps") | sha256sum | cut -c1-10)"
    name="myconnector_tmpl_$key"
    if ! db_exists "$name"; then
        say "Building the template database $name (dependencies only; once per Odoo tree)"
        odoo_bin -d "${name}_partial" -i "$deps" --without-demo=all --stop-after-init \
            --log-level=warn >&2 || die "installing the dependencies into ${name}_partial failed"
        psql -d postgres -qc "ALTER DATABASE \"${name}_partial\" RENAME TO \"$name\"" >&2
        rm -rf "$ODOO_DATA_DIR/filestore/$name"
        [ -d "$ODOO_DATA_DIR/filestore/${name}_partial" ] &&
            mv "$ODOO_DATA_DIR/filestore/${name}_partial" "$ODOO_DATA_DIR/filestore/$name"
    fi
    echo "$name"
}

copy_db() {
    psql -d postgres -qc "CREATE DATABASE \"$2\" TEMPLATE \"$1\"" >&2
    if [ -d "$ODOO_DATA_DIR/filestore/$1" ]; then
        mkdir -p "$ODOO_DATA_DIR/filestore"
        cp -r "$ODOO_DATA_DIR/filestore/$1" "$ODOO_DATA_DIR/filestore/$2"
    fi
}

drop_db() {
    psql -d postgres -qc "DROP DATABASE IF EXISTS \"$1\"" >&2 || true
    rm -rf "${ODOO_DATA_DIR:?}/filestore/$1"
}
