#!/usr/bin/env bash
# Headless Chromium (Debian's package, a browser nobody here wrote) for the
# plan review page (`scim plan --html`): its tests (crates/scim-cli/tests/review.rs)
# and the picture in docs/plan-review.png.
#
#   tests/chromium/chromium.sh install            apt-get install chromium, if missing: as root,
#                                                 else through sudo -n (never prompts)
#   tests/chromium/chromium.sh screenshot HTML PNG  a 1200x1600 screenshot of the page HTML
#   tests/chromium/chromium.sh docs               docs/plan-review.png again: the page of a plan of
#                                                 tests/chromium/review.csv against the embedded
#                                                 service (built with cargo), screenshot
#
# Every browser run has its own throw-away profile directory, and is killed
# if it has not exited after 60 s.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"

install() {
  if command -v chromium >/dev/null; then
    return 0
  fi
  local as_root=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null \
      || { echo "installing chromium needs root or sudo (apt-get)" >&2; return 1; }
    as_root=(sudo -n)
  fi
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends chromium >&2
  command -v chromium >/dev/null \
    || { echo "apt-get installed chromium, but no chromium is on PATH" >&2; return 1; }
}

screenshot() {
  local html="$1" png="$2" profile
  [ -f "$html" ] || { echo "no such page: $html" >&2; return 1; }
  profile="$(mktemp -d)"
  local status=0
  timeout --kill-after=5 60 chromium --headless=new --no-sandbox --disable-gpu \
    --user-data-dir="$profile" --hide-scrollbars --window-size=1200,1600 \
    --screenshot="$(realpath -m "$png")" "file://$(realpath "$html")" >/dev/null 2>"$profile.log" \
    || status=$?
  if [ "$status" != 0 ]; then
    echo "chromium failed (status $status); its log:" >&2
    cat "$profile.log" >&2
  fi
  rm -rf "$profile" "$profile.log"
  return "$status"
}

docs() {
  local dir
  dir="$(mktemp -d)"
  (cd "$root" && cargo build -q -p scim-cli)
  local scim="${CARGO_TARGET_DIR:-$root/target}/debug/scim"
  (cd "$dir" && env -u SLACK_ORG_ADMIN_USER_TOKEN -u SCIM_TOKEN "$scim" -q plan \
    --from "$root/tests/chromium/review.csv" --mapping "$root/crates/scim-cli/sample/mapping.json" \
    --owned-prefix sample- --max-deactivation-percent 20 --html plan.html >/dev/null)
  screenshot "$dir/plan.html" "$root/docs/plan-review.png"
  rm -rf "$dir"
  echo "wrote docs/plan-review.png" >&2
}

case "${1:-}" in
  install) install ;;
  screenshot) screenshot "${2:?the page}" "${3:?the PNG to write}" ;;
  docs) docs ;;
  *)
    echo "usage: $0 install | screenshot HTML PNG | docs" >&2
    exit 2
    ;;
esac
