#!/usr/bin/env bash
# pg-test-server.sh up|down [--wipe]
#
# A PostgreSQL for the test suite.
#
#   up    If a PostgreSQL answers at VITRINE_TEST_DATABASE_URL (default
#         postgresql+psycopg://postgres@127.0.0.1:5432/test; "answers" means
#         psql can run `select 1` in that database within 2 s), print that URL.
#         Otherwise install the `postgresql` package if missing (apt-get) and
#         start a throwaway cluster: initdb into DIR/data (trust auth, no fsync),
#         listening on 127.0.0.1:$VITRINE_PG_PORT with its unix socket in DIR,
#         run as the `postgres` user when we are root (initdb refuses root),
#         create database `test`, and print its URL. Idempotent: a second `up`
#         reuses the running cluster (or restarts the stopped one).
#         The last line is shell code for eval:
#             VITRINE_TEST_DATABASE_URL=postgresql+psycopg://...; export VITRINE_TEST_DATABASE_URL
#   down  stop the throwaway cluster under DIR (if it runs); --wipe also
#         deletes DIR. A server found at VITRINE_TEST_DATABASE_URL is never touched.
#
# To exercise the fallback on a machine that has a PostgreSQL on 5432:
#   VITRINE_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5439/test \
#       bash scripts/pg-test-server.sh up      # nothing on 5439 -> starts DIR's cluster
#
# Env knobs: VITRINE_PG_DIR (default ${TMPDIR:-/tmp}/vitrine-pg),
#            VITRINE_PG_PORT (default 55432), VITRINE_PG_NO_INSTALL=1 (fail instead).
set -euo pipefail

CMD=${1:-}
URL=${VITRINE_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
DIR=${VITRINE_PG_DIR:-${TMPDIR:-/tmp}/vitrine-pg}
DIR=${DIR%/}
PORT=${VITRINE_PG_PORT:-55432}
OWN_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/test
DATA=$DIR/data

log() { printf '[pg-test-server %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() {
    log "ERROR: $*"
    [ -f "$DIR/postgres.log" ] && tail -n 20 "$DIR/postgres.log" >&2
    exit 1
}
emit() { printf 'VITRINE_TEST_DATABASE_URL=%q; export VITRINE_TEST_DATABASE_URL\n' "$1"; }

answers() {  # answers SQLALCHEMY_URL -> psql can run a query there within 2 s
    local libpq
    libpq=$(sed -E 's#^postgres(ql)?(\+[a-z0-9_]+)?://#postgresql://#' <<<"$1")
    command -v psql >/dev/null \
        && PGCONNECT_TIMEOUT=2 timeout 5 psql "$libpq" -XAtqc 'select 1' >/dev/null 2>&1
}

pg_bin() {  # Debian keeps initdb/pg_ctl in /usr/lib/postgresql/N/bin, others on PATH
    local d
    d=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then
        echo "$d"
    elif command -v initdb >/dev/null; then
        dirname "$(command -v initdb)"
    fi
}

as_owner() {  # run a PostgreSQL server command as a non-root user
    if [ "$(id -u)" != 0 ]; then
        "$@"
    elif command -v runuser >/dev/null; then
        runuser -u postgres -- "$@"
    else
        su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
    fi
}

install_packages() {
    [ -n "$(pg_bin)" ] && command -v psql >/dev/null && return 0
    [ "${VITRINE_PG_NO_INSTALL:-0}" = 1 ] && die "PostgreSQL is not installed"
    log "apt-get install postgresql"
    local sudo=
    [ "$(id -u)" = 0 ] || sudo=sudo
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    [ -n "$(pg_bin)" ] || die "initdb not found after installing postgresql"
}

up() {
    if answers "$URL"; then
        log "PostgreSQL answers at the given URL"
        emit "$URL"
        return 0
    fi
    log "nothing answers at $URL: using a throwaway cluster under $DIR on port $PORT"
    install_packages
    if [ "$URL" != "$OWN_URL" ] && answers "$URL"; then  # psql was only just installed
        emit "$URL"
        return 0
    fi
    local bin t0
    bin=$(pg_bin)
    t0=$(date +%s.%N)
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "no 'postgres' user to run the server as (we are root)"
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
        rm -rf "${DIR:?}"
        mkdir -p "$DIR"
        [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
        as_owner test -w "$DIR" || die "$DIR is not writable by the postgres user (set VITRINE_PG_DIR)"
        as_owner "$bin/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --no-locale --no-sync \
            >"$DIR/initdb.log" 2>&1 || die "initdb failed: $(tail -n 5 "$DIR/initdb.log")"
        cat >>"$DATA/postgresql.conf" <<EOF
# throwaway test cluster (scripts/pg-test-server.sh): fast, not durable
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
    fi
    if ! as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$DATA" -l "$DIR/postgres.log" -w -t 30 start \
            >>"$DIR/pg_ctl.out" 2>&1 || die "postgres did not start"
    fi
    if ! answers "$OWN_URL"; then
        psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -XAtqc 'create database test' \
            >/dev/null || die "could not create database test"
    fi
    answers "$OWN_URL" || die "the throwaway cluster does not answer at $OWN_URL"
    log "ready after $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N)-$t0}") s (stop with: bash $0 down)"
    emit "$OWN_URL"
}

down() {
    local bin
    bin=$(pg_bin)
    if [ -n "$bin" ] && [ -f "$DATA/postmaster.pid" ]; then
        log "stopping the throwaway cluster under $DIR"
        as_owner "$bin/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    fi
    if [ "${WIPE:-}" = --wipe ] && [ -f "$DATA/PG_VERSION" ]; then
        rm -rf "${DIR:?}"
        log "removed $DIR"
    fi
}

case $CMD in
    up | down)
        WIPE=${2:-}
        "$CMD"
        ;;
    *)
        echo "usage: $0 up|down [--wipe]" >&2
        exit 2
        ;;
esac
