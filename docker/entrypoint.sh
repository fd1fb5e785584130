#!/bin/sh
# Entry point of the Vitrine image. The first argument picks what the container runs:
#
#   web [GUNICORN-OPTIONS...]  gunicorn with service/gunicorn_conf.py (the default)
#   worker [OPTIONS...]        `vitrine worker`, the background task worker
#   migrate                    `vitrine db upgrade`, once, before web and worker start
#   vitrine ARGS... | ARGS...  any `vitrine` command: `tokens create --role admin --name me`
#   sh | bash | python ...     a shell or interpreter, for debugging
#
# Migrations are not run by `web`: several replicas starting together would race. Compose
# runs the `migrate` service once and starts web and worker after it has succeeded. For a
# single container on its own, VITRINE_MIGRATE_ON_START=true runs them before gunicorn.
set -eu

[ "$#" -gt 0 ] || set -- web

case "$1" in
    web)
        shift
        case "${VITRINE_MIGRATE_ON_START:-false}" in
            1 | true | yes | on) vitrine db upgrade ;;
        esac
        exec gunicorn --config /app/service/gunicorn_conf.py "$@"
        ;;
    worker)
        shift
        exec vitrine worker "$@"
        ;;
    migrate)
        shift
        exec vitrine db upgrade "$@"
        ;;
    vitrine | gunicorn | python | python3 | sh | bash)
        exec "$@"
        ;;
    *)
        exec vitrine "$@"
        ;;
esac
