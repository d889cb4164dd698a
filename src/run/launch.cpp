// launch.cpp -- the calling backend's side of a run: a dynamic background
// worker (the pg_background pattern) connected to this database as the calling
// role, a shm_mq carrying its messages back, and a wait that a cancel ends.
#include "run/launch.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "pg/boundary.hpp"
#include "pg/spi.hpp"
#include "source/spool.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "libpq/pqformat.h"
#include "libpq/pqmq.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/syscache.h"
#include "catalog/pg_authid.h"
#include "access/htup_details.h"
#include "storage/fd.h"
}

namespace casemis::run {

namespace {

constexpr Size kQueueSize = 64 * 1024;

void fill_worker(BackgroundWorker &w, Datum arg, const char *name)
{
    memset(&w, 0, sizeof(w));
    w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    w.bgw_start_time = BgWorkerStart_ConsistentState;
    w.bgw_restart_time = BGW_NEVER_RESTART;
    snprintf(w.bgw_library_name, BGW_MAXLEN, "casemis_import");
    snprintf(w.bgw_function_name, BGW_MAXLEN, "casemis_worker_main");
    snprintf(w.bgw_name, BGW_MAXLEN, "casemis_import run of \"%s\"", name);
    snprintf(w.bgw_type, BGW_MAXLEN, "casemis_import");
    w.bgw_main_arg = arg;
}

// The worker logs in as the calling role, which must be allowed to.
void check_role_can_login(Oid role)
{
    HeapTuple tup = SearchSysCache1(AUTHOID, ObjectIdGetDatum(role));
    if (!HeapTupleIsValid(tup))
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg_internal("cache lookup failed for role %u", role)));
    bool can_login = ((Form_pg_authid)GETSTRUCT(tup))->rolcanlogin;
    char *rolname = pstrdup(NameStr(((Form_pg_authid)GETSTRUCT(tup))->rolname));
    ReleaseSysCache(tup);
    if (!can_login)
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("role \"%s\" cannot run an import: it is not permitted to log in", rolname),
                        errdetail("A run executes in a background worker connected as the calling role."),
                        errhint("Call casemis_import as a role with LOGIN (RESET ROLE, or grant the operator role to a login role).")));
}

void register_failed(void)
{
    ereport(ERROR, (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
                    errmsg("could not start a background worker for the import run"),
                    errhint("All max_worker_processes slots are in use; raise max_worker_processes (restart needed) or retry later.")));
}

// Relay one protocol message from the worker. Messages of level ERROR or
// above mean the worker died before it could record its run: remember them.
void relay_message(const char *data, Size nbytes, char *fatal_msg, size_t fatal_len)
{
    StringInfoData msg;
    initStringInfo(&msg);
    appendBinaryStringInfo(&msg, data, (int)nbytes);
    char type = pq_getmsgbyte(&msg);
    if (type != 'E' && type != 'N') {
        pfree(msg.data);
        return;
    }
    ErrorData edata;
    memset(&edata, 0, sizeof(edata));
    pq_parse_errornotice(&msg, &edata);
    if (edata.elevel >= ERROR) {
        strlcpy(fatal_msg, edata.message ? edata.message : "unknown error", fatal_len);
        edata.elevel = WARNING; // re-raised (as an ERROR) by the caller if no run was recorded
    }
    ThrowErrorData(&edata);
    pfree(msg.data);
}

// Writes an uploaded file where the worker can read it (both run as the
// server's OS user); the worker adopts and removes it.
void write_upload(const Upload &u, const char *tag, char *path_out)
{
    std::string dir = source::spool_directory();
    snprintf(path_out, MAXPGPATH, "%s/" PG_TEMP_FILE_PREFIX "_casemis_upload_%d_%s", dir.c_str(), MyProcPid, tag);
    int fd = open(path_out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd < 0)
        throw Error(ERRCODE_IO_ERROR, std::string("could not write upload spool file: ") + strerror(errno));
    size_t off = 0;
    while (off < u.len) {
        ssize_t w = write(fd, u.data + off, u.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            int e = errno;
            close(fd);
            unlink(path_out);
            throw Error(ERRCODE_DISK_FULL, std::string("could not write upload spool file: ") + strerror(e));
        }
        off += (size_t)w;
    }
    close(fd);
}

