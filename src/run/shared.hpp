// shared.hpp -- what the calling backend and the run's background worker share
// (a DSM segment for a waited-for run; bgw_extra for a scheduled one).
#pragma once

#include "run/run_row.hpp"

extern "C" {
#include "postgres.h"
#include "datatype/timestamp.h"
}

namespace casemis::run {

// The DSM segment of a waited-for run: a shm_toc with this magic number holding
// the RunShared block and the message queue under these keys.
constexpr uint64 kRunTocMagic = 0x5CA5E00100000001ULL;
enum RunTocKey : uint64 { kRunTocShared = 1, kRunTocQueue = 2 };

// Results the worker reports back besides its messages.
enum class Result : int { NotStarted = 0, Done = 1, UnknownSetting = 2, NoPermission = 3 };

struct RunShared {
    // in
    Oid database;
    Oid role;
    Trigger trigger;
    bool dry_run;
    bool force;
    bool has_scheduled_for;
    TimestampTz scheduled_for;
    char settings_name[64];
    bool has_notify;
    char notify[320];
    bool has_students, has_services; // uploads: spool files written by the caller
    char students_path[MAXPGPATH];
    char services_path[MAXPGPATH];
    int64 revert_of; // Trigger::Revert: the run to undo
    // set by the caller just before it cancels the run: why (for the run's message)
    char cancel_reason[512];
    // out
    Result result;
    int64 run_id;
    char status[16]; // a RunStatus's text: set_status / status_of below
    char message[2048];
    char hint[1024]; // a failed run's advice (import_run.hint): the caller's HINT
    int sqlstate;    // a failed run's error (import_run.errcode)
};

// The text of one of RunShared's char fields (set with strlcpy, but read as
// what is there up to its size: the other process wrote it).
template <size_t N> std::string_view field_text(const char (&field)[N]) { return {field, strnlen(field, N)}; }

inline void set_status(RunShared &sh, RunStatus s) { strlcpy(sh.status, to_text(s), sizeof(sh.status)); }
// nullopt while the worker has set none
inline std::optional<RunStatus> status_of(const RunShared &sh) { return status_from_text(field_text(sh.status)); }

// A scheduled run's parameters fit in bgw_extra (128 bytes).
struct ScheduledArgs {
    Oid database;
    Oid role;
    TimestampTz scheduled_for;
    char settings_name[64];
};
static_assert(sizeof(ScheduledArgs) <= 128, "bgw_extra is 128 bytes");

// Worker side: executes the run described by `sh` and fills its out fields.
// Never throws; PostgreSQL errors are caught and recorded on the run.
void execute(RunShared &sh) noexcept;

} // namespace casemis::run
