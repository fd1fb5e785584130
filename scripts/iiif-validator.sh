#!/usr/bin/env bash
# iiif-validator.sh — the IIIF consortium's Image API validator, for
# tests/http/test_iiif_validator.py.
#
#   * `iiif-validator` from PyPI (its command is iiif-validate.py), installed into a venv of
#     its own, VENV_IIIF (default .venv-iiif/): it is a 2019 package with its own loose
#     dependencies (Pillow, bottle, python-magic, lxml) that must not mix with the app's.
#     Created once; a later run only checks it (a stamp file names the pinned packages).
#   * libmagic (Debian's libmagic1), which python-magic loads when the validator imports
#     its test modules: installed with apt-get when missing (root or sudo).
#
# The last line printed is the path of iiif-validate.py, for VITRINE_TEST_IIIF_VALIDATOR.
# Env knobs: VENV_IIIF (default .venv-iiif), PYTHON (default python3.11, else python3).
set -euo pipefail

VALIDATOR_VERSION=1.0.5
# Its dependencies pinned too: the colour checks decode our JPEGs with this Pillow.
PACKAGES="iiif-validator==$VALIDATOR_VERSION Pillow==13.0.0 bottle==0.13.5 python-magic==0.4.27 lxml==6.2.1"
VENV_IIIF=${VENV_IIIF:-.venv-iiif}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
STAMP="$VENV_IIIF/.installed-$(echo "$PACKAGES" | cksum | cut -d' ' -f1)"

if [ ! -f "$STAMP" ]; then
    echo "iiif-validator.sh: installing iiif-validator $VALIDATOR_VERSION into $VENV_IIIF" >&2
    rm -rf "$VENV_IIIF"
    "$PYTHON" -m venv "$VENV_IIIF"
    "$VENV_IIIF/bin/python" -m pip install --quiet --upgrade pip
    # shellcheck disable=SC2086  # one word per package
    "$VENV_IIIF/bin/pip" install --quiet $PACKAGES
    touch "$STAMP"
fi

if ! "$VENV_IIIF/bin/python" -c 'import magic' 2>/dev/null; then
    echo "iiif-validator.sh: libmagic missing; installing Debian's libmagic1" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        SUDO="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq libmagic1 >/dev/null
fi

# The validator's test modules import cleanly (one prints a line when imported).
"$VENV_IIIF/bin/python" -c 'import iiif_validator.validator' >/dev/null
echo "iiif-validator $VALIDATOR_VERSION"
echo "$(cd "$VENV_IIIF/bin" && pwd)/iiif-validate.py"
