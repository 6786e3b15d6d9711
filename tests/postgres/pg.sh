#!/usr/bin/env bash
# Runs PostgreSQL (Debian's package) for scim-pg's tests, in a throw-away cluster.
#
#   tests/postgres/pg.sh install     apt-get install postgresql, if missing (as root)
#   tests/postgres/pg.sh start DIR   initdb a cluster in a fresh temporary directory (its path in
#                                    DIR/pgdata), start it on 127.0.0.1 on a free port, create the
#                                    database scim_pg_test and print its URL (no password in it).
#                                    TCP connections authenticate with SCRAM as `postgres`; the
#                                    throw-away password is in DIR/password (mode 600), never
#                                    printed. The server's log is DIR/postgres.log.
#   tests/postgres/pg.sh stop DIR    stop that cluster (pg_ctl stop, by its pid) and remove it
#
# PostgreSQL refuses to run as root: as root, the cluster is made and run by the `postgres`
# user (the package creates it), or `nobody` without it.
set -euo pipefail

DB=scim_pg_test

bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$dir" ] && [ -x "$dir/initdb" ] || return 1
  echo "$dir"
}

install() {
  if bindir >/dev/null; then return 0; fi
  [ "$(id -u)" = 0 ] || { echo "installing postgresql needs root (apt-get)" >&2; return 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q postgresql >&2
  # The package may start a system cluster on port 5432; the tests run their own.
  if command -v service >/dev/null; then service postgresql stop >&2 2>&1 || true; fi
}

# Runs a command as the cluster's owner: ourselves, or an unprivileged user when root.
as_owner() {
  if [ "$(id -u)" != 0 ]; then "$@"; return; fi
  local user=postgres
  id -u "$user" >/dev/null 2>&1 || user=nobody
  runuser -u "$user" -- "$@"
}

owner_chown() {
  if [ "$(id -u)" = 0 ]; then
    local user=postgres
    id -u "$user" >/dev/null 2>&1 || user=nobody
    chown -R "$user" "$@"
  fi
}

start() {
  local dir="$1" bin data
  bin="$(bindir)" || { echo "postgresql is not installed: run $0 install" >&2; return 1; }
  mkdir -p "$dir"
  stop "$dir"
  # A fresh directory of its own under /tmp: the owner needs to reach it, whoever owns DIR.
  data="$(mktemp -d "${TMPDIR:-/tmp}/scim-pg.XXXXXX")"
  echo "$data" >"$dir/pgdata"
  (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/password")
  cp "$dir/password" "$data/pwfile"
  chmod 700 "$data"
  owner_chown "$data"
  as_owner "$bin/initdb" -D "$data/cluster" -U postgres --pwfile="$data/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { echo "initdb failed; its log:" >&2; cat "$dir/initdb.log" >&2; return 1; }
  rm -f "$data/pwfile"
  # A free port can be taken between the pick and the server's bind: three tries.
  local attempt
  for attempt in 1 2 3; do
    if serve "$dir" "$bin" "$data"; then return 0; fi
    echo "postgres did not start (try $attempt of 3); its log:" >&2
    cat "$data/postgres.log" >&2 || true
    as_owner "$bin/pg_ctl" -D "$data/cluster" stop -m immediate >/dev/null 2>&1 || true
  done
  return 1
}

# Starts the cluster on a free port; creates the database; prints its URL.
serve() {
  local dir="$1" bin="$2" data="$3" port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  as_owner "$bin/pg_ctl" -D "$data/cluster" -l "$data/postgres.log" -w -t 30 \
    -o "-h 127.0.0.1 -p $port -k $data -c fsync=off -c max_connections=100" start >/dev/null || return 1
  echo "$port" >"$dir/port"
  as_owner "$bin/createdb" -h "$data" -p "$port" -U postgres "$DB" || return 1
  ln -sf "$data/postgres.log" "$dir/postgres.log"
  echo "postgres://postgres@127.0.0.1:$port/$DB"
}

stop() {
  local dir="$1" bin data
  [ -f "$dir/pgdata" ] || return 0
  data="$(cat "$dir/pgdata")"
  if [ -f "$data/cluster/postmaster.pid" ] && bin="$(bindir)"; then
    as_owner "$bin/pg_ctl" -D "$data/cluster" stop -m fast -w -t 30 >/dev/null 2>&1 \
      || as_owner "$bin/pg_ctl" -D "$data/cluster" stop -m immediate >/dev/null 2>&1 || true
  fi
  case "$data" in
    "${TMPDIR:-/tmp}"/scim-pg.*) rm -rf "$data" ;;
  esac
  rm -f "$dir/pgdata" "$dir/port" "$dir/postgres.log"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: $0 start DIR}" ;;
  stop) stop "${2:?usage: $0 stop DIR}" ;;
  *) echo "usage: $0 install | start DIR | stop DIR" >&2; exit 2 ;;
esac
