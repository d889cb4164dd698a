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

// Internal work runs as the extension's owner (like SECURITY DEFINER with a
// pinned search_path); what the caller may see is checked explicitly.
void run_as_extension_owner(pg::Spi &spi)
{
    auto owner = spi.scalar("SELECT extowner::text FROM pg_catalog.pg_extension WHERE extname = 'casemis_import'");
    if (!owner)
        throw Error(ERRCODE_UNDEFINED_OBJECT, "extension casemis_import is not installed in this database");
    const Oid owner_oid = static_cast<Oid>(std::stoul(*owner));
    pg_guard([&] { SetUserIdAndSecContext(owner_oid, SECURITY_LOCAL_USERID_CHANGE); });
}

std::string caller_name(pg::Spi &spi, const RunShared &sh)
{
    auto caller = spi.scalar("SELECT rolname::text FROM pg_catalog.pg_roles WHERE oid = $1::oid",
                             {std::to_string(sh.role)});
    return caller.value_or("?");
}

pg::Value scheduled_for_text(const RunShared &sh)
{
    if (!sh.has_scheduled_for)
        return std::nullopt;
    const char *ts = nullptr;
    pg_guard([&] { ts = timestamptz_to_str(sh.scheduled_for); });
    return std::string(ts);
}

namespace {

// What every run row of this call says of the call.
struct CallFields {
    std::string name, trigger;
    pg::Value revert_of, scheduled_for, notify_addr;
};

CallFields call_fields(const RunShared &sh, const Prepared &p)
{
    CallFields f;
    f.name = sh.settings_name;
    f.trigger = to_text(sh.trigger);
    if (sh.trigger == Trigger::Revert)
        f.revert_of = std::to_string(sh.revert_of);
    f.scheduled_for = scheduled_for_text(sh);
    if (sh.has_notify) {
        f.notify_addr = std::string(sh.notify);
        if (p.settings.smtp_url.empty())
            warning("notify => '" + std::string(sh.notify) + "': setting \"" + f.name +
                        "\" has no mail server (smtp_url), so no email will be sent",
                    "UPDATE casemis.import_settings SET smtp_url = 'smtp://mail.district.example:587' WHERE name = '" +
                        f.name + "'; then SELECT casemis.resend_email(run_id) sends this run's email.");
    }
    return f;
}

// Another run of the setting holds its lock: this one is recorded 'skipped'.
void record_skipped(pg::Spi &spi, RunShared &sh, Prepared &p, const CallFields &f, int64_t holder)
{
    const std::string msg = "skipped: another run of setting \"" + f.name + "\" (run " + std::to_string(holder) +
                            ") was in progress; runs of one setting never overlap";
    auto id = spi.scalar(
        "INSERT INTO casemis.import_run (settings_name, status, finished_at, message, trigger, dry_run, "
        "forced, run_by, notify, worker_pid, scheduled_for, revert_of) VALUES ($1, $11, clock_timestamp(), "
        "$2, $3, $4::boolean, $5::boolean, $6, $7, $8::int, $9::timestamptz, $10::bigint) RETURNING run_id",
        {f.name, msg, f.trigger, std::string(sh.dry_run ? "t" : "f"), std::string(sh.force ? "t" : "f"), p.caller,
         f.notify_addr, std::to_string(MyProcPid), f.scheduled_for, f.revert_of,
         std::string(to_text(RunStatus::Skipped))});
    sh.run_id = std::stoll(*id);
    set_status(sh, RunStatus::Skipped);
    strlcpy(sh.message, msg.c_str(), sizeof(sh.message));
    p.skipped = true;
}

// The run's date (today in the setting's time zone) and school year (the
// setting's, else the one that date falls in: July starts a school year).
void set_run_date(pg::Spi &spi, Prepared &p)
{
    auto dates = spi.query_one(
        "SELECT d::text, coalesce($2::int, CASE WHEN extract(month FROM d) >= 7 THEN extract(year FROM d)::int "
        "ELSE extract(year FROM d)::int - 1 END)::text FROM (SELECT (now() AT TIME ZONE $1)::date AS d) x",
        {p.settings.time_zone,
         p.settings.school_year ? pg::Value(std::to_string(*p.settings.school_year)) : std::nullopt});
    p.run_date = *(*dates)[0];
    p.school_year = std::stoi(*(*dates)[1]);
}

void record_running(pg::Spi &spi, RunShared &sh, const Prepared &p, const CallFields &f)
{
    auto id = spi.scalar(
        "INSERT INTO casemis.import_run (settings_name, status, trigger, dry_run, forced, run_date, school_year, "
        "run_by, notify, worker_pid, scheduled_for, revert_of) VALUES ($1, $12, $2, $3::boolean, $4::boolean, "
        "$5::date, $6::int, $7, $8, $9::int, $10::timestamptz, $11::bigint) RETURNING run_id",
        {f.name, f.trigger, std::string(sh.dry_run ? "t" : "f"), std::string(sh.force ? "t" : "f"), p.run_date,
         std::to_string(p.school_year), p.caller, f.notify_addr, std::to_string(MyProcPid), f.scheduled_for,
         f.revert_of, std::string(to_text(RunStatus::Running))});
    sh.run_id = std::stoll(*id);
    set_status(sh, RunStatus::Running);
}

// The part of phase 1 inside its transaction (SPI must be closed before commit).
void prepare_txn(RunShared &sh, Prepared &p, pg::Spi &spi)
{
    p.caller = caller_name(spi, sh);
    run_as_extension_owner(spi);

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
    const CallFields f = call_fields(sh, p);

    // One run of a setting at a time (run_lock.hpp): a run still in progress
    // makes this one 'skipped'; dead ones are marked interrupted.
    limit_lock_waits(spi, p.settings.lock_timeout_ms);
    if (const std::optional<int64_t> holder = lock_setting(spi, f.name))
        return record_skipped(spi, sh, p, f, *holder);
    set_run_date(spi, p);
    record_running(spi, sh, p, f);
}

} // namespace

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
