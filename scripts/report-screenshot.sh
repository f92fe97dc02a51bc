#!/usr/bin/env bash
# Renders a report.html in headless Chromium (Debian's package, installed if missing) and saves
# a full-width screenshot, to check that the page renders without network access.
#   scripts/report-screenshot.sh REPORT.html OUT.png [HEIGHT]
set -euo pipefail
html=$(realpath "$1") png=$2 height=${3:-2400}
if ! command -v chromium >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A throw-away profile; no network is needed (the page embeds its plots).
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp" \
  --window-size=1500,"$height" --screenshot="$tmp/shot.png" "file://$html" 2>"$tmp/log" ||
  { cat "$tmp/log" >&2; exit 1; }
test -s "$tmp/shot.png" || { echo "report-screenshot: chromium wrote no screenshot" >&2; exit 1; }
mv "$tmp/shot.png" "$png"
echo "report-screenshot: $png"
