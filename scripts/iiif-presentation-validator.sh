#!/usr/bin/env bash
# iiif-presentation-validator.sh — what tests/http/test_iiif_manifests.py checks Presentation
# 3.0 documents with, in a venv of its own (VENV_PRESENTATION, default var/iiif-presentation/):
#
#   * iiif-prezi3 (PyPI), the IIIF community's Presentation 3 models. Every release pins
#     Pillow<=12.0.0 and Vitrine needs Pillow 13, so it cannot join the dev extras.
#   * The IIIF presentation validator (IIIF/presentation-validator, distribution name
#     iiif-presentation-validator), which pins jsonschema<4.18. It is not published on PyPI
#     (no release there as of 2026-12), so it is installed from a checkout of it when one
#     is found: PRESENTATION_VALIDATOR_SRC, else ../shared/iiif/presentation-validator;
#     failing that, from PyPI by name in case it is published. Without any, the venv has
#     only iiif-prezi3 and the validator's test reports it as unavailable.
#
# Created once; a later run only checks it (a stamp file names what was installed).
# The last line printed is the venv's python, for VITRINE_TEST_IIIF_PRESENTATION_PYTHON.
# Env knobs: VENV_PRESENTATION, PRESENTATION_VALIDATOR_SRC, PYTHON (default python3.11).
set -euo pipefail

PREZI3_VERSION=3.1.1
VENV_PRESENTATION=${VENV_PRESENTATION:-var/iiif-presentation}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
SRC=${PRESENTATION_VALIDATOR_SRC:-../shared/iiif/presentation-validator}
STAMP="$VENV_PRESENTATION/.installed-prezi3-$PREZI3_VERSION"
VALIDATOR_STAMP="$VENV_PRESENTATION/.installed-validator"

if [ ! -f "$STAMP" ]; then
    echo "iiif-presentation-validator.sh: installing iiif-prezi3 $PREZI3_VERSION into $VENV_PRESENTATION" >&2
    rm -rf "$VENV_PRESENTATION"
    "$PYTHON" -m venv "$VENV_PRESENTATION"
    "$VENV_PRESENTATION/bin/python" -m pip install --quiet --upgrade pip
    "$VENV_PRESENTATION/bin/pip" install --quiet "iiif-prezi3==$PREZI3_VERSION"
    touch "$STAMP"
fi

if [ ! -f "$VALIDATOR_STAMP" ]; then
    # pyld: the validator imports it without declaring it.
    if [ -f "$SRC/pyproject.toml" ]; then
        echo "iiif-presentation-validator.sh: installing the validator from $SRC" >&2
        "$VENV_PRESENTATION/bin/pip" install --quiet "$SRC" pyld && echo "$SRC" >"$VALIDATOR_STAMP"
    elif "$VENV_PRESENTATION/bin/pip" install --quiet iiif-presentation-validator pyld 2>/dev/null; then
        echo "PyPI" >"$VALIDATOR_STAMP"
    else
        echo "iiif-presentation-validator.sh: the validator is on no registry here and $SRC" \
             "holds no checkout of it: only iiif-prezi3 checks the documents" >&2
    fi
fi

"$VENV_PRESENTATION/bin/python" -c 'import iiif_prezi3' >/dev/null
if "$VENV_PRESENTATION/bin/python" -c 'import presentation_validator.validator' 2>/dev/null; then
    echo "iiif-presentation-validator from $(cat "$VALIDATOR_STAMP")"
else
    echo "iiif-presentation-validator unavailable"
fi
echo "iiif-prezi3 $PREZI3_VERSION"
echo "$(cd "$VENV_PRESENTATION/bin" && pwd)/python"
