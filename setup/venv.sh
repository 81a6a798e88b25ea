#!/usr/bin/env bash
# Create or refresh the project's virtualenv, then print its path on stdout.
#
# Installs, in order: pip tooling (setuptools<70: Odoo 17 imports pkg_resources),
# then, when an Odoo tree is found, Odoo's own requirements (psycopg2 from its
# binary wheel; python-ldap tried apart, as optional) and the tree registered
# as the `odoo` distribution (metadata only, as OCA's CI does with `pip install
# -e`, but without writing into the tree: the OCA wheels require `odoo`, and
# without it pip reports an ERROR, a conflict, on every install), then
# requirements.txt and test-requirements.txt, then the OCA addons from their
# PyPI wheels (--no-deps). Without Odoo the OCA wheels are left out: nothing
# but Odoo loads them. A stamp of all the inputs makes a second run with
# nothing changed a no-op.
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
# The Odoo tree as the `odoo` distribution: a dist-info folder with its name
# and version, and no files (Odoo runs from its tree through odoo-bin, so a
# later ODOO_SRC elsewhere is not shadowed by an import path of ours).
register_odoo_distribution() {
    "$VENV/bin/python" - "$ODOO_SRC" <<'PY'
import pathlib, runpy, sys, sysconfig
release = runpy.run_path(f"{sys.argv[1]}/odoo/release.py")
version = ".".join(str(part) for part in release["version_info"][:2])
site = pathlib.Path(sysconfig.get_paths()["purelib"])
for old in site.glob("odoo-*.dist-info"):
    if (old / "INSTALLER").read_text().strip() == "myconnector-setup":
        for path in old.iterdir():
            path.unlink()
        old.rmdir()
info = site / f"odoo-{version}.dist-info"
info.mkdir(exist_ok=True)
files = {
    "METADATA": f"Metadata-Version: 2.1\nName: odoo\nVersion: {version}\n"
    f"Summary: the Odoo source tree at {sys.argv[1]} (registered, not installed)\n",
    "INSTALLER": "myconnector-setup\n",
}
for name, text in files.items():
    (info / name).write_text(text)
record = [f"{info.name}/{name},," for name in (*files, "RECORD")]
(info / "RECORD").write_text("\n".join(record) + "\n")
PY
}

say "Installing Python packages into $VENV (a few minutes the first time)"
pip install --upgrade pip 'setuptools<70' wheel
if [ -n "$odoo_reqs" ]; then
    pip install -r "$odoo_reqs"
    ldap_req="$(grep -E '^python-ldap' "$ODOO_SRC/requirements.txt" | head -1 | cut -d';' -f1 | tr -d ' ')"
    if [ -n "$ldap_req" ] && ! pip install "$ldap_req" 2>/dev/null; then
        warn "python-ldap not installed (it builds against libldap2-dev and libsasl2-dev); only Odoo's optional auth_ldap addon needs it"
    fi
    register_odoo_distribution
fi
pip install -r "$REPO_ROOT/requirements.txt" -r "$REPO_ROOT/test-requirements.txt"
[ -z "$ODOO_SRC" ] || pip install --no-deps -r "$REPO_ROOT/setup/oca-addons.txt"
echo "$inputs" >"$stamp"
echo "$VENV"
