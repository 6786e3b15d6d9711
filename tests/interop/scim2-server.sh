#!/usr/bin/env bash
# Runs scim2-server (PyPI, a SCIM 2.0 server nobody here wrote) for the interop tests.
#
#   tests/interop/scim2-server.sh install        create .venv in the checkout and install it, if missing
#   tests/interop/scim2-server.sh start DIR [http11]
#                                                start it on 127.0.0.1 on a free port; print its base URL;
#                                                its PID goes to DIR/pid and its log to DIR/server.log.
#                                                With http11, the same CLI is served by waitress
#                                                (HTTP/1.1) instead of wsgiref (HTTP/1.0): see serve_http11.py
#   tests/interop/scim2-server.sh stop DIR       stop the server whose PID is in DIR/pid
set -euo pipefail

VERSION="0.8.3"
WAITRESS="3.0.2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.venv"
server="$venv/bin/scim2-server"

install() {
  if [ -x "$server" ] && "$venv/bin/pip" freeze 2>/dev/null | grep -qx "scim2-server==$VERSION" \
    && "$venv/bin/pip" freeze 2>/dev/null | grep -qx "waitress==$WAITRESS"; then
    return 0
  fi
  command -v python3 >/dev/null || { echo "python3 is not installed" >&2; return 1; }
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "scim2-server==$VERSION" "waitress==$WAITRESS" >&2
}

start() {
  local dir="$1" mode="${2:-}"
  install
  mkdir -p "$dir"
  local port
  port="$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  if [ "$mode" = http11 ]; then
    "$venv/bin/python" "$root/tests/interop/serve_http11.py" --hostname 127.0.0.1 --port "$port" >"$dir/server.log" 2>&1 &
  else
    "$server" --hostname 127.0.0.1 --port "$port" >"$dir/server.log" 2>&1 &
  fi
  echo $! >"$dir/pid"
  local url="http://127.0.0.1:$port/v2"
  for _ in $(seq 1 100); do
    if "$venv/bin/python" - "$url" <<'PY' 2>/dev/null; then echo "$url"; return 0; fi
import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "/ServiceProviderConfig", timeout=1).read()
PY
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "scim2-server did not start on port $port; its log:" >&2
  cat "$dir/server.log" >&2 || true
  stop "$dir"
  return 1
}

stop() {
  local dir="$1"
  [ -f "$dir/pid" ] || return 0
  kill "$(cat "$dir/pid")" 2>/dev/null || true
  rm -f "$dir/pid"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: $0 start DIR [http11]}" "${3:-}" ;;
  stop) stop "${2:?usage: $0 stop DIR}" ;;
  *) echo "usage: $0 install | start DIR [http11] | stop DIR" >&2; exit 2 ;;
esac