// Is the worker waiting for a lock this backend holds? Then it would wait
// forever (this backend only waits for the worker): e.g. a caller that wrote
// to casemis.cse in its open transaction. The deadlock detector cannot see a
// wait on a message queue, so look.
bool worker_waits_for_us(pid_t pid)
{
    ArrayType *a = DatumGetArrayTypeP(DirectFunctionCall1(pg_blocking_pids, Int32GetDatum((int32)pid)));
    const int n = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));
    const int32 *pids = (const int32 *)ARR_DATA_PTR(a);
    bool ours = false;
    for (int i = 0; i < n && !ours; ++i)
        ours = pids[i] == MyProcPid;
    pfree(a);
    return ours;
}

} // namespace

namespace {

// The DSM segment of a waited-for run: what the worker reads and writes back,
// and the queue its messages come through.
struct Segment {
    dsm_segment *seg = nullptr;
    RunShared *sh = nullptr;
    shm_mq *mq = nullptr;
};

Segment create_segment()
{
    dsm_segment *seg = nullptr;
    RunShared *sh = nullptr;
    shm_mq *mq = nullptr;
    pg_guard([&] {
        shm_toc_estimator e;
        shm_toc_initialize_estimator(&e);
        shm_toc_estimate_chunk(&e, sizeof(RunShared));
        shm_toc_estimate_chunk(&e, kQueueSize);
        shm_toc_estimate_keys(&e, 2);
        Size size = shm_toc_estimate(&e);
        seg = dsm_create(size, 0);
        shm_toc *toc = shm_toc_create(kRunTocMagic, dsm_segment_address(seg), size);
        sh = (RunShared *)shm_toc_allocate(toc, sizeof(RunShared));
        memset(sh, 0, sizeof(RunShared));
        shm_toc_insert(toc, kRunTocShared, sh);
        mq = shm_mq_create(shm_toc_allocate(toc, kQueueSize), kQueueSize);
        shm_toc_insert(toc, kRunTocQueue, mq);
        shm_mq_set_receiver(mq, MyProc);
    });
    return Segment{seg, sh, mq};
}

void describe_run(RunShared &sh, const std::string &settings_name, Trigger trigger, bool dry_run, bool force,
                  const std::optional<std::string> &notify, int64 revert_of)
{
    sh.database = MyDatabaseId;
    sh.role = GetUserId();
    sh.trigger = trigger;
    sh.dry_run = dry_run;
    sh.force = force;
    strlcpy(sh.settings_name, settings_name.c_str(), sizeof(sh.settings_name));
    if (notify) {
        sh.has_notify = true;
        strlcpy(sh.notify, notify->c_str(), sizeof(sh.notify));
    }
    sh.revert_of = revert_of;
}

void write_uploads(RunShared &sh, const Upload *students, const Upload *services)
{
    if (students) {
        write_upload(*students, "A.csv", sh.students_path);
        sh.has_students = true;
    }
    if (services) {
        try {
            write_upload(*services, "B.csv", sh.services_path);
        } catch (...) {
            if (sh.has_students)
                unlink(sh.students_path);
            throw;
        }
        sh.has_services = true;
    }
}

void remove_uploads(const RunShared &sh)
{
    if (sh.has_students)
        unlink(sh.students_path);
    if (sh.has_services)
        unlink(sh.services_path);
}

// Relays the worker's messages until it detaches. PostgreSQL calls only (it
// runs inside PG_TRY): a cancel of this statement, or the worker waiting for a
// lock this session holds, raises here.
void relay_until_done(shm_mq_handle *mqh, pid_t pid, RunShared *sh, char *fatal_msg, size_t fatal_len)
{
    for (;;) {
        Size nbytes = 0;
        void *data = NULL;
        shm_mq_result res = shm_mq_receive(mqh, &nbytes, &data, true);
        if (res == SHM_MQ_SUCCESS) {
            relay_message((const char *)data, nbytes, fatal_msg, fatal_len);
            continue;
        }
        if (res == SHM_MQ_DETACHED)
            break; // the worker is done (or died)
        // Nothing yet: our latch is set by a message, the worker's
        // exit or a cancel of this statement (which lands here).
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000L,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
        if (worker_waits_for_us(pid)) {
            snprintf(sh->cancel_reason, sizeof(sh->cancel_reason),
                     "the run waited for a lock held by the calling session (pid %d), whose "
                     "transaction had written to or locked a table the run writes",
                     MyProcPid);
            ereport(ERROR,
                    (errcode(ERRCODE_T_R_DEADLOCK_DETECTED),
                     errmsg("casemis_import run canceled: it waited for a lock this session holds"),
                     errdetail("The run's worker (pid %d) waits for a lock held by this transaction "
                               "(for example after writing to casemis.cse), and this session "
                               "waits for the run: neither could go on.",
                               (int)pid),
                     errhint("Call casemis_import outside a transaction that has written to or "
                             "locked the casemis tables (or COMMIT first).")));
        }
    }
}

// Starts the worker and relays its messages until it ends; cancelling this
// statement cancels the run. False if no worker could be started.
bool start_and_relay(const Segment &s, char *fatal_msg, size_t fatal_len)
{
    dsm_segment *seg = s.seg;
    RunShared *sh = s.sh;
    shm_mq *mq = s.mq;
    bool failed_to_start = false;
    pg_guard([&] {
        BackgroundWorker w;
        BackgroundWorkerHandle *handle = nullptr;
        fill_worker(w, UInt32GetDatum(dsm_segment_handle(seg)), sh->settings_name);
        w.bgw_notify_pid = MyProcPid;
        if (!RegisterDynamicBackgroundWorker(&w, &handle)) {
            failed_to_start = true;
            return;
        }
        shm_mq_handle *mqh = shm_mq_attach(mq, seg, handle);
        pid_t pid = 0;
        PG_TRY();
        {
            if (WaitForBackgroundWorkerStartup(handle, &pid) != BGWH_STARTED)
                failed_to_start = true;
            else {
                relay_until_done(mqh, pid, sh, fatal_msg, fatal_len);
                (void)WaitForBackgroundWorkerShutdown(handle);
            }
        }
        PG_CATCH();
        {
            // Cancelling the call cancels the run: the worker rolls back and
            // records the run as failed ("canceled"), with our reason.
            if (pid > 0) {
                if (sh->cancel_reason[0] == '\0') {
                    MemoryContext ecxt = MemoryContextSwitchTo(CurTransactionContext);
                    ErrorData *e = CopyErrorData();
                    MemoryContextSwitchTo(ecxt);
                    snprintf(sh->cancel_reason, sizeof(sh->cancel_reason), "the calling statement ended: %s",
                             e->message ? e->message : "error");
                    FreeErrorData(e);
                }
                kill(pid, SIGINT);
            }
            PG_RE_THROW();
        }
        PG_END_TRY();
    });
    return !failed_to_start;
}

// What the worker wrote back, copied out before the segment goes.
struct Outcome {
    Result result;
    int64 run_id;
    int sqlstate;
    std::optional<RunStatus> status;
    std::string message;
    std::string hint; // a failed run's advice, the WARNING's HINT
};

// The call's result: an ERROR when no run could be recorded, a WARNING for a
// run that failed or did not finish, else the run id.
int64 report_outcome(const Outcome &o, const std::string &settings_name, const char *fatal_msg)
{
    const Result result = o.result;
    const int64 run_id = o.run_id;
    const int sqlstate = o.sqlstate;
    const std::optional<RunStatus> status = o.status;
    const std::string &message = o.message;
    if (result == Result::UnknownSetting) // message: the names that exist
        throw Error(ERRCODE_UNDEFINED_OBJECT, "import setting \"" + settings_name + "\" does not exist", "",
                    message.empty()
                        ? "No setting exists yet: create one with INSERT INTO casemis.import_settings (name, "
                          "folder_path, time_zone) VALUES ('" + settings_name + "', '/path/to/folder', "
                          "'America/Los_Angeles')."
                        : "The settings are: " + message + ".");
    if (result == Result::NoPermission)
        throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE, message, "", o.hint);
    if (run_id == 0)
        throw Error(ERRCODE_INTERNAL_ERROR,
                    std::string("the import run's worker ended before it could record the run: ") +
                        (fatal_msg[0] ? fatal_msg : (message.empty() ? "no reason given" : message.c_str())),
                    "", "See the server log for details.");
    if (status == RunStatus::Running) {
        // The worker ended without recording an outcome (terminated, say): its
        // transaction was rolled back, and its lock is gone, so the reaper
        // (next run, scheduler, casemis.status) will mark the run 'interrupted'.
        pg_guard([&] {
            ereport(WARNING,
                    (errcode(ERRCODE_WARNING), errmsg("casemis_import run " INT64_FORMAT " did not finish: its worker ended (%s)", run_id,
                            fatal_msg[0] ? fatal_msg : "no reason given"),
                     errdetail("Nothing of the run was applied. The next run of setting \"%s\", the scheduler "
                               "or a look at casemis.status marks it failed (\"interrupted\").",
                               settings_name.c_str())));
        });
    }
    if (status == RunStatus::Failed) {
        pg_guard([&] {
            ereport(WARNING, (errcode(sqlstate ? sqlstate : ERRCODE_WARNING),
                              errmsg("casemis_import run failed: %s", message.c_str()),
                              errdetail("Run " INT64_FORMAT " of setting \"%s\"; see casemis.import_run.", run_id,
                                        settings_name.c_str()),
                              o.hint.empty() ? 0 : errhint("%s", o.hint.c_str())));
        });
    }
    return run_id;
}

} // namespace

