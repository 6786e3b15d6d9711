#!/usr/bin/env bash
# Runs OpenLDAP's slapd (Debian's package, a directory nobody here wrote) for scim-ldap's tests.
#
#   tests/ldap/slapd.sh install           apt-get install slapd, ldap-utils and openssl, if missing (as root)
#   tests/ldap/slapd.sh start DIR [LDIF]  write DIR/slapd.conf (mdb backend, suffix dc=example,dc=org,
#                                         the core, cosine, inetorgperson and nis schemas and
#                                         tests/ldap/ad.schema), load LDIF with slapadd if given, start
#                                         slapd on 127.0.0.1 on a free port and print its URL.
#                                         The admin DN is cn=admin,dc=example,dc=org; its throw-away
#                                         password is in DIR/password (mode 600), never printed.
#                                         slapd's PID goes to DIR/slapd.pid, its log to DIR/slapd.log.
#                                         TLS too: a throw-away CA (DIR/tls/ca.pem) signs a certificate
#                                         for 127.0.0.1; StartTLS works on the ldap:// URL, and an
#                                         ldaps:// listener's URL is written to DIR/ldaps_url
#   tests/ldap/slapd.sh stop DIR          stop the slapd whose PID is in DIR/slapd.pid
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
SLAPD="${SLAPD:-/usr/sbin/slapd}"
SUFFIX="dc=example,dc=org"

install() {
  if [ -x "$SLAPD" ] && command -v ldapsearch >/dev/null && command -v slapadd >/dev/null \
    && command -v openssl >/dev/null; then
    return 0
  fi
  [ "$(id -u)" = 0 ] || { echo "installing slapd needs root (apt-get)" >&2; return 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q slapd ldap-utils openssl >&2
  # The package may start a system slapd on port 389; the tests run their own.
  if command -v service >/dev/null; then service slapd stop >&2 2>&1 || true; fi
}

config() {
  local dir="$1" hash="$2"
  cat >"$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include $root/tests/ldap/ad.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $dir/slapd.own.pid
argsfile $dir/slapd.args
database mdb
maxsize 1073741824
suffix "$SUFFIX"
rootdn "cn=admin,$SUFFIX"
rootpw $hash
directory $dir/db
index objectClass eq
TLSCACertificateFile $dir/tls/ca.pem
TLSCertificateFile $dir/tls/server.pem
TLSCertificateKeyFile $dir/tls/server.key
CONF
}

# A throw-away CA and a certificate it signs for 127.0.0.1 (EC P-256), in DIR/tls.
certificates() {
  local tls="$1/tls"
  rm -rf "$tls" && mkdir -p "$tls" && chmod 700 "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=scim-ldap test CA" -keyout "$tls/ca.key" -out "$tls/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    >/dev/null 2>&1
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=127.0.0.1" -keyout "$tls/server.key" -out "$tls/server.csr" >/dev/null 2>&1
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1" >"$tls/server.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
    -CAcreateserial -days 2 -extfile "$tls/server.ext" -out "$tls/server.pem" >/dev/null 2>&1
}

start() {
  local dir="$1" ldif="${2:-}"
  [ -x "$SLAPD" ] || { echo "slapd is not installed: run $0 install" >&2; return 1; }
  stop "$dir"
  rm -rf "$dir/db" && mkdir -p "$dir/db"
  # No newline: slappasswd -T and ldapsearch -y read the file's every byte.
  (umask 077 && printf %s "$(head -c 18 /dev/urandom | base64 | tr -d '/+=')" >"$dir/password")
  command -v openssl >/dev/null || { echo "openssl is needed for slapd's test certificates" >&2; return 1; }
  certificates "$dir" || { echo "could not make slapd's test certificates" >&2; return 1; }
  config "$dir" "$(slappasswd -T "$dir/password")"
  if [ -n "$ldif" ]; then
    slapadd -q -f "$dir/slapd.conf" -l "$ldif" >"$dir/slapadd.log" 2>&1 \
      || { echo "slapadd failed; its log:" >&2; cat "$dir/slapadd.log" >&2; return 1; }
  fi
  # A free port can be taken between the pick and slapd's bind: three tries.
  local attempt
  for attempt in 1 2 3; do
    if serve "$dir"; then return 0; fi
    echo "slapd did not start (try $attempt of 3); its log:" >&2
    cat "$dir/slapd.log" >&2 || true
    stop "$dir"
  done
  return 1
}

# Starts slapd on a free port; prints its URL once it answers.
serve() {
  local dir="$1" port tls_port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  tls_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  local url="ldap://127.0.0.1:$port" tls_url="ldaps://127.0.0.1:$tls_port"
  # -d 0: stay in the foreground (so $! is slapd) and log nothing but errors.
  "$SLAPD" -d 0 -h "$url/ $tls_url/" -f "$dir/slapd.conf" >"$dir/slapd.log" 2>&1 &
  echo $! >"$dir/slapd.pid"
  echo "$tls_url" >"$dir/ldaps_url"
  for _ in $(seq 1 100); do
    if ldapsearch -x -H "$url" -b "" -s base -o nettimeout=1 >/dev/null 2>&1 \
      && LDAPTLS_CACERT="$dir/tls/ca.pem" ldapsearch -x -H "$tls_url" -b "" -s base -o nettimeout=1 >/dev/null 2>&1; then
      echo "$url"
      return 0
    fi
    if ! kill -0 "$(cat "$dir/slapd.pid")" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}

stop() {
  local dir="$1"
  [ -f "$dir/slapd.pid" ] || return 0
  local pid
  pid="$(cat "$dir/slapd.pid")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$dir/slapd.pid"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: $0 start DIR [LDIF]}" "${3:-}" ;;
  stop) stop "${2:?usage: $0 stop DIR}" ;;
  *) echo "usage: $0 install | start DIR [LDIF] | stop DIR" >&2; exit 2 ;;
esac
