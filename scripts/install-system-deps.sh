#!/bin/sh
# System packages the sandbox uses: bubblewrap (tier A) and libseccomp (seccomp filters);
# and Debian's chromium, the browser the web UI's browser test drives with Playwright.
# Idempotent, and never fails the build: without the sandbox packages the sandbox probe
# picks a weaker tier and says so (`office doctor`), and `sandbox.require_tier` can refuse
# to start; without chromium the browser test fails saying to run `make setup`
# (OFFICE_SKIP_BROWSER=1 skips it).
set -u

sandbox=""
command -v bwrap >/dev/null 2>&1 || sandbox="$sandbox bubblewrap"
ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2' || sandbox="$sandbox libseccomp2"
browser=""
[ -x /usr/bin/chromium ] || browser=" chromium"
missing="$sandbox$browser"

if [ -z "$missing" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-deps: no apt-get; install$missing yourself (sandbox tier A, browser test)" >&2
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "install-system-deps: not root; run: sudo apt-get install -y$missing" >&2
        exit 0
    fi
else
    SUDO=""
fi

# install PACKAGES CONSEQUENCE: one apt-get per group, so a failed browser install never
# costs the sandbox its packages.
install() {
    [ -n "$1" ] || return 0
    echo "install-system-deps: installing$1" >&2
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $1 >/dev/null 2>&1 \
        || echo "install-system-deps: could not install$1; $2" >&2
}

$SUDO apt-get update -qq >/dev/null 2>&1 || echo "install-system-deps: apt-get update failed" >&2
install "$sandbox" "the sandbox will use a weaker tier"
install "$browser" "the browser test needs /usr/bin/chromium (OFFICE_SKIP_BROWSER=1 skips it)"
exit 0
