#!/usr/bin/env bash
# tools.sh — command-line tools the tests read outputs with, from Debian's packages.
#
#   * ExifTool (libimage-exiftool-perl): tests/fidelity/test_rights_in_outputs.py reads every
#     preset's output with it, as an independent EXIF/XMP reader. Installed with apt-get only
#     when `exiftool` is missing (root or sudo).
set -euo pipefail

if ! command -v exiftool >/dev/null 2>&1; then
    echo "tools.sh: exiftool missing; installing Debian's libimage-exiftool-perl" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        SUDO="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq libimage-exiftool-perl >/dev/null
fi
echo "exiftool $(exiftool -ver)"
