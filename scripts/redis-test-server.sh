#!/usr/bin/env bash
# redis-test-server.sh up|down -- make sure a Redis answers for the tests (the Celery broker).
#
# up: if VITRINE_TEST_REDIS_URL (default redis://127.0.0.1:6379) answers, print it and stop.
# Otherwise install redis-server through apt-get when missing and start a throwaway one on
# 127.0.0.1:56379 that keeps nothing on disk. Last line: VITRINE_TEST_REDIS_URL=...; export ...
set -euo pipefail
URL=${VITRINE_TEST_REDIS_URL:-redis://127.0.0.1:6379}
PORT=${REDIS_TEST_PORT:-56379}
DIR=${TMPDIR:-/tmp}/vitrine-redis
log() { printf '[redis-test-server %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

answers() {  # answers HOST PORT
    { exec 3<>"/dev/tcp/$1/$2"; } 2>/dev/null || return 1
    printf 'PING\r\n' >&3
    local reply; read -r -t 2 reply <&3 || reply=
    exec 3>&-
    [[ $reply == +PONG* ]]
}
hostport=${URL#redis://}; hostport=${hostport%%/*}
host=${hostport%%:*}; port=${hostport##*:}; [ "$port" = "$hostport" ] && port=6379

case "${1:-up}" in
up)
    if answers "$host" "$port"; then
        log "Redis answers at $URL"
        echo "VITRINE_TEST_REDIS_URL=$URL; export VITRINE_TEST_REDIS_URL"
        exit 0
    fi
    if ! command -v redis-server >/dev/null; then
        log "apt-get install redis-server"
        SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
    fi
    if ! answers 127.0.0.1 "$PORT"; then
        mkdir -p "$DIR"
        redis-server --daemonize yes --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no \
            --dir "$DIR" --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log"
        for _ in $(seq 1 50); do answers 127.0.0.1 "$PORT" && break; sleep 0.1; done
    fi
    answers 127.0.0.1 "$PORT" || { log "Redis did not start (see $DIR/redis.log)"; exit 1; }
    log "throwaway Redis on 127.0.0.1:$PORT"
    echo "VITRINE_TEST_REDIS_URL=redis://127.0.0.1:$PORT; export VITRINE_TEST_REDIS_URL"
    ;;
down)
    if [ -f "$DIR/redis.pid" ]; then kill "$(cat "$DIR/redis.pid")" 2>/dev/null || true; rm -f "$DIR/redis.pid"; fi
    ;;
*) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
