#!/usr/bin/env bash
#
# scripts/pg-cluster.sh — a throw-away PostgreSQL 15 cluster for tests.
#
#   pg-cluster.sh start DIR          create and start a cluster in DIR, create minzheng_test,
#                                    print its URL (postgresql://postgres@127.0.0.1:PORT/NAME)
#   pg-cluster.sh createdb DIR NAME  create database NAME in that cluster; prints its URL
# The cluster also has a login role minzheng_app (no privileges of its own) for the server.
#   pg-cluster.sh stop DIR           stop the cluster and remove DIR
#
# PG_CLUSTER_CONF, when set, is appended to postgresql.conf (a benchmark's
# "shared_buffers = 6GB", say).
# Stdout carries only the URL; everything else goes to DIR/setup.log (shown on failure).
# The cluster listens on 127.0.0.1 only, on the first free port from 25432 up, with trust
# authentication and durability off (fsync, synchronous_commit, full_page_writes) for speed:
# never point it at data you want to keep. Run as root, the server runs as user postgres, so
# DIR must be reachable by that user (a directory under /tmp, e.g. from mktemp -d).
#
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
FIRST_PORT=25432
PORT_TRIES=100
MARKER=.minzheng-pg-cluster

usage() {
    echo "usage: $0 start DIR | createdb DIR NAME | stop DIR" >&2
    exit 2
}

die() {
    echo "pg-cluster: $*" >&2
    exit 1
}

# Runs a command as the cluster's owner: postgres when we are root, else ourselves.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# True when something accepts connections on 127.0.0.1:$1.
port_busy() {
    (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

url_for() {
    echo "postgresql://postgres@127.0.0.1:$(cat "$DIR/port")/$1"
}

# Prints the log and fails.
fail_with_log() {
    [[ -f $DIR/setup.log ]] && cat "$DIR/setup.log" >&2
    [[ -f $DIR/postgres.log ]] && tail -n 20 "$DIR/postgres.log" >&2
    die "$1"
}

init_cluster() {
    mkdir -p "$DIR"
    [[ -e $DIR/data ]] && die "$DIR already holds a cluster"
    DIR=$(cd "$DIR" && pwd)
    touch "$DIR/$MARKER" "$DIR/setup.log"
    chmod 755 "$DIR"
    if [[ $(id -u) -eq 0 ]]; then
        chown -R postgres: "$DIR"
    fi
    as_owner "$PG_BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C \
        --no-sync >> "$DIR/setup.log" 2>&1 || fail_with_log "initdb failed"
    as_owner tee "$DIR/data/pg_hba.conf" > /dev/null <<EOF
# pg-cluster.sh: trust, local socket and 127.0.0.1 only
local all all trust
host  all all 127.0.0.1/32 trust
EOF
    as_owner tee -a "$DIR/data/postgresql.conf" > /dev/null <<EOF

# pg-cluster.sh: a throw-away test cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
${PG_CLUSTER_CONF:-}
EOF
}

# Starts the server on the first free port; another cluster may grab a port between the check
# and the start, so a failed start moves on to the next one.
start_server() {
    local port=$FIRST_PORT last=$((FIRST_PORT + PORT_TRIES))
    while ((port < last)); do
        if ! port_busy "$port"; then
            if as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 60 \
                -o "-p $port" start >> "$DIR/setup.log" 2>&1; then
                echo "$port" | as_owner tee "$DIR/port" > /dev/null
                return 0
            fi
            tail -n 5 "$DIR/postgres.log" | grep -q 'could not bind' ||
                fail_with_log "the server did not start"
        fi
        port=$((port + 1))
    done
    fail_with_log "could not start the server on ports $FIRST_PORT-$((last - 1))"
}

create_database() {
    [[ $1 =~ ^[a-z_][a-z0-9_]*$ ]] || die "bad database name: $1"
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$(cat "$DIR/port")" -U postgres "$1" \
        >> "$DIR/setup.log" 2>&1 || fail_with_log "createdb $1 failed"
    url_for "$1"
}

# The role the server runs as in production-like tests: it owns nothing, so `minzheng migrate`
# (run as the owner) grants it what it may do — on the audit log only INSERT and SELECT.
create_app_role() {
    "$PG_BIN/psql" -h 127.0.0.1 -p "$(cat "$DIR/port")" -U postgres -d postgres -q \
        -c "CREATE ROLE minzheng_app LOGIN" >> "$DIR/setup.log" 2>&1 ||
        fail_with_log "creating role minzheng_app failed"
}

stop_cluster() {
    [[ -d $DIR ]] || return 0
    [[ -f $DIR/$MARKER ]] || die "$DIR was not made by pg-cluster.sh; not removing it"
    if [[ -f $DIR/data/postmaster.pid ]] &&
        ! as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >> "$DIR/setup.log" 2>&1 &&
        as_owner "$PG_BIN/pg_ctl" -D "$DIR/data" status > /dev/null 2>&1; then
        fail_with_log "pg_ctl stop failed"
    fi
    rm -rf -- "$DIR"
}

[[ $# -ge 2 ]] || usage
CMD=$1
DIR=$2
[[ -n $DIR && $DIR != / ]] || usage
[[ $DIR == /* ]] || DIR=$PWD/$DIR
cd /    # the postgres user may not be able to read the caller's directory

case $CMD in
start)
    [[ $# -eq 2 ]] || usage
    init_cluster
    start_server
    create_app_role
    create_database minzheng_test
    ;;
createdb)
    [[ $# -eq 3 ]] || usage
    [[ -f $DIR/port ]] || die "no cluster running in $DIR"
    create_database "$3"
    ;;
stop)
    [[ $# -eq 2 ]] || usage
    stop_cluster
    ;;
*)
    usage
    ;;
esac