int64 run_and_wait(const std::string &settings_name, Trigger trigger, bool dry_run, bool force,
                   const std::optional<std::string> &notify, const Upload *students, const Upload *services,
                   int64 revert_of)
{
    if (settings_name.size() >= sizeof(RunShared::settings_name))
        throw Error(ERRCODE_UNDEFINED_OBJECT, "import setting \"" + settings_name + "\" does not exist");
    if (notify && notify->size() >= sizeof(RunShared::notify))
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "notify address is too long");

    pg_guard([&] { check_role_can_login(GetUserId()); });
    if (IsTransactionBlock())
        pg_guard([] {
            ereport(NOTICE,
                    (errcode(ERRCODE_SUCCESSFUL_COMPLETION),
                     errmsg("the import runs and commits in a transaction of its own: a ROLLBACK of this "
                            "transaction block will not undo it"),
                     errhint("Call casemis_import outside BEGIN ... COMMIT to avoid surprises.")));
        });

    // Everything below owns no C++ object with a destructor across PG calls
    // except inside the explicit guards.
    const Segment s = create_segment();
    describe_run(*s.sh, settings_name, trigger, dry_run, force, notify, revert_of);
    write_uploads(*s.sh, students, services);

    char fatal_msg[1024] = "";
    const bool started = start_and_relay(s, fatal_msg, sizeof(fatal_msg));
    remove_uploads(*s.sh);
    if (!started)
        pg_guard([] { register_failed(); });

    const Outcome o{s.sh->result, s.sh->run_id, s.sh->sqlstate, status_of(*s.sh),
                    std::string(field_text(s.sh->message)),
                    std::string(field_text(s.sh->hint))};
    pg_guard([&] { dsm_detach(s.seg); });
    return report_outcome(o, settings_name, fatal_msg);
}

