// run_lock.cpp -- the locks a run takes (see run_lock.hpp).
#include "run/run_lock.hpp"

#include "run/txn.hpp"

namespace casemis::run {

namespace {

long long g_lock_timeout_ms = 0; // for the message of a wait that ran out

std::string human_ms(long long ms)
{
    if (ms % 60000 == 0)
        return std::to_string(ms / 60000) + " min";
    if (ms % 1000 == 0)
        return std::to_string(ms / 1000) + " s";
    return std::to_string(ms) + " ms";
}

// Locks row `key` of casemis.run_lock (made if missing); a wait that runs out
// of lock_timeout becomes an Error naming `what`.
void lock_row(pg::Spi &spi, const std::string &key, const std::string &what, const char *wait_notice)
{
    const bool announce_wait = wait_notice != nullptr;
    spi.exec("INSERT INTO casemis.run_lock (name) VALUES ($1) ON CONFLICT DO NOTHING", {key});
    const std::string sql = "SELECT name FROM casemis.run_lock WHERE name = $1 FOR UPDATE";
    ErrorData *timed_out = nullptr;
    try {
        if (announce_wait && spi.exec(sql + " SKIP LOCKED", {key}) == 1)
            return;
        if (announce_wait)
            notice(wait_notice);
        spi.exec(sql, {key});
    } catch (const PgError &e) {
        if (e.edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
            throw;
        timed_out = e.edata;
    }
    if (timed_out) {
        pg_guard([&] { FreeErrorData(timed_out); });
        throw Error(ERRCODE_LOCK_NOT_AVAILABLE,
                    "could not lock " + what + " within lock_timeout (" + human_ms(g_lock_timeout_ms) +
                        "): another session holds it",
                    "The run waited for row '" + key + "' of casemis.run_lock; nothing of the run was applied.",
                    "Look for the session holding it in pg_locks / pg_stat_activity (an open transaction?), or raise "
                    "the setting's lock_timeout.");
    }
}

} // namespace

void limit_lock_waits(pg::Spi &spi, long long lock_timeout_ms)
{
    g_lock_timeout_ms = lock_timeout_ms;
    spi.exec("SELECT pg_catalog.set_config('lock_timeout', $1, true)", {std::to_string(lock_timeout_ms)});
}

std::optional<int64_t> lock_setting(pg::Spi &spi, const std::string &name)
{
    lock_row(spi, name, "setting \"" + name + "\"", nullptr);
    // Under the lock: the setting's runs still 'running' are in progress
    // while their worker lives, else interrupted.
    spi.exec("UPDATE casemis.import_run r SET status = 'failed', finished_at = clock_timestamp(), "
             "message = 'interrupted: the run''s worker ended before finishing (server crash, restart or kill); "
             "nothing of it was applied' WHERE r.settings_name = $1 AND r.status = 'running' "
             "AND NOT casemis._run_in_progress(r.worker_pid, r.started_at)",
             {name});
    auto live = spi.scalar("SELECT max(run_id)::text FROM casemis.import_run WHERE settings_name = $1 "
                           "AND status = 'running'",
                           {name});
    if (live)
        return std::stoll(*live);
    return std::nullopt;
}

void lock_shared_writes(pg::Spi &spi)
{
    lock_row(spi, "*", "the shared write lock (another setting's run is writing cse/csv)",
             "waiting for another setting's run to finish writing cse/csv");
    // the other run's rows, committed while this one waited, are seen by the
    // run's next statements: each takes a fresh snapshot (pg/spi.hpp)
}

} // namespace casemis::run
