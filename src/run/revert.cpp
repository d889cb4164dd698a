// revert.cpp -- casemis.revert_run: checks in the caller, the revert in the
// run's worker. What is undone comes from the run's own history (the before-
// images apply/run_history.cpp saved); the rules are in casemis._check_revertible
// and the set-based undo in casemis._revert_apply (src/sql/35_revert.sql).
#include "run/revert.hpp"

#include "pg/spi.hpp"
#include "run/launch.hpp"
#include "run/process.hpp"
#include "run/run_lock.hpp"
#include "run/txn.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/timestamp.h"
}

namespace casemis::run {

namespace {

// The check runs as the extension's owner (it reads cse and the history,
// which the caller need not see); the caller's own rights are checked first.
std::string revertible_setting(int64_t run_id)
{
    pg::Spi spi;
    auto may = spi.scalar("SELECT pg_catalog.has_function_privilege(current_user, "
                          "'casemis.casemis_import(text, boolean, boolean)', 'EXECUTE')::text");
    if (may.value_or("false") != "true")
        throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE, "permission denied to revert a run", "",
                    "Only a role that may run imports (EXECUTE on casemis.casemis_import) may revert one: "
                    "see docs/operator_role.md.");
    auto owner = spi.scalar("SELECT extowner::text FROM pg_catalog.pg_extension WHERE extname = 'casemis_import'");
    Oid saved_user = InvalidOid;
    int saved_context = 0;
    pg_guard([&] {
        GetUserIdAndSecContext(&saved_user, &saved_context);
        SetUserIdAndSecContext(static_cast<Oid>(std::stoul(*owner)), saved_context | SECURITY_LOCAL_USERID_CHANGE);
    });
    // an error here aborts the transaction, which restores the user too
    auto setting = spi.scalar("SELECT casemis._check_revertible($1::bigint)", {std::to_string(run_id)});
    pg_guard([&] { SetUserIdAndSecContext(saved_user, saved_context); });
    return *setting;
}

std::string count_text(const pg::Value &v) { return v.value_or("0"); }

} // namespace

int64_t revert_and_wait(int64_t run_id)
{
    const std::string setting = revertible_setting(run_id);
    return run_and_wait(setting, Trigger::Revert, false, false, std::nullopt, nullptr, nullptr, run_id);
}

void process_revert(RunShared &sh, Prepared &p)
{
    begin_transaction();
    std::string message;
    {
        pg::Spi spi;
        const std::string run_id = std::to_string(sh.run_id), target = std::to_string(sh.revert_of);
        limit_lock_waits(spi, p.settings.lock_timeout_ms);
        lock_cse_writers(spi);
        // again, under the setting's lock and with a fresh snapshot: a run may
        // have committed since revert_run looked
        spi.exec("SELECT casemis._check_revertible($1::bigint)", {target});
        auto n = spi.query_one("SELECT cse_removed::text, cse_stamped::text, cse_restored::text, csv_removed::text, "
                               "csv_restored::text FROM casemis._revert_apply($1::bigint)",
                               {target});
        message = "reverted run " + target + ": cse " + count_text((*n)[0]) + " rows it inserted removed, " +
                  count_text((*n)[2]) + " rows it updated put back, " + count_text((*n)[1]) +
                  " rows it only stamped given their last_updated back; csv " + count_text((*n)[3]) +
                  " rows it inserted removed, " + count_text((*n)[4]) +
                  " rows it deleted put back. cse and csv hold what they held before run " + target +
                  "; its status is now 'reverted'.";
        spi.exec("UPDATE casemis.import_run SET status = $3, finished_at = clock_timestamp(), message = $2 "
                 "WHERE run_id = $1::bigint",
                 {run_id, message, std::string(to_text(RunStatus::Succeeded))});
    }
    commit_transaction();
    set_status(sh, RunStatus::Succeeded);
    strlcpy(sh.message, message.c_str(), sizeof(sh.message));
    notice("run " + std::to_string(sh.run_id) + " " + to_text(RunStatus::Succeeded) + ": " + message);
}

} // namespace casemis::run
