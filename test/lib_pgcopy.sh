# lib_pgcopy.sh -- sourced by test/upgrade.sh and test/package.sh: a private,
# relocated copy of a Debian PostgreSQL 15 installation (Debian's build finds its
# lib and share directories relative to its binaries) and a cluster on it, so a
# test can swap the extension's files without touching the other tests' servers.

# pgcopy_make SRC_PG_CONFIG DEST: copy the installation SRC_PG_CONFIG belongs to
# (<prefix>/usr/lib/postgresql/15, <prefix>/usr/share/postgresql/15,
# <prefix>/usr/include/postgresql) to DEST/usr/..., without casemis_import's
# files; prints the copy's pg_config.
pgcopy_make() {
    local src_bin prefix major
    src_bin=$("$1" --bindir) || return 1
    major=$("$1" --version | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p')
    prefix=${src_bin%/usr/lib/postgresql/$major/bin}
    if [ "$prefix" = "$src_bin" ] || [ ! -d "$prefix/usr/share/postgresql/$major" ]; then
        echo "pgcopy_make: $1 is not a Debian-layout PostgreSQL installation" >&2
        return 1
    fi
    rm -rf -- "$2"
    mkdir -p "$2/usr/lib/postgresql" "$2/usr/share/postgresql" "$2/usr/include"
    cp -a "$prefix/usr/lib/postgresql/$major" "$2/usr/lib/postgresql/" &&
        cp -a "$prefix/usr/share/postgresql/$major" "$2/usr/share/postgresql/" &&
        { [ ! -d "$prefix/usr/include/postgresql" ] || cp -a "$prefix/usr/include/postgresql" "$2/usr/include/"; } ||
        return 1
    rm -rf -- "$2/usr/lib/postgresql/$major/lib/casemis_import.so" \
        "$2/usr/lib/postgresql/$major/lib/bitcode/casemis_import" \
        "$2/usr/lib/postgresql/$major/lib/bitcode/casemis_import.index.bc" \
        "$2"/usr/share/postgresql/"$major"/extension/casemis_import[-.]*
    echo "$2/usr/lib/postgresql/$major/bin/pg_config"
}

# pgcopy_cluster_start BINDIR DIR PORT CRON_DB: initdb DIR/data (as postgres) and
# start it on 127.0.0.1:PORT and DIR/sock, pg_cron preloaded for database CRON_DB.
pgcopy_cluster_start() {
    local bin=$1 dir=$2 port=$3 crondb=$4
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "port $port is already in use" >&2
        return 1
    fi
    install -d -m 755 -o postgres -g postgres "$dir" "$dir/sock"
    runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
    cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock'
timezone = 'UTC'
log_timezone = 'UTC'
fsync = off
shared_preload_libraries = 'pg_cron'
cron.database_name = '$crondb'
cron.use_background_workers = on
max_worker_processes = 20
log_line_prefix = '%m [%p] %q%u@%d '
CONF
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
        { tail -n 20 "$dir/server.log" >&2; return 1; }
}

pgcopy_cluster_stop() {  # BINDIR DIR
    [ -f "$2/data/postmaster.pid" ] || return 0
    runuser -u postgres -- "$1/pg_ctl" -D "$2/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
        runuser -u postgres -- "$1/pg_ctl" -D "$2/data" -m immediate -w stop >/dev/null 2>&1 || true
}
