#!/usr/bin/env bash
# run_all.sh -- `make test`: everything, on a fresh Debian 12 machine, as root.
#
# Installs what is missing (apt), builds with -Werror and installs the
# extension, runs the C++ unit tests (+ ASan, + TSan for the side thread) and a fuzz smoke run, then starts
# real servers for the SQL tests -- a throwaway PostgreSQL 15 cluster with
# pg_cron, a private sshd (SFTP) and an SMTP sink -- and runs pg_regress
# (test/schedule, after test/schedule_check.sh), pgTAP (test/pgtap/*.sql), and
# the concurrency and crash scripts (test/concurrency.sh, test/crash.sh) against
# them; then the SFTP and SMTP modules against servers of their own (test/net),
# the upgrade from release 0.1.0 (test/upgrade.sh) and the Debian package
# (test/package.sh), each on a PostgreSQL copy and cluster of its own.
# Ends with one line "N passed, N failed"; exits non-zero on any failure.
# Everything it starts is stopped on exit; logs stay under $CASEMIS_TEST_ROOT.
#
# Environment (defaults):
#   CASEMIS_TEST_ROOT=/tmp/casemis_regress   wiped and recreated each run
#   CASEMIS_TEST_PORT=55432                  PostgreSQL (127.0.0.1 + unix socket)
#   CASEMIS_TEST_SFTP_PORT=2222              sshd
#   CASEMIS_TEST_SMTP_PORT=2525              SMTP sink
#   CASEMIS_TEST_SMTP_DOWN_PORT=(a free one) a port nothing listens on
#   CASEMIS_TEST_FUZZ_SECONDS=30             fuzz smoke duration
#   CASEMIS_TEST_SKIP_APT=1                  do not check/install packages
#   CASEMIS_TEST_UPGRADE_PORT=(PORT+1000)    test/upgrade.sh's cluster
#   CASEMIS_TEST_PACKAGE_PORT=(PORT+2000)    test/package.sh's cluster
#   CASEMIS_TEST_SQL_ONLY=1                  only the SQL tests (pg_regress, pgTAP) on the
#                                            throwaway servers: `make installcheck` with no
#                                            server named
set -Eeuo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${CASEMIS_TEST_ROOT:-/tmp/casemis_regress}
PGPORT_T=${CASEMIS_TEST_PORT:-55432}
SFTP_PORT=${CASEMIS_TEST_SFTP_PORT:-2222}
SMTP_PORT=${CASEMIS_TEST_SMTP_PORT:-2525}
SMTP_DOWN_PORT=${CASEMIS_TEST_SMTP_DOWN_PORT:-}
FUZZ_SECONDS=${CASEMIS_TEST_FUZZ_SECONDS:-30}
SQL_ONLY=${CASEMIS_TEST_SQL_ONLY:-0}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PGBIN=$("$PG_CONFIG" --bindir 2>/dev/null || true)   # set again once the packages are in
SFTP_USER=casemis_sftp
SFTP_PASSWORD='S3cret-pw'
SYS_PY=/usr/bin/python3          # Debian's, which has aiosmtpd (PATH's may be pyenv's)
# one build/install at a time per PostgreSQL installation
BUILD_LOCK=/tmp/casemis_build$(echo "$PG_CONFIG" | tr / _).lock
export PG_CONFIG

PASSED=0
FAILED=0
FAILURES=()

