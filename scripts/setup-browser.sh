#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/test_browser.py drives /usr/bin/chromium through the playwright
# package; `playwright install` cannot download browsers here). Installs it only when missing; non-interactive;
# uses sudo only when not root. If it cannot install, it says why and exits 0: the browser tests then skip
# with that reason instead of the whole suite failing.
set -uo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-browser: /usr/bin/chromium is missing and apt-get is not available; install Chromium by hand" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "setup-browser: /usr/bin/chromium is missing; run as root: apt-get install -y chromium" >&2
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
echo "setup-browser: installing Debian's chromium (for the browser tests)…" >&2
if ! { $SUDO apt-get update -q && $SUDO apt-get install -y -q chromium chromium-driver; } >/tmp/setup-browser.log 2>&1; then
    echo "setup-browser: apt-get could not install chromium (log: /tmp/setup-browser.log):" >&2
    tail -n 5 /tmp/setup-browser.log >&2
    exit 0
fi
/usr/bin/chromium --version >&2 || true
