#!/usr/bin/env bash
# s3-test-server.sh up|down [DIR] [--wipe]
#
# A real S3 server for the test suite: a throwaway single-node Ceph cluster with
# the RADOS Gateway (S3), from Debian's packages (MinIO is not packaged there).
# Adapted from /work/shared/s3/radosgw-up.sh + radosgw-down.sh: one ceph-mon,
# one ceph-osd on the in-RAM "memstore" backend, no ceph-mgr, radosgw (beast).
# Everything binds to 127.0.0.1; all state, logs, sockets and PID files live
# under DIR (default ${TMPDIR:-/tmp}/vitrine-rgw: short, unix socket paths are
# limited to 107 bytes).
#
#   up    installs the packages if missing (apt-get, ~25 s once), starts the
#         cluster (~3 s) and prints, as its last lines, shell code for eval:
#             VITRINE_TEST_S3_ENDPOINT=http://127.0.0.1:7481; export VITRINE_TEST_S3_ENDPOINT
#             ... VITRINE_TEST_S3_KEY, VITRINE_TEST_S3_SECRET, VITRINE_TEST_S3_BUCKET
#         Idempotent: if the cluster under DIR is healthy it only prints; if it
#         is half-up or stale it is stopped, wiped and started fresh.
#         If VITRINE_TEST_S3_ENDPOINT is already set, nothing is started and the
#         VITRINE_TEST_S3_* variables are echoed back: that is how any other S3
#         (MinIO, AWS, R2...) is used for the tests.
#   down  stops only the daemons whose PID files are under DIR and whose command
#         line names DIR/ceph.conf (guards against PID reuse); --wipe also
#         deletes DIR. Memstore data is lost on stop anyway.
#
# Usage from make / CI:
#   eval "$(bash scripts/s3-test-server.sh up | grep ^VITRINE_)"
#   .venv/bin/pytest ...; bash scripts/s3-test-server.sh down
#
# Env knobs (all optional):
#   RGW_PORT=7481  MON_PORT=40301                 ports on 127.0.0.1 (the shared
#                                                 recipe's 7480/40300 stay free)
#   RGW_ACCESS_KEY=rgwtestaccesskey  RGW_SECRET_KEY=rgwtestsecretkey0123456789
#   RGW_MEMSTORE_BYTES=2147483648                 RAM budget of the memstore OSD
#   RGW_OBJECTSTORE=memstore|bluestore            bluestore: sparse file, ~5.6 s start
#   RGW_NO_INSTALL=1                              fail instead of apt-get install
#   VITRINE_TEST_S3_BUCKET=vitrine-test           bucket the tests use (they create it)
set -euo pipefail

CMD=${1:-}
WIPE=
DIR=${VITRINE_RGW_DIR:-${TMPDIR:-/tmp}/vitrine-rgw}
for arg in "${@:2}"; do
    if [ "$arg" = --wipe ]; then WIPE=1; else DIR=$arg; fi
done
DIR=${DIR%/}
RGW_PORT=${RGW_PORT:-7481}
MON_PORT=${MON_PORT:-40301}
ACCESS_KEY=${RGW_ACCESS_KEY:-rgwtestaccesskey}
SECRET_KEY=${RGW_SECRET_KEY:-rgwtestsecretkey0123456789}
MEM_BYTES=${RGW_MEMSTORE_BYTES:-2147483648}
STORE=${RGW_OBJECTSTORE:-memstore}
BUCKET=${VITRINE_TEST_S3_BUCKET:-vitrine-test}
CONF=$DIR/ceph.conf

