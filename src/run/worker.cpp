// worker.cpp -- the run's background worker: entry point, transactions, and the
// outcome recorded on import_run whatever happens inside.
#include <csignal>

#include "pg/boundary.hpp"
#include "pg/spi.hpp"
#include "run/process.hpp"
#include "run/shared.hpp"
#include "run/txn.hpp"

extern "C" {
#include "access/xact.h"
#include "libpq/pqmq.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

PGDLLEXPORT void casemis_worker_main(Datum main_arg);
}

namespace casemis::run {

void begin_transaction()
{
    pg_guard([] {
        SetCurrentStatementStartTimestamp();
        StartTransactionCommand();
        PushActiveSnapshot(GetTransactionSnapshot());
    });
}

void commit_transaction()
{
    pg_guard([] {
        if (ActiveSnapshotSet())
            PopActiveSnapshot();
        CommitTransactionCommand();
    });
}

void abort_transaction() noexcept
{
    // AbortCurrentTransaction releases locks, buffers, SPI and memory of the
    // failed transaction; it only raises on a corrupt state (then: FATAL).
    AbortCurrentTransaction();
}

void notice(const std::string &msg)
{
    pg_guard([&] { ereport(NOTICE, (errcode(ERRCODE_SUCCESSFUL_COMPLETION), errmsg_internal("%s", msg.c_str()))); });
}

void warning(const std::string &msg, const std::string &hint)
{
    pg_guard([&] {
        ereport(WARNING, (errcode(ERRCODE_WARNING), errmsg_internal("%s", msg.c_str()),
                          hint.empty() ? 0 : errhint("%s", hint.c_str())));
    });
}

void set_activity(const std::string &what)
{
    pg_guard([&] { pgstat_report_activity(STATE_RUNNING, what.c_str()); });
}

void check_interrupts()
{
    pg_guard([] { CHECK_FOR_INTERRUPTS(); });
}

namespace {

// Why a phase failed, as the run's row keeps it: the SQLSTATE
// (import_run.errcode), the message and the advice (import_run.hint).
struct RunError {
    int sqlstate = 0;
    std::string message;
    std::string hint;
    pg::Value errcode() const { return sqlstate ? pg::Value(unpack_sql_state(sqlstate)) : std::nullopt; }
    pg::Value hint_value() const { return hint.empty() ? std::nullopt : pg::Value(hint); }
};

// How a failure reads in the run's message: the error's message and its detail
// in parentheses (its hint has a column of its own).
std::string describe(const CaughtError &c)
{
    std::string m = c.message;
    if (c.sqlstate == ERRCODE_QUERY_CANCELED)
        m = "canceled: " + m;
    if (c.detail[0])
        m += " (" + std::string(c.detail) + ")";
    return m;
}

void set_out(RunShared &sh, RunStatus status, const RunError &failure)
{
    set_status(sh, status);
    strlcpy(sh.message, failure.message.c_str(), sizeof(sh.message));
    strlcpy(sh.hint, failure.hint.c_str(), sizeof(sh.hint));
    sh.sqlstate = failure.sqlstate;
}

// Runs one phase of a run. On failure: what went wrong, the phase's
// transaction already rolled back.
template <typename F> bool run_phase(F &&phase, RunError &failure)
{
    CaughtError err;
    const bool ok = catch_all(phase, err);
    if (err.stacks_restored)
        ereport(WARNING, (errcode(ERRCODE_INTERNAL_ERROR),
                          errmsg_internal("casemis_import internal error: a C++ exception left a "
                                          "PG_TRY block (stack restored)")));
    if (ok)
        return true;
    failure.sqlstate = err.sqlstate;
    failure.message = describe(err);
    failure.hint = err.hint;
    if (err.pg)
        FreeErrorData(err.pg);
    abort_transaction();
    return false;
}

// Records a failed run in its own transaction (the run's was rolled back).
// A cancel still pending here (it came while the run was failing for another
// reason, e.g. blocked in a system call) has nothing left to cancel: it must
// not stop the outcome from being recorded.
void record_failure(RunShared &sh, const Prepared &p, const RunError &failure)
{
    RunError why;
    HOLD_CANCEL_INTERRUPTS();
    bool ok = run_phase(
        [&] {
            begin_transaction();
            {
                pg::Spi spi;
                spi.exec("UPDATE casemis.import_run SET status = $4, finished_at = clock_timestamp(), "
                         "message = $2, errcode = $3, hint = $5 WHERE run_id = $1::bigint",
                         {std::to_string(sh.run_id), failure.message, failure.errcode(),
                          std::string(to_text(RunStatus::Failed)), failure.hint_value()});
                if (p.files.fetched) // the run's own record of them was rolled back
                    record_files(spi, sh.run_id, p.files);
            }
            commit_transaction();
        },
        why);
    QueryCancelPending = false;
    RESUME_CANCEL_INTERRUPTS();
    if (!ok)
        ereport(LOG, (errcode(ERRCODE_WARNING),
                      errmsg_internal(
                          "casemis_import: could not record failure of run " INT64_FORMAT ": %s",
                          sh.run_id, why.message.c_str())));
    set_out(sh, RunStatus::Failed, failure);
}

// Records a run that failed before its row was written (its setting's lock
// could not be taken within lock_timeout, say), so that a scheduled run's
// failure is seen too. Runs as the extension's owner, as phase 1 does.
void record_unstarted_failure(RunShared &sh, const RunError &failure)
{
    RunError why;
    const bool ok = run_phase(
        [&] {
            begin_transaction();
            {
                pg::Spi spi;
                const std::string caller = caller_name(spi, sh);
                run_as_extension_owner(spi);
                const pg::Value scheduled_for = scheduled_for_text(sh);
                auto id = spi.scalar(
                    "INSERT INTO casemis.import_run (settings_name, status, finished_at, message, trigger, dry_run, "
                    "forced, run_by, worker_pid, scheduled_for, errcode, hint) VALUES ($1, $10, clock_timestamp(), $2, "
                    "$3, $4::boolean, $5::boolean, $6, $7::int, $8::timestamptz, $9, $11) RETURNING run_id",
                    {std::string(sh.settings_name), failure.message, std::string(to_text(sh.trigger)), std::string(sh.dry_run ? "t" : "f"),
                     std::string(sh.force ? "t" : "f"), caller, std::to_string(MyProcPid),
                     scheduled_for, failure.errcode(), std::string(to_text(RunStatus::Failed)), failure.hint_value()});
                sh.run_id = std::stoll(*id);
            }
            commit_transaction();
        },
        why);
    if (!ok)
        ereport(LOG, (errcode(ERRCODE_WARNING),
                      errmsg_internal(
                          "casemis_import: could not record the failed run of setting \"%s\": %s",
                          sh.settings_name, why.message.c_str())));
    set_out(sh, RunStatus::Failed, failure);
}

// The run itself: its three phases; the outcome is on import_run and in sh.
void execute_run(RunShared &sh, Prepared &prep) noexcept
{
    RunError failure;

    // 1. The setting, the lock, the run row -- committed before any file is read.
    if (!run_phase([&] { prepare(sh, prep); }, failure)) {
        if (sh.run_id != 0)
            record_failure(sh, prep, failure);
        else if (sh.result == Result::Done)
            record_unstarted_failure(sh, failure);
        else
            set_out(sh, RunStatus::Failed, failure);
        return;
    }
    if (sh.result != Result::Done || prep.skipped)
        return;

    // 2. Fetch, validate, match, write and report: one transaction.
    if (!run_phase([&] { process(sh, prep); }, failure)) {
        // Canceled by the caller, which said why.
        if (failure.sqlstate == ERRCODE_QUERY_CANCELED && sh.cancel_reason[0])
            failure.message =
                "canceled: " + std::string(field_text(sh.cancel_reason));
        record_failure(sh, prep, failure);
    }

    // 3. Only now, with the outcome committed, the email.
    if (!run_phase([&] { notify(sh, prep); }, failure))
        ereport(LOG, (errcode(ERRCODE_WARNING),
                      errmsg_internal("casemis_import: email of run " INT64_FORMAT " failed: %s",
                                      sh.run_id, failure.message.c_str())));
}

// One server-log line per run, so that log monitoring sees a failed nightly
// run: LOG, or WARNING for a failed or skipped run. Only the server log gets
// it: the caller already has the run's NOTICE or WARNING.
void log_outcome(const RunShared &sh, const Prepared &p)
{
    const std::optional<RunStatus> status = status_of(sh);
    const bool bad = status != RunStatus::Succeeded && status != RunStatus::DryRun && status != RunStatus::Unchanged;
    std::string line = "casemis_import run " + std::to_string(sh.run_id) + " of setting \"" + sh.settings_name +
                       "\" (" + to_text(sh.trigger) + (sh.dry_run ? ", dry run" : "") + "): " +
                       std::string(field_text(sh.status)) + "; Table A " +
                       counts_text(p.counts, CountTable::A) + "; Table B " + counts_text(p.counts, CountTable::B);
    if (bad)
        line += ": " + std::string(field_text(sh.message));
    const std::string hint = bad ? std::string(field_text(sh.hint)) : std::string();
    const int saved = client_min_messages;
    client_min_messages = ERROR;
    pg_guard([&] {
        ereport(bad ? WARNING : LOG, (errcode(bad ? ERRCODE_WARNING : ERRCODE_SUCCESSFUL_COMPLETION),
                                      errmsg_internal("%s", line.c_str()),
                                      hint.empty() ? 0 : errhint("%s", hint.c_str())));
    });
    client_min_messages = saved;
}

} // namespace

void execute(RunShared &sh) noexcept
{
    Prepared prep;
    execute_run(sh, prep);
    if (sh.run_id == 0)
        return; // no run was recorded: the call itself failed, and raises
    RunError failure;
    if (!run_phase([&] { log_outcome(sh, prep); }, failure))
        ereport(LOG, (errcode(ERRCODE_WARNING),
                      errmsg_internal("casemis_import: could not log run " INT64_FORMAT ": %s",
                                      sh.run_id, failure.message.c_str())));
}

} // namespace casemis::run

