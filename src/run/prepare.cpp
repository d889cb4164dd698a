// prepare.cpp -- phase 1 of a run (setting, lock, run row) and phase 3 (email).
#include "run/process.hpp"
#include "run/run_lock.hpp"
#include "run/txn.hpp"

#include "notify/report_email.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/timestamp.h"
}

namespace casemis::run {

// The part of phase 1 inside its transaction (SPI must be closed before commit).
static void prepare_txn(RunShared &sh, Prepared &p, pg::Spi &spi)
{

    // Internal work runs as the extension's owner (like SECURITY DEFINER with a
    // pinned search_path); what the caller may see is checked explicitly.
    auto owner = spi.scalar("SELECT extowner::text FROM pg_catalog.pg_extension WHERE extname = 'casemis_import'");
    if (!owner)
        throw Error(ERRCODE_UNDEFINED_OBJECT, "extension casemis_import is not installed in this database");
    Oid owner_oid = static_cast<Oid>(std::stoul(*owner));
    auto caller = spi.scalar("SELECT rolname::text FROM pg_catalog.pg_roles WHERE oid = $1::oid",
                             {std::to_string(sh.role)});
    p.caller = caller.value_or("?");
    pg_guard([&] { SetUserIdAndSecContext(owner_oid, SECURITY_LOCAL_USERID_CHANGE); });

    std::optional<Settings> settings = load_settings(spi, sh.settings_name);
    if (!settings) {
        // The caller's HINT lists the settings that exist (a typo, most often).
        auto names = spi.scalar("SELECT string_agg(name, ', ' ORDER BY name) FROM casemis.import_settings");
        strlcpy(sh.message, names.value_or("").c_str(), sizeof(sh.message));
        sh.result = Result::UnknownSetting;
        return;
    }
    p.settings = std::move(*settings);
    sh.result = Result::Done;

    const std::string name = sh.settings_name;
    const std::string trigger = to_text(sh.trigger);
    const pg::Value revert_of = sh.trigger == Trigger::Revert ? pg::Value(std::to_string(sh.revert_of)) : std::nullopt;
    pg::Value scheduled_for;
    if (sh.has_scheduled_for) {
        const char *ts = nullptr;
        pg_guard([&] { ts = timestamptz_to_str(sh.scheduled_for); });
        scheduled_for = std::string(ts);
    }
    pg::Value notify_addr;
    if (sh.has_notify) {
        notify_addr = std::string(sh.notify);
        if (p.settings.smtp_url.empty())
            warning("notify => '" + std::string(sh.notify) + "': setting \"" + name +
                        "\" has no mail server (smtp_url), so no email will be sent",
                    "UPDATE casemis.import_settings SET smtp_url = 'smtp://mail.district.example:587' WHERE name = '" +
                        name + "'; then SELECT casemis.resend_email(run_id) sends this run's email.");
    }

    // One run of a setting at a time (run_lock.hpp): a run still in progress
    // makes this one 'skipped'; dead ones are marked interrupted.
    limit_lock_waits(spi, p.settings.lock_timeout_ms);
    const std::optional<int64_t> holder_id = lock_setting(spi, name);
    if (holder_id) {
        const pg::Value holder = std::to_string(*holder_id);
        std::string msg = "skipped: another run of setting \"" + name + "\"" +
                          (holder ? " (run " + *holder + ")" : std::string()) +
                          " was in progress; runs of one setting never overlap";
        auto id = spi.scalar(
            "INSERT INTO casemis.import_run (settings_name, status, finished_at, message, trigger, dry_run, "
            "forced, run_by, notify, worker_pid, scheduled_for, revert_of) VALUES ($1, $11, clock_timestamp(), "
            "$2, $3, $4::boolean, $5::boolean, $6, $7, $8::int, $9::timestamptz, $10::bigint) RETURNING run_id",
            {name, msg, trigger, std::string(sh.dry_run ? "t" : "f"), std::string(sh.force ? "t" : "f"),
             p.caller, notify_addr, std::to_string(MyProcPid), scheduled_for, revert_of,
             std::string(to_text(RunStatus::Skipped))});
        sh.run_id = std::stoll(*id);
        set_status(sh, RunStatus::Skipped);
        strlcpy(sh.message, msg.c_str(), sizeof(sh.message));
        p.skipped = true;
        return;
    }

    auto dates = spi.query_one(
        "SELECT d::text, coalesce($2::int, CASE WHEN extract(month FROM d) >= 7 THEN extract(year FROM d)::int "
        "ELSE extract(year FROM d)::int - 1 END)::text FROM (SELECT (now() AT TIME ZONE $1)::date AS d) x",
        {p.settings.time_zone,
         p.settings.school_year ? pg::Value(std::to_string(*p.settings.school_year)) : std::nullopt});
    p.run_date = *(*dates)[0];
    p.school_year = std::stoi(*(*dates)[1]);

    auto id = spi.scalar(
        "INSERT INTO casemis.import_run (settings_name, status, trigger, dry_run, forced, run_date, school_year, "
        "run_by, notify, worker_pid, scheduled_for, revert_of) VALUES ($1, $12, $2, $3::boolean, $4::boolean, "
        "$5::date, $6::int, $7, $8, $9::int, $10::timestamptz, $11::bigint) RETURNING run_id",
        {name, trigger, std::string(sh.dry_run ? "t" : "f"), std::string(sh.force ? "t" : "f"),
         p.run_date, std::to_string(p.school_year), p.caller, notify_addr, std::to_string(MyProcPid), scheduled_for,
         revert_of, std::string(to_text(RunStatus::Running))});
    sh.run_id = std::stoll(*id);
    set_status(sh, RunStatus::Running);
}

void prepare(RunShared &sh, Prepared &p)
{
    begin_transaction();
    {
        pg::Spi spi;
        prepare_txn(sh, p, spi);
    }
    commit_transaction();
    if (p.skipped)
        notice(sh.message);
    else if (sh.result == Result::Done)
        set_activity("casemis_import run " + std::to_string(sh.run_id) + " of setting \"" +
                     sh.settings_name + "\"");
}

void notify(RunShared &sh, Prepared &p)
{
    begin_transaction();
    std::optional<std::string> extra;
    if (sh.has_notify)
        extra = std::string(sh.notify);
    notify::send_run_email(sh.run_id, extra);
    commit_transaction();
}

} // namespace casemis::run
