#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks: its own temp folder, a
# private port, its socket in that folder, trust authentication, no fsync. Never the
# machine's own cluster, never a system service.
#
#   scripts/pg-cluster.sh run CMD [ARG]...   start, run CMD with TRACKER_TEST_PG set,
#                                            stop (also when CMD fails); exit with CMD's code
#   scripts/pg-cluster.sh start [DIR]        start one and print `export TRACKER_TEST_PG=…`
#                                            (eval "$(scripts/pg-cluster.sh start)")
#   scripts/pg-cluster.sh stop DIR           stop it and delete DIR
#
# The server runs as an unprivileged user: when this script runs as root it creates the
# system user tracker-pg (no login, no home) and runs initdb and pg_ctl as that user.
# Needs Debian's `postgresql` package (`make postgresql` installs it).
# PG_EXTRA="-c shared_buffers=512MB" adds server settings (the benchmarks use it).
set -euo pipefail

PG_USER=tracker-pg
ADMIN_ROLE=tracker

pg_bin() {
    local dir
    if [[ -n "${PG_BIN:-}" ]]; then echo "$PG_BIN"; return; fi
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [[ -z "$dir" || ! -x "$dir/initdb" ]]; then
        echo "pg-cluster: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb);" \
             "run 'make postgresql' or 'apt-get install postgresql'" >&2
        exit 1
    fi
    echo "$dir"
}

as_server_user() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u "$PG_USER" -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    local dir=${1:-} bin port
    bin=$(pg_bin)
    if [[ $(id -u) -eq 0 ]] && ! id -u "$PG_USER" >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin "$PG_USER"
    fi
    if [[ -z "$dir" ]]; then
        dir=$(mktemp -d "${TMPDIR:-/tmp}/tracker-pg.XXXXXX")
    fi
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown "$PG_USER:" "$dir"; fi
    chmod 700 "$dir"
    port=$(free_port)
    as_server_user "$bin/initdb" --pgdata="$dir/data" --username="$ADMIN_ROLE" --auth=trust \
        --encoding=UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        echo "pg-cluster: initdb failed in $dir" >&2
        exit 1
    }
    # shellcheck disable=SC2086
    as_server_user "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait \
        --options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir \
-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
${PG_EXTRA:-}" start >/dev/null || {
        cat "$dir/server.log" >&2
        echo "pg-cluster: the server did not start (log above)" >&2
        exit 1
    }
    echo "export TRACKER_TEST_PG='postgresql:///postgres?host=$dir&port=$port&user=$ADMIN_ROLE'"
    echo "export TRACKER_TEST_PG_DIR='$dir'"
}

stop() {
    local dir=${1:?usage: pg-cluster.sh stop DIR} bin
    bin=$(pg_bin)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        as_server_user "$bin/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait stop \
            >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

run() {
    [[ $# -gt 0 ]] || { echo "usage: pg-cluster.sh run CMD [ARG]..." >&2; exit 2; }
    local env status=0
    env=$(start)
    eval "$env"
    trap 'stop "$TRACKER_TEST_PG_DIR"' EXIT
    trap 'exit 130' INT TERM
    echo "pg-cluster: PostgreSQL running for this run at $TRACKER_TEST_PG" >&2
    "$@" || status=$?
    exit "$status"
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    run) shift; run "$@" ;;
    *) echo "usage: pg-cluster.sh run CMD... | start [DIR] | stop DIR" >&2; exit 2 ;;
esac