// A scheduled run is for the role that enabled the schedule (recorded on the
// setting), not for the tick job's owner (the extension's owner): README.md,
// "Security".
static Oid enabling_role(const std::string &settings_name)
{
    pg::Spi spi;
    auto row = spi.query_one("SELECT s.enabled_by, r.oid::text FROM casemis.import_settings s "
                             "LEFT JOIN pg_catalog.pg_roles r ON r.rolname = s.enabled_by WHERE s.name = $1",
                             {settings_name});
    if (!row)
        throw Error(ERRCODE_UNDEFINED_OBJECT, "import setting \"" + settings_name + "\" does not exist");
    if (!(*row)[1])
        throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
                    "the schedule of setting \"" + settings_name + "\" has no role to run for: " +
                        ((*row)[0] ? "role \"" + *(*row)[0] + "\", who enabled it, no longer exists"
                                   : std::string("no role is recorded as having enabled it")),
                    "", "Enable it again as the role the runs are for: UPDATE casemis.import_settings SET enabled = true "
                        "WHERE name = '" + settings_name + "';");
    return static_cast<Oid>(std::stoul(*(*row)[1]));
}

int launch_scheduled(const std::string &settings_name, TimestampTz scheduled_for)
{
    if (settings_name.size() >= sizeof(ScheduledArgs::settings_name))
        throw Error(ERRCODE_UNDEFINED_OBJECT, "import setting \"" + settings_name + "\" does not exist");
    const Oid role = enabling_role(settings_name);
    pg_guard([&] { check_role_can_login(role); });
    int result_pid = 0;
    bool failed = false;
    pg_guard([&] {
        BackgroundWorker w;
        BackgroundWorkerHandle *handle = nullptr;
        fill_worker(w, UInt32GetDatum(0), settings_name.c_str());
        ScheduledArgs args;
        memset(&args, 0, sizeof(args));
        args.database = MyDatabaseId;
        args.role = role;
        args.scheduled_for = scheduled_for;
        strlcpy(args.settings_name, settings_name.c_str(), sizeof(args.settings_name));
        memcpy(w.bgw_extra, &args, sizeof(args));
        w.bgw_notify_pid = MyProcPid;
        if (!RegisterDynamicBackgroundWorker(&w, &handle)) {
            failed = true;
            return;
        }
        pid_t pid = 0;
        if (WaitForBackgroundWorkerStartup(handle, &pid) == BGWH_STARTED)
            result_pid = (int)pid;
    });
    if (failed)
        pg_guard([] { register_failed(); });
    return result_pid;
}

} // namespace casemis::run
