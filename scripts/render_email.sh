#!/usr/bin/env bash
# render_email.sh MESSAGE.eml|PAGE.html OUT.png [WIDTHxHEIGHT]
#
# Renders the HTML part of a completion email (or an HTML file) with headless
# Chromium to a PNG, to look at it as office staff would (Debian package
# chromium). Nothing is fetched from the network: the page has no remote parts
# and Chromium's own background traffic is switched off. Not part of make test.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 MESSAGE.eml|PAGE.html OUT.png [WIDTHxHEIGHT]" >&2; exit 2; }
REPO=$(cd "$(dirname "$0")/.." && pwd)
IN=$1 OUT=$2 SIZE=${3:-760x1500}
command -v chromium >/dev/null || { echo "chromium is missing: apt-get install chromium" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf -- "$WORK"' EXIT
case "$IN" in
    *.eml) /usr/bin/python3 "$REPO/test/mail_check.py" html "$IN" "$WORK/page.html" ;;
    *) cp -- "$IN" "$WORK/page.html" ;;
esac
mkdir "$WORK/profile"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$WORK/profile" --window-size="${SIZE/x/,}" \
    --screenshot="$WORK/out.png" "file://$WORK/page.html" >"$WORK/chromium.log" 2>&1 ||
    { cat "$WORK/chromium.log" >&2; exit 1; }
mv -- "$WORK/out.png" "$OUT"
echo "$OUT"