using casemis::run::RunShared;

extern "C" void casemis_worker_main(Datum main_arg)
{
    pqsignal(SIGTERM, die);
    pqsignal(SIGINT, StatementCancelHandler); // the caller's cancel cancels the run
    BackgroundWorkerUnblockSignals();

    CurrentResourceOwner = ResourceOwnerCreate(NULL, "casemis_import worker");
    RunShared local;
    RunShared *sh = &local;
    dsm_segment *seg = NULL;
    uint32 handle = DatumGetUInt32(main_arg);
    if (handle != 0) {
        seg = dsm_attach(handle);
        if (seg == NULL)
            ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                            errmsg("casemis_import worker could not attach to its shared memory")));
        shm_toc *toc = shm_toc_attach(casemis::run::kRunTocMagic, dsm_segment_address(seg));
        if (toc == NULL)
            ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                            errmsg("casemis_import worker: bad shared memory segment")));
        sh = (RunShared *)shm_toc_lookup(toc, casemis::run::kRunTocShared, false);
        shm_mq *mq = (shm_mq *)shm_toc_lookup(toc, casemis::run::kRunTocQueue, false);
        shm_mq_set_sender(mq, MyProc);
        shm_mq_handle *mqh = shm_mq_attach(mq, seg, NULL);
        pq_redirect_to_shm_mq(seg, mqh); // NOTICEs and errors go to the caller
    } else {
        // A scheduled run: parameters in bgw_extra, nobody waiting.
        casemis::run::ScheduledArgs args;
        memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof(args));
        memset(&local, 0, sizeof(local));
        local.database = args.database;
        local.role = args.role;
        local.trigger = casemis::run::Trigger::Scheduled;
        local.has_scheduled_for = true;
        local.scheduled_for = args.scheduled_for;
        strlcpy(local.settings_name, args.settings_name, sizeof(local.settings_name));
    }

    BackgroundWorkerInitializeConnectionByOid(sh->database, sh->role, 0);
    // Pin what output depends on, whatever the role's or database's defaults.
    SetConfigOption("datestyle", "ISO, MDY", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("application_name", "casemis_import", PGC_USERSET, PGC_S_SESSION);

    casemis::run::execute(*sh);
    if (seg != NULL)
        dsm_detach(seg);
}
