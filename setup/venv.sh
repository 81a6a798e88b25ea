#!/usr/bin/env bash
# Create or refresh the project's virtualenv, then print its path on stdout.
#
# Installs, in order: pip tooling (setuptools<70: Odoo 17 imports pkg_resources),
# Odoo's own requirements (when an Odoo tree is found; psycopg2 from its binary
# wheel; python-ldap tried apart, as optional), the OCA addons from their PyPI
# wheels (--no-deps: they require an `odoo` distribution that PyPI does not
# have), then requirements.txt and test-requirements.txt. A stamp of all the
# inputs makes a second run with nothing changed a no-op.
source "$(dirname "$0")/common.sh"

PY="$(find_python)"
VENV="${VENV:-$MYCONNECTOR_CACHE/venv-py$(python_tag "$PY")}"
if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtualenv $VENV with $PY"
    mkdir -p "$(dirname "$VENV")"
    "$PY" -m venv "$VENV" || die "could not create a virtualenv with $PY: install its venv module (e.g. 'apt-get install python3.11-venv')"
fi

find_odoo "$VENV/bin/python"
odoo_reqs=""
if [ -n "$ODOO_SRC" ]; then
    odoo_reqs="$VENV/odoo-requirements.txt"
    # psycopg2 builds from source without libpq headers: take the binary wheel.
    # python-ldap needs libldap headers and only serves the optional auth_ldap.
    sed -e 's/^psycopg2==/psycopg2-binary==/' -e '/^python-ldap/d' "$ODOO_SRC/requirements.txt" >"$odoo_reqs"
fi

stamp="$VENV/.myconnector-stamp"
inputs="$(cat "$REPO_ROOT/requirements.txt" "$REPO_ROOT/test-requirements.txt" \
    "$REPO_ROOT/setup/oca-addons.txt" "$0" ${odoo_reqs:+"$odoo_reqs"} | sha256sum | cut -c1-16)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ]; then
    echo "$VENV"
    exit 0
fi

# Quiet, and without the notices of find-links folders that some pip
# configurations name but do not have.
pip() {
    "$VENV/bin/python" -m pip --disable-pip-version-check --quiet "$@" >&2 \
        2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}
say "Installing Python packages into $VENV (a few minutes the first time)"
pip install --upgrade pip 'setuptools<70' wheel
if [ -n "$odoo_reqs" ]; then
    pip install -r "$odoo_reqs"
    ldap_req="$(grep -E '^python-ldap' "$ODOO_SRC/requirements.txt" | head -1 | cut -d';' -f1 | tr -d ' ')"
    if [ -n "$ldap_req" ] && ! pip install "$ldap_req" 2>/dev/null; then
        warn "python-ldap not installed (it builds against libldap2-dev and libsasl2-dev); only Odoo's optional auth_ldap addon needs it"
    fi
fi
pip install --no-deps -r "$REPO_ROOT/setup/oca-addons.txt"
pip install -r "$REPO_ROOT/requirements.txt" -r "$REPO_ROOT/test-requirements.txt"
echo "$inputs" >"$stamp"
echo "$VENV"