section() { printf '\n=== %s\n' "$*"; }
pass()    { PASSED=$((PASSED + ${2:-1})); echo "PASS: $1"; }
fail()    { FAILED=$((FAILED + ${2:-1})); FAILURES+=("$1"); echo "FAIL: $1"; }
summary() {
    echo
    if [ ${#FAILURES[@]} -gt 0 ]; then
        echo "failures:"
        printf '  - %s\n' "${FAILURES[@]}"
    fi
    echo "logs: $ROOT"
    echo "$PASSED passed, $FAILED failed"
}
# An infrastructure step failed: nothing after it can run.
die() {
    echo "ERROR: $*" >&2
    fail "setup: $*"
    summary
    exit 1
}
trap 'die "command failed (line $LINENO): $BASH_COMMAND"' ERR

[ "$(id -u)" -eq 0 ] || { echo "run_all.sh must run as root (apt, make install, sshd, runuser)" >&2; exit 2; }
case "$ROOT" in
    /*/*) ;;
    *) echo "CASEMIS_TEST_ROOT must be an absolute path below a directory: $ROOT" >&2; exit 2 ;;
esac

as_pg() { runuser -u postgres -- "$@"; }

# pid from a pid file, only if that process is still the one we expect
live_pid() {  # file name-fragment
    local pid
    [ -s "$1" ] || return 1
    pid=$(head -n1 "$1" 2>/dev/null) || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2" || return 1
    echo "$pid"
}

stop_pid_file() {  # file name-fragment
    local pid
    pid=$(live_pid "$1" "$2") || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

# Stops what this script (or an earlier run with the same root) started.
stop_services() {
    if [ -f "$ROOT/pg/data/postmaster.pid" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$ROOT/pg/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
            as_pg "$PGBIN/pg_ctl" -D "$ROOT/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    stop_pid_file "$ROOT/sshd/sshd.pid" sshd
    stop_pid_file "$ROOT/smtp_sink.pid" smtp_sink
}
on_exit() {
    local rc=$?
    trap - ERR
    set +e
    if [ "${CASEMIS_TEST_KEEP:-0}" = 1 ] && [ "$STARTED" = 1 ]; then
        echo "CASEMIS_TEST_KEEP=1: servers left running; stop them with:"
        echo "  CASEMIS_TEST_ROOT=$ROOT bash test/run_all.sh stop"
    else
        stop_services
    fi
    exit $rc
}
STARTED=0
if [ "${1:-}" = stop ]; then
    trap - ERR
    stop_services
    exit 0
fi
trap on_exit EXIT
trap 'echo "interrupted" >&2; exit 130' INT
trap 'echo "terminated" >&2; exit 143' TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {  # port seconds
    for _ in $(seq $(($2 * 10))); do port_in_use "$1" && return 0; sleep 0.1; done
    return 1
}

# ============================================================ 1. packages
# The one package list (and apt-get when something is missing): scripts/install_deps.sh.
section "packages"
bash "$REPO/scripts/install_deps.sh" test || die "package installation failed (scripts/install_deps.sh test)"
if [ "${CASEMIS_TEST_SKIP_APT:-0}" != 1 ]; then
    # The apt path, as on a fresh machine: against a copy of the dpkg database that
    # lacks two of the packages, the script must find them missing and hand them to
    # apt (--simulate: apt resolves them for real and installs nothing).
    deps_db=$(mktemp -d)
    mkdir -p "$deps_db/updates" "$deps_db/info"
    awk -v RS= -v ORS='\n\n' '!/^Package: (postgresql-15-cron|python3-aiosmtpd)\n/' /var/lib/dpkg/status >"$deps_db/status"
    if bash "$REPO/scripts/install_deps.sh" --simulate --admindir "$deps_db" demo test >"$deps_db/out" 2>&1 &&
        grep -q '^missing packages: postgresql-15-cron python3-aiosmtpd$' "$deps_db/out" &&
        grep -q '^Inst postgresql-15-cron ' "$deps_db/out" && grep -q '^Inst python3-aiosmtpd ' "$deps_db/out"; then
        pass "install_deps.sh: missing packages are installed with apt (simulated)"
    else
        cat "$deps_db/out"
        fail "install_deps.sh: missing packages are installed with apt (simulated)"
    fi
    rm -rf -- "$deps_db"
fi

PGBIN=$("$PG_CONFIG" --bindir) || die "$PG_CONFIG does not run (set PG_CONFIG)"

# ============================================================ 2. build
section "build + install (ERROR_ON_WARNING=1)"
# The lock serialises builds/installs with other people's runs on a shared machine.
# -s: no command echo, only the compiler's diagnostics
flock "$BUILD_LOCK" make -s -C "$REPO" --no-print-directory ERROR_ON_WARNING=1 PG_CONFIG="$PG_CONFIG" ||
    die "build failed"
flock "$BUILD_LOCK" make -C "$REPO" --no-print-directory install PG_CONFIG="$PG_CONFIG" >/dev/null ||
    die "make install failed"
echo "installed into $($PG_CONFIG --pkglibdir) and $($PG_CONFIG --sharedir)/extension"

# ============================================================ 3. C++ unit tests + fuzz
# Adds the counts of the closing "N passed, N failed" line of a unit test run.
count_unit() {  # label log rc
    local line p f
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$2" | tail -n1 || true)
    if [ -z "$line" ]; then
        fail "$1 (exit $3, no 'N passed, N failed' line)"
        return
    fi
    p=${line%% passed*}
    f=${line#*, }; f=${f%% failed}
    [ "$p" -gt 0 ] && pass "$1: $p cases" "$p"
    if [ "$f" -gt 0 ]; then
        fail "$1: $f cases" "$f"
    elif [ "$3" -ne 0 ]; then
        fail "$1 (exit $3)"
    fi
}
UNIT_LOG_DIR=$(mktemp -d)
if [ "$SQL_ONLY" = 1 ]; then
    section "C++ unit tests, fuzz"
    echo "skipped (CASEMIS_TEST_SQL_ONLY=1)"
elif [ -f "$REPO/test/unit/Makefile" ]; then
    for target in run run-asan run-tsan; do
        section "C++ unit tests (make -C test/unit $target)"
        rc=0
        make -C "$REPO/test/unit" --no-print-directory "$target" 2>&1 | tee "$UNIT_LOG_DIR/$target.log" || rc=$?
        count_unit "unit $target" "$UNIT_LOG_DIR/$target.log" "$rc"
    done
else
    section "C++ unit tests"
    echo "none (test/unit/Makefile not present)"
fi
if [ "$SQL_ONLY" != 1 ] && [ -f "$REPO/test/fuzz/Makefile" ]; then
    section "fuzz smoke (make -C test/fuzz run SECONDS=$FUZZ_SECONDS)"
    if make -C "$REPO/test/fuzz" --no-print-directory run SECONDS="$FUZZ_SECONDS" 2>&1 | tail -n 40; then
        pass "fuzz smoke"
    else
        fail "fuzz smoke"
    fi
fi

section "test/build_checks.sh (which PostgreSQL the Makefile accepts)"
rc=0
bash "$REPO/test/build_checks.sh" 2>&1 | tee "$UNIT_LOG_DIR/build_checks.log" || rc=$?
count_unit "test/build_checks.sh" "$UNIT_LOG_DIR/build_checks.log" "$rc"

# ============================================================ 4. test root
section "test root $ROOT"
stop_services                     # leftovers of an interrupted or kept run with this root
STARTED=1
rm -rf -- "$ROOT"
install -d -m 755 -o postgres -g postgres "$ROOT"
mv "$UNIT_LOG_DIR" "$ROOT/unit_logs" && chmod 755 "$ROOT/unit_logs"
# pg_regress writes results/ next to the tests, and postgres may not be able
# to read the clone (e.g. under /root): run the SQL tests from a copy.
install -d -m 755 -o postgres -g postgres "$ROOT/src-copy"
tar -C "$REPO" -cf - \
    --exclude=./.git --exclude=./results --exclude=./regression.diffs --exclude=./regression.out \
    --exclude=./tmp_check --exclude=./log --exclude=./test/unit/build --exclude=./test/fuzz/build \
    --exclude='*.o' --exclude='*.bc' --exclude='*.so' --exclude='*.d' . |
    tar -C "$ROOT/src-copy" -xf -
chown -R postgres:postgres "$ROOT/src-copy"
# fixtures: read-only for the tests
mkdir -p "$ROOT/fixtures"
[ -d "$REPO/test/fixtures" ] && cp -a "$REPO/test/fixtures/." "$ROOT/fixtures/"
chown -R root:root "$ROOT/fixtures"
chmod -R a+rX,go-w "$ROOT/fixtures"
# writable by the server: export_reports targets and scratch space for tests
install -d -m 755 -o postgres -g postgres "$ROOT/export" "$ROOT/scratch"
echo "src-copy, fixtures ($(find "$ROOT/fixtures" -type f | wc -l) files), export, scratch"

# ============================================================ 5. sshd (SFTP)
section "sshd on 127.0.0.1:$SFTP_PORT (user $SFTP_USER)"
port_in_use "$SFTP_PORT" && die "port $SFTP_PORT is already in use (set CASEMIS_TEST_SFTP_PORT)"
mkdir -p /run/sshd && chmod 755 /run/sshd          # privilege separation dir
install -d -m 755 "$ROOT/sshd"
ssh-keygen -q -t ed25519 -N '' -C casemis-test-host -f "$ROOT/sshd/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -C casemis-test-client -f "$ROOT/sshd/client_ed25519"
chown postgres:postgres "$ROOT/sshd/client_ed25519" "$ROOT/sshd/client_ed25519.pub"
chmod 600 "$ROOT/sshd/client_ed25519"
install -m 644 "$ROOT/sshd/client_ed25519.pub" "$ROOT/sshd/authorized_keys"
FINGERPRINT=$(ssh-keygen -lf "$ROOT/sshd/host_ed25519.pub" -E sha256 | awk '{print $2}')
echo "$FINGERPRINT" >"$ROOT/sshd/fingerprint"
echo "[127.0.0.1]:$SFTP_PORT $(cut -d' ' -f1,2 "$ROOT/sshd/host_ed25519.pub")" >"$ROOT/sshd/known_hosts"
chmod 644 "$ROOT/sshd/fingerprint" "$ROOT/sshd/known_hosts"

# The account is shared by every test root on the machine, so its passwd home
# is only the latest run's: each sshd starts SFTP sessions in its own root's
# sftp_home (ForceCommand internal-sftp -d; "~" and relative paths resolve
# there) and reads its own authorized_keys file.
if ! id "$SFTP_USER" >/dev/null 2>&1; then
    useradd --no-create-home --home-dir "$ROOT/sftp_home" --shell /usr/sbin/nologin \
        --user-group "$SFTP_USER"
elif [ "$(getent passwd "$SFTP_USER" | cut -d: -f6)" != "$ROOT/sftp_home" ]; then
    usermod --home "$ROOT/sftp_home" "$SFTP_USER"
fi
echo "$SFTP_USER:$SFTP_PASSWORD" | chpasswd       # also unlocks the account (UsePAM no)
install -d -m 755 -o "$SFTP_USER" -g "$SFTP_USER" "$ROOT/sftp_home"
# upload/: group postgres so that tests (psql \! runs as postgres) may add files
install -d -m 2775 -o "$SFTP_USER" -g postgres "$ROOT/sftp_home/upload"
if [ -d "$REPO/test/fixtures/sftp" ]; then
    cp -a "$REPO/test/fixtures/sftp/." "$ROOT/sftp_home/upload/"
    chown -R "$SFTP_USER:postgres" "$ROOT/sftp_home/upload"
    chmod -R u+rwX,g+rwX,o+rX "$ROOT/sftp_home/upload"
fi

cat >"$ROOT/sshd/sshd_config" <<EOF
# private test sshd started by test/run_all.sh -- never a system service
Port $SFTP_PORT
ListenAddress 127.0.0.1
HostKey $ROOT/sshd/host_ed25519
PidFile $ROOT/sshd/sshd.pid
UsePAM no
PasswordAuthentication yes
PermitEmptyPasswords no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
# absolute path under /tmp (world-writable): StrictModes would refuse it
AuthorizedKeysFile $ROOT/sshd/authorized_keys
StrictModes no
PermitRootLogin no
AllowUsers $SFTP_USER
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTTY no
PrintMotd no
LogLevel VERBOSE
Subsystem sftp internal-sftp
ForceCommand internal-sftp -d $ROOT/sftp_home
EOF
/usr/sbin/sshd -t -f "$ROOT/sshd/sshd_config" || die "sshd config test failed"
/usr/sbin/sshd -f "$ROOT/sshd/sshd_config" -E "$ROOT/sshd/sshd.log"   # daemonizes, writes PidFile
wait_port "$SFTP_PORT" 10 || die "sshd did not listen on $SFTP_PORT (see $ROOT/sshd/sshd.log)"
# self-check, as the server's OS user: key login, pinned host key, SFTP subsystem
printf 'ls upload\n' | as_pg sftp -F /dev/null -b - -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$ROOT/sshd/known_hosts" -o IdentitiesOnly=yes \
    -i "$ROOT/sshd/client_ed25519" -P "$SFTP_PORT" "$SFTP_USER@127.0.0.1" >/dev/null ||
    die "SFTP self-check (key login as $SFTP_USER) failed; see $ROOT/sshd/sshd.log"
echo "host key $FINGERPRINT; client key $ROOT/sshd/client_ed25519; password in run_all.sh"

# ============================================================ 6. SMTP sink
section "SMTP sink on 127.0.0.1:$SMTP_PORT"
port_in_use "$SMTP_PORT" && die "port $SMTP_PORT is already in use (set CASEMIS_TEST_SMTP_PORT)"
install -d -m 755 -o postgres -g postgres "$ROOT/mail"
# runs as postgres so that tests can read and clear $ROOT/mail
as_pg "$SYS_PY" "$ROOT/src-copy/test/smtp_sink.py" "$ROOT/mail" 127.0.0.1 "$SMTP_PORT" \
    "$ROOT/smtp_sink.pid" >"$ROOT/smtp_sink.log" 2>&1 </dev/null &
wait_port "$SMTP_PORT" 15 || { cat "$ROOT/smtp_sink.log" >&2; die "SMTP sink did not start"; }
if [ -z "$SMTP_DOWN_PORT" ]; then
    SMTP_DOWN_PORT=$("$SYS_PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
port_in_use "$SMTP_DOWN_PORT" && die "smtp_down_port $SMTP_DOWN_PORT has a listener"
echo "messages -> $ROOT/mail/NNNN.eml + NNNN.json; closed port for failures: $SMTP_DOWN_PORT"

# ============================================================ 7. PostgreSQL cluster
section "PostgreSQL 15 cluster on port $PGPORT_T"
port_in_use "$PGPORT_T" && die "port $PGPORT_T is already in use (set CASEMIS_TEST_PORT)"
install -d -m 755 -o postgres -g postgres "$ROOT/pg" "$ROOT/pg/sock"
as_pg "$PGBIN/initdb" -D "$ROOT/pg/data" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$ROOT/pg/initdb.log" 2>&1 ||
    { cat "$ROOT/pg/initdb.log" >&2; die "initdb failed"; }
cat >>"$ROOT/pg/data/postgresql.conf" <<EOF

# ---- test/run_all.sh
port = $PGPORT_T
listen_addresses = '127.0.0.1'
unix_socket_directories = '$ROOT/pg/sock'
timezone = 'UTC'
log_timezone = 'UTC'
fsync = off
shared_preload_libraries = 'pg_cron'
cron.database_name = 'contrib_regression'
cron.use_background_workers = on
max_worker_processes = 40
log_line_prefix = '%m [%p] %q%u@%d '
# read by the tests with current_setting()
casemis_test.root = '$ROOT'
casemis_test.sftp_port = '$SFTP_PORT'
casemis_test.sftp_user = '$SFTP_USER'
casemis_test.sftp_host_key = '$FINGERPRINT'
casemis_test.smtp_port = '$SMTP_PORT'
casemis_test.smtp_down_port = '$SMTP_DOWN_PORT'
EOF
as_pg "$PGBIN/pg_ctl" -D "$ROOT/pg/data" -l "$ROOT/pg/server.log" -w -t 60 start >/dev/null ||
    { tail -n 30 "$ROOT/pg/server.log" >&2; die "PostgreSQL did not start"; }
export PGHOST="$ROOT/pg/sock" PGPORT="$PGPORT_T" PGUSER=postgres
echo "PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=postgres; log $ROOT/pg/server.log"

# ============================================================ 8. pg_regress
section "schedule check (test/schedule_check.sh)"
trap - ERR
set +e
if bash "$REPO/test/schedule_check.sh"; then pass "schedule check"; else fail "schedule check"; fi
section "pg_regress (test/schedule)"
cd "$ROOT"
REGRESS_TESTS=$(sed -n 's/^test: *//p' "$ROOT/src-copy/test/schedule" 2>/dev/null | tr -s ' \n' ' ')
if [ -z "${REGRESS_TESTS// /}" ]; then
    echo "no tests in test/schedule"
else
    as_pg env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres \
        make -C "$ROOT/src-copy" --no-print-directory installcheck PG_CONFIG="$PG_CONFIG" \
        PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres 2>&1 | tee "$ROOT/regress.log"
    rc=${PIPESTATUS[0]}
    # per-test lines: "test name ... ok 12 ms", "     name ... FAILED 12 ms", "... failed (ignored)"
    ok=$(grep -cE '^(test +| +)[^ ]+ +\.\.\. +ok( |$)' "$ROOT/regress.log")
    bad=$(grep -cE '^(test +| +)[^ ]+ +\.\.\. +(FAILED|failed)' "$ROOT/regress.log")
    [ "$ok" -gt 0 ] && pass "pg_regress: $ok tests" "$ok"
    if [ "$bad" -gt 0 ]; then
        fail "pg_regress: $bad tests ($(grep -E '^(test +| +)[^ ]+ +\.\.\. +(FAILED|failed)' "$ROOT/regress.log" |
            awk '{print ($1 == "test") ? $2 : $1}' | tr '\n' ' '| sed 's/ $//'))" "$bad"
    elif [ "$rc" -ne 0 ]; then
        fail "pg_regress (exit $rc; see $ROOT/regress.log)"
    fi
    # --outputdir=results: pg_regress writes results/regression.diffs
    for d in "$ROOT/src-copy/results/regression.diffs" "$ROOT/src-copy/regression.diffs"; do
        if [ -s "$d" ]; then
            section "regression.diffs"
            cat "$d"
            break
        fi
    done
