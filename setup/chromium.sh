# Sourced by setup/test.sh: a Chrome or Chromium for the Odoo tours
# (HttpCase.start_tour runs them in headless Chromium).
#
# Odoo 17 looks for google-chrome, chromium, chromium-browser and
# google-chrome-stable on the PATH. When none is there, Debian's `chromium`
# is installed with apt-get (as root, or with password-less sudo), and this
# says so; where that cannot be done, the tours are announced as skipped,
# loudly, and Odoo reports them skipped in the closing count.

BROWSER_NAMES="google-chrome chromium chromium-browser google-chrome-stable"

find_browser() {
    local name
    for name in $BROWSER_NAMES; do
        command -v "$name" 2>/dev/null && return 0
    done
    return 1
}

ensure_browser() {
    local log="$MYCONNECTOR_CACHE/logs/chromium-install.log" sudo=""
    if BROWSER="$(find_browser)"; then
        say "Browser for the tours: $BROWSER ($("$BROWSER" --version 2>/dev/null | head -1))"
        return 0
    fi
    [ "$(id -u)" = 0 ] || sudo="sudo -n"
    if ! command -v apt-get >/dev/null || { [ -n "$sudo" ] && ! sudo -n true 2>/dev/null; }; then
        warn "BROWSER TESTS (TOURS) WILL BE SKIPPED: no Chrome/Chromium on the PATH, and no apt-get as root to install Debian's chromium. Install chromium to run them."
        return 1
    fi
    mkdir -p "$(dirname "$log")"
    say "No Chrome/Chromium found: installing Debian's chromium for the tours (apt-get, log in $log)"
    if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends chromium >"$log" 2>&1; then
        $sudo apt-get update >>"$log" 2>&1
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends chromium >>"$log" 2>&1
    fi
    if BROWSER="$(find_browser)"; then
        say "Installed $BROWSER for the tours"
        return 0
    fi
    warn "BROWSER TESTS (TOURS) WILL BE SKIPPED: installing chromium failed (see $log)"
    return 1
}
