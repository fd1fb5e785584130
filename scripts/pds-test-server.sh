#!/usr/bin/env bash
# pds-test-server.sh up|down [--wipe]
#
# A real Bluesky PDS for the test suite: the reference PDS and a PLC directory from the npm
# package @atproto/dev-env (no AppView), on 127.0.0.1, with no network. The tests create an
# account, upload image blobs and create app.bsky.feed.post records on it; it validates each
# record against the lexicons it ships (sizes, graphemes, alt text, aspect ratio).
#
#   up    If VITRINE_TEST_PDS_URL is set and a PDS answers there (GET /xrpc/_health), print it
#         and start nothing. Otherwise install the network if needed (scripts/pds/setup.sh:
#         ~2.5 min and 690 MB once, under DIR), start scripts/pds/serve.js in the background
#         (~4 s; pid, log and the PDS's data under DIR/run) and print, as its last line,
#         shell code for eval:
#             VITRINE_TEST_PDS_URL=http://localhost:PORT; export VITRINE_TEST_PDS_URL
#         Idempotent: a PDS already started from DIR that answers is reused. Each start is a
#         fresh, empty network (new accounts, new DIDs), on ports chosen when it starts.
#   down  stops the PDS whose pid file is under DIR (if its command line names DIR's
#         serve.js: guards against PID reuse) and deletes its data; --wipe also deletes DIR,
#         the installation included. A PDS found at VITRINE_TEST_PDS_URL is never touched.
#
# Usage from make / CI:
#   eval "$(bash scripts/pds-test-server.sh up | grep ^VITRINE_)"
#   .venv/bin/pytest ...; bash scripts/pds-test-server.sh down
#
# Env knobs: VITRINE_PDS_HOME (DIR, default ${TMPDIR:-/tmp}/vitrine-pds: outside the
#            repository, kept between runs), VITRINE_PDS_NO_INSTALL=1 (fail instead).
set -euo pipefail

CMD=${1:-}
WIPE=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
DIR=${VITRINE_PDS_HOME:-${TMPDIR:-/tmp}/vitrine-pds}
DIR=${DIR%/}
export VITRINE_PDS_HOME=$DIR
RUN=$DIR/run
PIDFILE=$RUN/pds.pid
LOG=$RUN/pds.log
SERVE=$DIR/net/serve.js

log() { printf '[pds-test-server %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() {
    log "ERROR: $*"
    [ -f "$LOG" ] && { echo "--- tail $LOG" >&2; tail -n 20 "$LOG" >&2; }
    exit 1
}
emit() { printf 'VITRINE_TEST_PDS_URL=%q; export VITRINE_TEST_PDS_URL\n' "$1"; }

answers() {  # answers URL -> a PDS answers GET URL/xrpc/_health within 3 s
    python3 - "$1" <<'EOF' 2>/dev/null
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1].rstrip("/") + "/xrpc/_health", timeout=3) as reply:
    sys.exit(0 if "version" in json.load(reply) else 1)
EOF
}

ours() {  # the pid file names a live process running DIR's serve.js
    local pid cmd
    pid=$(cat "$PIDFILE" 2>/dev/null) && [ -n "$pid" ] || return 1
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *"$SERVE"* ]]
}

down() {
    local pid
    if ours; then
        pid=$(cat "$PIDFILE")
        log "stopping the PDS (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            log "the PDS did not exit in 10 s, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf "${RUN:?}"
    if [ "$WIPE" = --wipe ] && [ -d "$DIR" ]; then
        rm -rf "${DIR:?}"
        log "removed $DIR"
    fi
}

up() {
    if [ -n "${VITRINE_TEST_PDS_URL:-}" ]; then
        if answers "$VITRINE_TEST_PDS_URL"; then
            log "a PDS answers at VITRINE_TEST_PDS_URL: starting nothing"
            emit "$VITRINE_TEST_PDS_URL"
            return 0
        fi
        log "nothing answers at $VITRINE_TEST_PDS_URL: using a throwaway PDS from $DIR"
    fi
    if ours && [ -f "$RUN/url" ] && answers "$(cat "$RUN/url")"; then
        log "already running from $DIR"
        emit "$(cat "$RUN/url")"
        return 0
    fi
    down  # whatever is left of an earlier start
    local setup node serve t0 url pid
    setup=$(bash "$here/pds/setup.sh") || die "scripts/pds/setup.sh failed"
    node=$(sed -n 's/^PDS_NODE=//p' <<<"$setup")
    serve=$(sed -n 's/^PDS_SERVE=//p' <<<"$setup")
    [ "$serve" = "$SERVE" ] || die "setup.sh installed $serve, expected $SERVE"
    t0=$(date +%s.%N)
    # TMPDIR: the PDS keeps its databases and blobs in temporary directories; DIR/run holds them
    # so that `down` deletes them. setsid: a Ctrl-C in the terminal that ran `up` leaves it be.
    # 9>&-: it must not inherit (and hold forever) the flock of this script.
    mkdir -p "$RUN/tmp"
    (cd "$DIR/net" && TMPDIR=$RUN/tmp exec setsid "$node" "$serve" </dev/null >"$LOG" 2>&1 9>&-) &
    echo $! >"$PIDFILE"
    pid=$!
    url=
    for _ in $(seq 1 300); do  # ~4 s here; 60 s on a busy machine
        url=$(sed -n 's/^PDS_URL=//p' "$LOG" 2>/dev/null | head -n 1)
        [ -n "$url" ] && break
        kill -0 "$pid" 2>/dev/null || die "the PDS exited while starting"
        sleep 0.2
    done
    [ -n "$url" ] || die "the PDS printed no PDS_URL in 60 s"
    answers "$url" || die "the PDS does not answer at $url"
    ours || die "the PDS's pid file does not name $SERVE"
    echo "$url" >"$RUN/url"
    log "ready on $url after $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N)-$t0}") s" \
        "(stop with: bash $0 down)"
    emit "$url"
}

case $CMD in
    up | down)
        mkdir -p "$(dirname "$DIR")"
        if command -v flock >/dev/null; then  # two `make test` at once: one starts, one waits
            exec 9>"$DIR.lock"
            flock 9
        fi
        "$CMD"
        ;;
    *)
        echo "usage: $0 up|down [--wipe]" >&2
        exit 2
        ;;
esac
