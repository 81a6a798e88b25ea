# shellcheck shell=bash
# Shared defaults and helpers for the set-up scripts. Source it, do not run it.
#
# Every path can be overridden from the environment:
#   MYCONNECTOR_CACHE  where the suite keeps Odoo, the virtualenv and a local
#                      PostgreSQL cluster (default ~/.cache/myconnector-suite)
#   ODOO_SRC           an Odoo 17.0 source tree (default $MYCONNECTOR_CACHE/odoo-17.0)
#   VENV               the virtualenv (default $MYCONNECTOR_CACHE/venv-py<X.Y>)
#   PYTHON             the interpreter that builds the virtualenv (3.10 or 3.11)

set -o errexit -o nounset -o pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MYCONNECTOR_CACHE="${MYCONNECTOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/myconnector-suite}"
ODOO_DEFAULT_SRC="$MYCONNECTOR_CACHE/odoo-17.0"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33m[setup] WARNING:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[setup] ERROR:\033[0m %s\n' "$*" >&2; exit 1; }

# The interpreter: PYTHON if set, else the first of python3.11, python3.10
# (Odoo 17 supports 3.10 to 3.11; 3.12 breaks several of its pinned wheels).
find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3.11 python3.10 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 11)))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    die "Python 3.10 or 3.11 is required (Odoo 17). Install one (e.g. 'apt-get install python3.11-venv') or set PYTHON=/path/to/python3.11."
}

python_tag() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }

# Is $1 an Odoo 17.0 source tree? (odoo-bin beside an odoo package of major version 17)
is_odoo17_tree() {
    [ -f "$1/odoo-bin" ] && [ -f "$1/odoo/release.py" ] &&
        grep -Eq '^version_info = \(17, 0,' "$1/odoo/release.py"
}

# Find Odoo 17.0 and set ODOO_SRC, or leave it empty and explain in ODOO_MISSING.
# Order: an importable odoo 17 in the virtualenv; else $ODOO_SRC when set (an
# explicit choice: never replaced by a fallback); else the default cache path;
# else the official 17.0 source downloaded into that path.
find_odoo() {
    local venv_python="${1:-}" explicit="${ODOO_SRC:-}" importable
    ODOO_MISSING=""
    if [ -n "$venv_python" ] && importable="$("$venv_python" - 2>/dev/null <<'PY'
import os, odoo.release
assert odoo.release.version_info[0] == 17
print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.release.__file__))))
PY
)" && is_odoo17_tree "$importable"; then
        ODOO_SRC="$importable"
    elif [ -n "$explicit" ]; then
        if ! is_odoo17_tree "$explicit"; then
            ODOO_MISSING="ODOO_SRC=$explicit is not an Odoo 17.0 source tree (no odoo-bin with odoo/release.py at version 17.0)"
            ODOO_SRC=""
        fi
    elif is_odoo17_tree "$ODOO_DEFAULT_SRC"; then
        ODOO_SRC="$ODOO_DEFAULT_SRC"
    else
        ODOO_SRC=""
        download_odoo || true
    fi
    export ODOO_SRC ODOO_MISSING
}

ODOO_TARBALL_URL="${ODOO_TARBALL_URL:-https://github.com/odoo/odoo/archive/refs/heads/17.0.tar.gz}"

# Download the official 17.0 branch into the default cache path. Gives up fast
# (10 s to connect) when offline and says how to provide Odoo instead.
download_odoo() {
    local partial="$ODOO_DEFAULT_SRC.partial"
    command -v curl >/dev/null 2>&1 || {
        ODOO_MISSING="no Odoo 17.0 at $ODOO_DEFAULT_SRC and curl is not installed to download it"
        return 1
    }
    say "No Odoo 17.0 found: downloading the official 17.0 source into $ODOO_DEFAULT_SRC"
    rm -rf "$partial" && mkdir -p "$partial"
    if curl --fail --location --silent --show-error --connect-timeout 10 --max-time 900 \
        "$ODOO_TARBALL_URL" | tar -xz --strip-components=1 -C "$partial" 2>/dev/null &&
        is_odoo17_tree "$partial"; then
        rm -rf "$ODOO_DEFAULT_SRC" && mv "$partial" "$ODOO_DEFAULT_SRC"
        ODOO_SRC="$ODOO_DEFAULT_SRC"
        return 0
    fi
    rm -rf "$partial"
    ODOO_MISSING="no Odoo 17.0 found (ODOO_SRC unset, nothing at $ODOO_DEFAULT_SRC) and the download from $ODOO_TARBALL_URL failed (offline?). Clone https://github.com/odoo/odoo --branch 17.0 and set ODOO_SRC to it"
    return 1
}

odoo_version() { sed -n 's/^version_info = (\([0-9]*\), \([0-9]*\), \([0-9]*\).*/\1.\2.\3/p' "$1/odoo/release.py"; }
