#!/usr/bin/env bash
# install_deps.sh -- the one list of Debian 12 packages this project needs, and
# the one place that installs them (apt) when some are missing.
#
#   scripts/install_deps.sh [--simulate] [--admindir DIR] GROUP...
#
# Groups: build (compile + install the extension), demo (make demo), bench
# (make bench), deb (make deb), test (make test: everything). `--list GROUP...`
# prints the packages and exits. Packages already installed are left alone; the
# missing ones are installed with `apt-get install --no-install-recommends`
# (after `apt-get update`). Needs root when something is missing.
#   --simulate      apt-get --simulate: resolve and print, install nothing
#   --admindir DIR  read the installed set from dpkg database DIR (dpkg-query
#                   --admindir, apt's Dir::State::status) instead of the system's
# Environment: CASEMIS_SKIP_APT=1 (or CASEMIS_TEST_SKIP_APT=1) skips all of it.
set -euo pipefail

pkgs_of() {
    case "$1" in
    build) echo make g++ postgresql-15 postgresql-server-dev-15 postgresql-15-cron \
        libssh2-1-dev libcurl4-openssl-dev libxlsxwriter-dev ;;
    # gen_sample.py / gen.py run with Debian's /usr/bin/python3
    demo) echo "$(pkgs_of build) python3 python3-aiosmtpd" ;;   # + the demo's SMTP sink
    bench) echo "$(pkgs_of build) python3" ;;
    # dpkg-checkbuilddeps also requires build-essential
    deb) echo "$(pkgs_of build) build-essential dpkg-dev debhelper postgresql-server-dev-all" ;;
    # pg_prove is in libtap-parser-sourcehandler-pgtap-perl (only Recommended by pgtap);
    # libclang-rt-14-dev + clang-14: the fuzz target; git: the upgrade test builds 0.1.0 from history
    test) echo "$(pkgs_of demo) $(pkgs_of deb) postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl" \
        "openssh-server python3-aiosmtpd python3-openpyxl libclang-rt-14-dev clang-14 git" ;;
    *) echo "install_deps.sh: unknown group '$1' (build, demo, bench, deb, test)" >&2; return 2 ;;
    esac
}

simulate=0 list=0 admindir=
groups=()
while [ $# -gt 0 ]; do
    case "$1" in
    --simulate) simulate=1 ;;
    --list) list=1 ;;
    --admindir) admindir=$2; shift ;;
    -*) echo "install_deps.sh: unknown option $1" >&2; exit 2 ;;
    *) groups+=("$1") ;;
    esac
    shift
done
[ ${#groups[@]} -gt 0 ] || groups=(build)

wanted=()
for g in "${groups[@]}"; do
    list_g=$(pkgs_of "$g") || exit 2
    for p in $list_g; do
        case " ${wanted[*]-} " in *" $p "*) ;; *) wanted+=("$p") ;; esac
    done
done
if [ "$list" = 1 ]; then
    printf '%s\n' "${wanted[@]}"
    exit 0
fi
if [ "${CASEMIS_SKIP_APT:-0}" = 1 ] || [ "${CASEMIS_TEST_SKIP_APT:-0}" = 1 ]; then
    echo "package check skipped (CASEMIS_SKIP_APT / CASEMIS_TEST_SKIP_APT)"
    exit 0
fi

dpkg_opts=() apt_opts=()
if [ -n "$admindir" ]; then
    dpkg_opts=(--admindir="$admindir")
    apt_opts=(-o "Dir::State::status=$admindir/status")
fi
missing=()
for p in "${wanted[@]}"; do
    [ "$(dpkg-query "${dpkg_opts[@]}" -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "all ${#wanted[@]} packages present (${groups[*]})"
    exit 0
fi

echo "missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if [ "$simulate" = 1 ]; then
    echo "would run: apt-get update"
    echo "apt-get --simulate install --no-install-recommends ${missing[*]}"
    apt-get "${apt_opts[@]}" --simulate install -y --no-install-recommends "${missing[@]}"
    exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "install_deps.sh: run as root to install ${missing[*]} (apt-get)" >&2; exit 2; }
apt-get update -qq || { echo "apt-get update failed" >&2; exit 1; }
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { echo "apt-get install failed: ${missing[*]}" >&2; exit 1; }
echo "installed: ${missing[*]}"
