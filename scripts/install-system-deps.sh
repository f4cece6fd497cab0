#!/bin/sh
# System packages the sandbox uses: bubblewrap (tier A) and libseccomp (seccomp filters).
# Idempotent, and never fails the build: without them the sandbox probe picks a weaker
# tier and says so (`office doctor`), and `sandbox.require_tier` can refuse to start.
set -u

missing=""
command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2' || missing="$missing libseccomp2"

if [ -z "$missing" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-deps: no apt-get; install$missing yourself for the strongest sandbox tier" >&2
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
echo "install-system-deps: installing$missing" >&2
# shellcheck disable=SC2086
{ $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing; } >/dev/null 2>&1 \
    || echo "install-system-deps: could not install$missing; the sandbox will use a weaker tier" >&2
exit 0
