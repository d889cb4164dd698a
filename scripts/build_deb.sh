#!/usr/bin/env bash
# build_deb.sh -- `make deb`: the Debian package postgresql-15-casemis-import,
# built with Debian's tooling for extensions (dpkg-buildpackage; debian/rules
# runs pg_buildext through dh --with pgxs_loop).
#
# Builds in a copy of the tree (under $DEB_BUILD_DIR, removed afterwards), so
# the checkout gets no build artifacts; the .deb lands in $DEB_OUT.
# Environment: DEB_OUT=<repo>/dist  DEB_BUILD_DIR=(a new temporary directory)
#   CASEMIS_SKIP_APT=1 (no package check)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${DEB_OUT:-$REPO/dist}
VERSION=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version 2>/dev/null ||
    sed -n '1s/.*(\(.*\)).*/\1/p' "$REPO/debian/changelog")
EXTVERSION=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$REPO/casemis_import.control")
[ "$VERSION" = "$EXTVERSION" ] || {
    echo "debian/changelog is at $VERSION but casemis_import.control at $EXTVERSION: add a changelog entry" >&2
    exit 2
}

bash "$REPO/scripts/install_deps.sh" deb

BUILD=${DEB_BUILD_DIR:-$(mktemp -d /tmp/casemis_deb.XXXXXX)}
trap 'rm -rf -- "$BUILD"' EXIT
SRC=$BUILD/casemis-import-$VERSION
mkdir -p "$SRC" "$OUT"
tar -C "$REPO" -cf - --exclude=./.git --exclude=./dist --exclude=./results --exclude=./regression.diffs \
    --exclude=./regression.out --exclude=./tmp_check --exclude=./log --exclude=./test/unit/build \
    --exclude=./test/fuzz/build --exclude='*.o' --exclude='*.bc' --exclude='*.so' --exclude='*.d' \
    --exclude='./casemis_import--[0-9]*.sql' . | tar -C "$SRC" -xf -
# pg_buildext gives make PG_CONFIG=/usr/lib/postgresql/<version>/bin/pg_config
(cd "$SRC" && env -u PG_CONFIG dpkg-buildpackage -us -uc -b) >"$BUILD/build.log" 2>&1 ||
    { tail -n 40 "$BUILD/build.log" >&2; echo "dpkg-buildpackage failed" >&2; exit 1; }
grep -E '^dpkg-deb: building package' "$BUILD/build.log" || true
for f in "$BUILD"/*.deb; do
    cp "$f" "$OUT/"
    echo "$OUT/$(basename "$f")"
done
