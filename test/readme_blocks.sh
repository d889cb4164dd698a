#!/usr/bin/env bash
# readme_blocks.sh WORKDIR -- run the README's tested code blocks, in order, so
# that what a DBA pastes cannot rot. Run by sql/readme.sql (pg_regress).
#
# A block is tested when the line just before its opening fence is
#   <!-- readme-test -->                 sql: psql -v ON_ERROR_STOP=1 -f, in $PGDATABASE
#                                        sh:  bash -e, in WORKDIR/inbox
#   <!-- readme-test: own-database -->   the same, in a database of its own with the
#                                        extension created (for blocks that drop it)
# The blocks are run as written except for these stand-ins, so that they run on
# the test cluster: /srv/casemis/inbox -> WORKDIR/inbox (the sample files),
# /srv/casemis/reports -> WORKDIR/reports, "-d sis" -> the test database.
# Prints "README blocks: N run, N failed", and each failed block's output.
set -uo pipefail

README=${README:-README.md}
WORK=$1
DB=${PGDATABASE:?PGDATABASE must name the test database}
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"   # the blocks' NOTICEs carry timings
mkdir -p "$WORK/inbox" "$WORK/reports" "$WORK/blocks"
# the repository's files the blocks name (docs/operator_role.sql, scripts/gen_sample.py)
ln -sfn "$PWD/docs" "$WORK/inbox/docs"
ln -sfn "$PWD/scripts" "$WORK/inbox/scripts"

# Split the README into block files: N.lang, N.mode, N.line
awk -v dir="$WORK/blocks" '
    /^<!-- readme-test(: own-database)? -->$/ { mode = ($0 ~ /own-database/) ? "own" : "shared"; armed = NR; next }
    armed && NR == armed + 1 && /^```[a-z]+$/ {
        n++; lang = substr($0, 4); inblock = 1
        print lang > (dir "/" n ".lang"); print mode > (dir "/" n ".mode"); print NR > (dir "/" n ".line")
        printf "" > (dir "/" n ".body"); armed = 0; next }
    inblock && /^```$/ { inblock = 0; next }
    inblock { print >> (dir "/" n ".body"); next }
    { armed = 0 }
' "$README"

subst() {
    sed -e "s|/srv/casemis/inbox|$WORK/inbox|g" -e "s|/srv/casemis/reports|$WORK/reports|g" \
        -e "s|-d sis\\b|-d $2|g" "$1"
}

n=0 failed=0
while [ -f "$WORK/blocks/$((n + 1)).lang" ]; do
    n=$((n + 1))
    b=$WORK/blocks/$n
    lang=$(cat "$b.lang") mode=$(cat "$b.mode") line=$(cat "$b.line")
    db=$DB
    if [ "$mode" = own ]; then
        db=readme_own_db
        psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null &&
            psql -X -q -d "$db" -c "CREATE EXTENSION casemis_import" >/dev/null
    fi
    subst "$b.body" "$db" >"$b.run"
    case $lang in
        sql) out=$(cd "$WORK/inbox" && psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$b.run" 2>&1) ;;
        sh) out=$(cd "$WORK/inbox" && PGDATABASE=$db bash -e "$b.run" 2>&1) ;;
        *) out="unknown language $lang"; false ;;
    esac
    rc=$?
    if [ $rc -ne 0 ]; then
        failed=$((failed + 1))
        echo "README block $n (line $line, $lang) failed (exit $rc):"
        echo "$out" | sed 's/^/    /'
    fi
    [ "$mode" = own ] && psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
done
echo "README blocks: $n run, $failed failed"