log() { printf '[s3-test-server %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() {
    log "ERROR: $*"
    for f in "$DIR"/log/*.log; do [ -f "$f" ] && { echo "--- tail $f" >&2; tail -n 20 "$f" >&2; }; done
    exit 1
}
emit() {  # emit NAME VALUE -> one eval-able line that also exports the variable
    printf '%s=%q; export %s\n' "$1" "$2" "$1"
}
print_env() {
    emit VITRINE_TEST_S3_ENDPOINT "$1"
    emit VITRINE_TEST_S3_KEY "$2"
    emit VITRINE_TEST_S3_SECRET "$3"
    emit VITRINE_TEST_S3_BUCKET "$BUCKET"
}
ours() {  # ours PIDFILE -> true if it names a live process started with our conf
    local pid cmd
    pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] || return 1
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *"$CONF"* ]]
}
rgw_answers() { curl -fsS -m 3 -o /dev/null "http://127.0.0.1:$RGW_PORT/" 2>/dev/null; }

down() {
    local name f pid
    for name in client.rgw.a osd.0 mon.a; do  # reverse order of start
        f=$DIR/run/$name.pid
        [ -f "$f" ] || continue
        if ours "$f"; then
            pid=$(cat "$f")
            log "stopping $name (pid $pid)"
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            if kill -0 "$pid" 2>/dev/null; then
                log "$name did not exit in 10 s, sending SIGKILL"
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
        rm -f "$f"
    done
    if [ -n "$WIPE" ] && [ -f "$CONF" ]; then
        rm -rf "${DIR:?}" "$DIR.lock"
        log "removed $DIR"
    fi
}

install_packages() {
    local need=()
    command -v ceph-mon >/dev/null || need+=(ceph-mon)
    command -v ceph-osd >/dev/null || need+=(ceph-osd)
    command -v radosgw >/dev/null || need+=(radosgw)
    command -v ceph >/dev/null || need+=(ceph-common)
    command -v curl >/dev/null || need+=(curl)
    [ ${#need[@]} -eq 0 ] && return 0
    [ "${RGW_NO_INSTALL:-0}" = 1 ] && die "missing packages: ${need[*]}"
    log "apt-get install ${need[*]} (about 61 MB download, ~30 s)"
    local sudo=
    [ "$(id -u)" = 0 ] || sudo=sudo
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >/dev/null  # the lists may be missing on a fresh machine
    $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

write_conf() {
    cat >"$CONF" <<EOF
# generated by scripts/s3-test-server.sh -- throwaway test cluster, no real data
# port $RGW_PORT key $ACCESS_KEY store $STORE
[global]
fsid = $1
mon host = v2:127.0.0.1:$MON_PORT
public addr = 127.0.0.1
cluster addr = 127.0.0.1
keyring = $DIR/keyring
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
crash dir = $DIR/crash
log to stderr = false
err to stderr = true
mon cluster log file = $DIR/log/cluster.log
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
auth allow insecure global id reclaim = false
# commit map changes fast instead of batching for 1 s: 13.5 s -> ~3 s startup
paxos propose interval = 0.05
paxos min wait = 0.01

[mon]
mon data = $DIR/mon/\$cluster-\$id

[osd]
osd data = $DIR/osd/\$cluster-\$id
osd objectstore = $STORE
memstore device bytes = $MEM_BYTES
bluestore block create = true
bluestore block size = 10737418240
bluestore fsck on mount = false
bluestore fsck on mkfs = false
osd memory target = 939524096
osd crush initial weight = 1
osd op num shards = 1
osd op num threads per shard = 2

[client.rgw.a]
# tcp_nodelay: a small GET takes 45 ms without it
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
rgw thread pool size = 64
rgw gc obj min wait = 60
rgw gc processor period = 60
EOF
}

up() {
    if [ -n "${VITRINE_TEST_S3_ENDPOINT:-}" ]; then
        log "VITRINE_TEST_S3_ENDPOINT is set: using that S3, starting nothing"
        print_env "$VITRINE_TEST_S3_ENDPOINT" "${VITRINE_TEST_S3_KEY:-}" "${VITRINE_TEST_S3_SECRET:-}"
        return 0
    fi
    install_packages
    local endpoint=http://127.0.0.1:$RGW_PORT
    if [ -f "$CONF" ] && ours "$DIR/run/mon.a.pid" && ours "$DIR/run/osd.0.pid" \
        && ours "$DIR/run/client.rgw.a.pid" && rgw_answers \
        && grep -q "^# port $RGW_PORT key $ACCESS_KEY store $STORE\$" "$CONF"; then
        log "already running under $DIR"
        print_env "$endpoint" "$ACCESS_KEY" "$SECRET_KEY"
        return 0
    fi
    if [ -e "$CONF" ] || [ -d "$DIR/run" ]; then
        log "no healthy cluster under $DIR: stopping what is left of it, starting fresh"
        down
        rm -rf "${DIR:?}"/{mon,osd,run,log,crash,ceph.conf,keyring,monmap}
    fi
    rgw_answers && die "something else already answers on 127.0.0.1:$RGW_PORT (set RGW_PORT)"
    if (exec 3<>"/dev/tcp/127.0.0.1/$MON_PORT") 2>/dev/null; then
        die "port $MON_PORT in use (set MON_PORT)"
    fi

    local t0 fsid osd_uuid id k=$DIR/keyring ceph=(ceph -c "$CONF" --connect-timeout 10)
    t0=$(date +%s.%N)
    mkdir -p "$DIR"/{mon,osd,run,log,crash}
    fsid=$(cat /proc/sys/kernel/random/uuid)
    osd_uuid=$(cat /proc/sys/kernel/random/uuid)
    write_conf "$fsid"

    # keys: ceph-mon --mkfs imports every entity of this keyring
    ceph-authtool --create-keyring "$k" --gen-key -n mon. --cap mon 'allow *' >/dev/null
    ceph-authtool "$k" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
        --cap mgr 'allow *' >/dev/null
    ceph-authtool "$k" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' \
        --cap mgr 'allow profile osd' >/dev/null
    ceph-authtool "$k" --gen-key -n client.rgw.a --cap mon 'allow rw' --cap osd 'allow rwx' \
        --cap mgr 'allow rw' >/dev/null
    chmod 600 "$k"

    monmaptool --create --enable-all-features --set-min-mon-release 16 --clobber --fsid "$fsid" \
        --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
    ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap" --keyring "$k" >/dev/null
    # 9>&-: the daemons must not inherit (and hold forever) the flock of this script
    ceph-mon -c "$CONF" -i a 2>>"$DIR/log/daemon-start.err" 9>&- || die "ceph-mon failed to start"
    for _ in $(seq 1 60); do
        timeout 15 "${ceph[@]}" mon stat >/dev/null 2>&1 && break
        sleep 0.5
    done
    timeout 15 "${ceph[@]}" mon stat >/dev/null 2>&1 || die "ceph-mon does not answer"

    id=$(timeout 30 "${ceph[@]}" osd new "$osd_uuid" 0)
    [ "$id" = 0 ] || die "ceph osd new returned '$id'"
    mkdir -p "$DIR/osd/ceph-0"
    ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" >"$DIR/log/osd-mkfs.log" 2>&1 \
        || die "ceph-osd --mkfs failed"
    ceph-osd -c "$CONF" -i 0 2>>"$DIR/log/daemon-start.err" 9>&- || die "ceph-osd failed to start"
    osd_up() {
        local s
        s=$(timeout 15 "${ceph[@]}" osd stat -f json 2>/dev/null) && [[ $s == *'"num_up_osds":1'* ]]
    }
    for _ in $(seq 1 120); do osd_up && break; sleep 0.5; done
    osd_up || die "osd.0 did not come up"

    radosgw -c "$CONF" -n client.rgw.a 2>>"$DIR/log/daemon-start.err" 9>&- || die "radosgw failed to start"
    for _ in $(seq 1 240); do rgw_answers && break; sleep 0.5; done
    rgw_answers || die "radosgw does not answer on 127.0.0.1:$RGW_PORT"

    radosgw-admin -c "$CONF" -n client.admin user create --uid=vitrine-test \
        --display-name="Vitrine tests" --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" \
        >"$DIR/log/user-create.json" 2>"$DIR/log/user-create.err" \
        || die "radosgw-admin user create failed: $(tail -n 5 "$DIR/log/user-create.err")"
    log "ready on $endpoint after $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N)-$t0}") s" \
        "(stop with: bash $0 down $DIR)"
    print_env "$endpoint" "$ACCESS_KEY" "$SECRET_KEY"
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
        echo "usage: $0 up|down [DIR] [--wipe]" >&2
        exit 2
        ;;
esac
