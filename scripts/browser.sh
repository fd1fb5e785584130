#!/usr/bin/env bash
# browser.sh — make the real browser for the tests in tests/browser/ available.
#
#   * Debian's Chromium at /usr/bin/chromium: installed with apt-get when missing
#     (root or sudo). A browser is never downloaded by Playwright or anything else.
#   * The Playwright Python package (driver only) in the venv, which comes with the
#     `dev` extras of pyproject.toml; installed here if the venv lacks it.
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
