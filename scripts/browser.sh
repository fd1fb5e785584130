#!/usr/bin/env bash
# browser.sh — make the real browser for the tests in tests/browser/ available.
#
#   * Debian's Chromium at /usr/bin/chromium: installed with apt-get when missing
#     (root or sudo). A browser is never downloaded by Playwright or anything else.
#   * The Playwright Python package (driver only) in the venv, which comes with the
#     `dev` extras of pyproject.toml; installed here if the venv lacks it.
#   * axe-core (tests/support/axe.py injects it into pages) and Mirador (the IIIF viewer the
#     Mirador test serves from its UMD bundle, no CDN): `npm ci` from package-lock.json into
#     node_modules/ when either is missing or node_modules is older than the lock.
#
# Env knobs: VENV (default .venv), CHROMIUM (default /usr/bin/chromium).
set -euo pipefail

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
VENV=${VENV:-.venv}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$CHROMIUM" ]; then
    echo "browser.sh: $CHROMIUM missing; installing Debian's chromium" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        SUDO="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq chromium >/dev/null
fi
"$CHROMIUM" --version 2>/dev/null  # its wrapper script prints a harmless dash warning

if [ -x "$VENV/bin/python" ] && ! "$VENV/bin/python" -c 'import playwright' 2>/dev/null; then
    echo "browser.sh: installing the dev extras (playwright) into $VENV" >&2
    "$VENV/bin/pip" install --quiet -e '.[dev]'
fi
if [ -x "$VENV/bin/python" ]; then
    "$VENV/bin/python" -c 'from importlib.metadata import version; print("playwright", version("playwright"))'
fi

# axe-core for the accessibility tests and Mirador for the IIIF viewer test: what
# package-lock.json pins, installed by npm ci when node_modules lacks either or the lock
# changed since (npm writes node_modules/.package-lock.json).
AXE=node_modules/axe-core/axe.min.js
MIRADOR=node_modules/mirador/dist/mirador.min.js
if [ ! -f "$AXE" ] || [ ! -f "$MIRADOR" ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    if ! command -v npm >/dev/null; then
        echo "browser.sh: npm is missing; install Node.js (20 or later) for axe-core and mirador" >&2
        exit 1
    fi
    echo "browser.sh: installing axe-core and mirador from package-lock.json (npm ci)" >&2
    npm ci --no-audit --no-fund
fi
for package in axe-core mirador; do
    node -e "console.log('$package', require('./node_modules/$package/package.json').version)" \
        2>/dev/null || echo "$package installed in node_modules/"
done