fi

# ============================================================ 9. pgTAP
section "pgTAP (test/pgtap/*.sql)"
shopt -s nullglob
TAP_FILES=("$ROOT"/src-copy/test/pgtap/*.sql)
shopt -u nullglob
if [ ${#TAP_FILES[@]} -eq 0 ]; then
    echo "no pgTAP files"
else
    # pg_regress leaves contrib_regression behind; create it when pg_regress did not run
    as_pg "$PGBIN/psql" -X -q -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'contrib_regression'" | grep -q 1 ||
        as_pg "$PGBIN/createdb" contrib_regression
    as_pg "$PGBIN/psql" -X -q -d contrib_regression -c 'CREATE EXTENSION IF NOT EXISTS pgtap'
    for f in "${TAP_FILES[@]}"; do
        name=test/pgtap/$(basename "$f")
        if (cd "$ROOT/src-copy" && as_pg env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres \
                pg_prove --psql-bin "$PGBIN/psql" -d contrib_regression "$name"); then
            pass "pgTAP $name"
        else
            fail "pgTAP $name"
        fi
    done
fi

# ============================================================ 10. concurrency and crashes
# Real parallel clients, then faults mid-import (crash.sh kills backends and
# restarts the server, so it comes last). Each ends with "N passed, N failed".
[ "$SQL_ONLY" = 1 ] && SCRIPTS=() || SCRIPTS=(concurrency crash)
for script in "${SCRIPTS[@]}"; do
    section "test/$script.sh"
    rc=0
    env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres CASEMIS_TEST_PGDATA="$ROOT/pg/data" \
        CASEMIS_TEST_PGLOG="$ROOT/pg/server.log" \
        bash "$ROOT/src-copy/test/$script.sh" "$ROOT/scratch" 2>&1 | tee "$ROOT/$script.log" || rc=$?
    count_unit "test/$script.sh" "$ROOT/$script.log" "$rc"
done

# ============================================================ 11. network modules
# SFTP and SMTP (STARTTLS, smtps, refused and hung servers) against servers of
# its own, on free ports; no PostgreSQL server involved.
if [ "$SQL_ONLY" != 1 ]; then
    section "test/net/run.sh"
    rc=0
    NET_ROOT="$ROOT/net" PG_CONFIG="$PG_CONFIG" bash "$REPO/test/net/run.sh" 2>&1 | tee "$ROOT/net.log" || rc=$?
    count_unit "test/net" "$ROOT/net.log" "$rc"
fi

# ============================================================ 12. upgrade and package
# On clusters and PostgreSQL copies of their own (they swap the extension's files).
# They run from the checkout: the upgrade test builds 0.1.0 from its git history.
[ "$SQL_ONLY" = 1 ] && SCRIPTS=() || SCRIPTS=(upgrade package)
for script in "${SCRIPTS[@]}"; do
    section "test/$script.sh"
    rc=0
    env -u PGHOST -u PGPORT PG_CONFIG="$PG_CONFIG" CASEMIS_TEST_REPO="$REPO" CASEMIS_TEST_FIXTURES="$ROOT/fixtures" \
        CASEMIS_TEST_UPGRADE_PORT="${CASEMIS_TEST_UPGRADE_PORT:-$((PGPORT_T + 1000))}" \
        CASEMIS_TEST_PACKAGE_PORT="${CASEMIS_TEST_PACKAGE_PORT:-$((PGPORT_T + 2000))}" \
        bash "$REPO/test/$script.sh" "$ROOT/$script" 2>&1 | tee "$ROOT/$script.log" || rc=$?
    count_unit "test/$script.sh" "$ROOT/$script.log" "$rc"
done

# ============================================================ 13. summary
section "summary"
summary
[ "$FAILED" -eq 0 ]
