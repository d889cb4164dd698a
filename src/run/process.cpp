// process.cpp -- phase 2 of a run: fetch the files, skip an unchanged pair,
// import, and record the outcome -- all in one transaction.
#include <chrono>

#include "run/import.hpp"
#include "run/process.hpp"
#include "run/roster_copy.hpp"
#include "run/run_lock.hpp"
#include "run/txn.hpp"
#include "source/spool.hpp"

extern "C" {
#include "utils/snapmgr.h"
}

#include "source/sftp.hpp"

namespace casemis::run {

namespace {

using Clock = std::chrono::steady_clock;

std::string seconds_since(Clock::time_point t0)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(Clock::now() - t0).count());
    return buf;
}

std::string array_literal(const std::vector<std::string> &v)
{
    std::string out = "{";
    for (size_t i = 0; i < v.size(); ++i) {
        if (i)
            out += ',';
        out += '"';
        for (char c : v[i]) {
            if (c == '"' || c == '\\')
                out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

// Fetch one file into a spool copy, whatever the source.
source::FileInfo fetch(const RunShared &sh, const Prepared &p, bool table_a, source::SpoolFile &spool)
{
    const std::function<void()> ci = [] { check_interrupts(); };
    const uint64_t max_size = static_cast<uint64_t>(p.settings.max_file_size);
    if (sh.trigger == Trigger::Upload) {
        spool.adopt(table_a ? sh.students_path : sh.services_path);
        return source::scan_file(spool.path(), table_a ? "uploaded Table A" : "uploaded Table B", "upload",
                                 max_size, ci);
    }
    const Settings &set = p.settings;
    const std::string &name = table_a ? set.students_file : set.services_file;
    if (set.source == Source::Folder) {
        if (set.folder_path.empty())
            throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
                        "setting \"" + std::string(sh.settings_name) + "\" has source 'folder' but no folder_path",
                        "", "UPDATE casemis.import_settings SET folder_path = '/path/to/folder' WHERE name = '" +
                                std::string(sh.settings_name) + "'.");
        return source::copy_from_folder(set.folder_path, name, spool, max_size, ci);
    }
    if (set.cleared_secrets.find("sftp_") != std::string::npos)
        throw RunFailure("the SFTP credentials of setting \"" + std::string(sh.settings_name) + "\" were cleared (" +
                             set.cleared_secrets +
                             ") because sftp_host, sftp_port, sftp_user or sftp_host_key changed: the secret must be "
                             "entered again",
                         "", "UPDATE casemis.import_settings SET sftp_password = '...' (or sftp_private_key) WHERE name = '" +
                                 std::string(sh.settings_name) + "'.");
    source::SftpSettings ss;
    ss.host = set.sftp_host;
    ss.port = set.sftp_port;
    ss.user = set.sftp_user;
    ss.password = set.sftp_password;
    ss.private_key = set.sftp_private_key;
    ss.host_key = set.sftp_host_key;
    ss.directory = set.sftp_directory;
    ss.connect_timeout_ms = static_cast<int>(set.connect_timeout_ms);
    ss.transfer_timeout_ms = static_cast<int>(set.transfer_timeout_ms);
    // Hashed and scanned as the blocks arrive: the download is not read again.
    source::FileDigest digest;
    source::sftp_fetch(ss, name, spool.path(), max_size, ci,
                       [&](const char *b, size_t n) { digest.feed(b, n); });
    std::string dir = ss.directory.empty() ? "" : ss.directory + (ss.directory.back() == '/' ? "" : "/");
    return digest.finish(
        name, "sftp://" + ss.host + ":" + std::to_string(ss.port) + "/" + dir + name, spool.path());
}

std::string school_year_label(int y)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%d-%02d", y, (y + 1) % 100);
    return buf;
}

// A file the run cannot read as CSV text fails the run, naming it.
void check_text(const source::FileInfo &f)
{
    if (f.size == 0)
        throw RunFailure("file " + f.label + " (" + f.origin + ") is empty: expected a CSV file with a header row");
    if (f.has_nul)
        throw RunFailure("file " + f.label + " (" + f.origin +
                         ") contains NUL bytes: it is not a CSV text file (binary data, or UTF-16?)");
    if (f.undefined_1252)
        throw RunFailure("file " + f.label + " (" + f.origin +
                         ") is neither valid UTF-8 nor Windows-1252 text");
}

// The same file given as Table A and Table B (an export that wrote one table
// under both names) fails the run saying so, not with "key header missing".
void check_distinct(const source::FileInfo &fa, const source::FileInfo &fb)
{
    const bool upload = fa.origin == "upload";
    if (fa.sha256 == fb.sha256)
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
                    (upload ? std::string("the uploaded Table A and Table B")
                            : "the Table A file " + fa.label + " and the Table B file " + fb.label) +
                        " are the same file (both SHA-256 " + fa.sha256 + ")",
                    "", "The export wrote one table under both names: send the Student Data file as Table A and "
                        "the Student Services file as Table B.");
}

} // namespace

void record_files(pg::Spi &spi, int64 run_id, const FilesRead &f)
{
    spi.exec("UPDATE casemis.import_run SET students_file = $2, students_size = $3::bigint, students_sha256 = $4, "
             "services_file = $5, services_size = $6::bigint, services_sha256 = $7 WHERE run_id = $1::bigint",
             {std::to_string(run_id), f.a_label, f.a_size, f.a_sha256, f.b_label, f.b_size, f.b_sha256});
}

void lock_cse_writers(pg::Spi &spi)
{
    lock_shared_writes(spi); // a row of casemis.run_lock, bounded wait (run_lock.hpp)
}

namespace {

// 1. Fetch completely (spooled), with size and SHA-256, before anything is
// written; the files are recorded on the run's row (and in p.files).
void fetch_files(pg::Spi &spi, const RunShared &sh, Prepared &p, bool want_b, Clock::time_point t0,
                 source::SpoolFile &spool_a, source::SpoolFile &spool_b, source::FileInfo &fa,
                 source::FileInfo &fb)
{
    fa = fetch(sh, p, true, spool_a);
    if (want_b)
        fb = fetch(sh, p, false, spool_b);
    FilesRead &files = p.files;
    files.a_label = fa.label;
    files.a_size = std::to_string(fa.size);
    files.a_sha256 = fa.sha256;
    if (want_b) {
        files.b_label = fb.label;
        files.b_size = std::to_string(fb.size);
        files.b_sha256 = fb.sha256;
    }
    files.fetched = true;
    record_files(spi, sh.run_id, files);
    notice("fetched " + fa.label + " (" + std::to_string(fa.size) + " bytes, SHA-256 " + fa.sha256 + ")" +
           (want_b ? " and " + fb.label + " (" + std::to_string(fb.size) + " bytes, SHA-256 " + fb.sha256 + ")"
                   : std::string()) +
           " in " + seconds_since(t0));

    if (want_b)
        check_distinct(fa, fb);

}

// 2. The run's message when its files are byte for byte those of the setting's
// last successful run (nothing to do); nullopt otherwise.
std::optional<std::string> unchanged_message(pg::Spi &spi, const RunShared &sh, const source::FileInfo &fa,
                                             const source::FileInfo &fb, bool want_b)
{
    if (sh.trigger == Trigger::Upload || sh.force) // dry runs too: only force bypasses it
        return std::nullopt;
    auto last = spi.query_one(
        // one home for "the last successful run" (the highest run_id as a number)
        "SELECT r.run_id::text, r.students_sha256, r.services_sha256 FROM casemis.import_run r "
        "WHERE r.run_id = casemis._last_successful_run($1)",
        {std::string(sh.settings_name)});
    if (!last || (*last)[1] != fa.sha256 || (*last)[2] != (want_b ? pg::Value(fb.sha256) : std::nullopt))
        return std::nullopt;
    // A dry run's advice keeps it a dry run.
    return "unchanged: the files are byte for byte those of run " + *(*last)[0] +
           ", the last successful run of this setting; nothing was imported. Replace the files "
           "before the next run, or call casemis.casemis_import('" + std::string(sh.settings_name) +
           (sh.dry_run ? "', dry_run => true, force => true) to dry-run them again."
                       : "', force => true) to import them again.");
}

ImportInput import_input(const RunShared &sh, const Prepared &p, bool want_b, const source::FileInfo &fa,
                         const source::FileInfo &fb)
{
    ImportInput in;
    in.run_id = sh.run_id;
    in.dry_run = sh.dry_run;
    in.with_services = want_b;
    in.students = fa;
    in.services = fb;
    in.run_date = p.run_date;
    in.school_year = p.school_year;
    in.max_line_length = static_cast<size_t>(p.settings.max_line_length);
    in.max_columns = static_cast<size_t>(p.settings.max_columns);
    in.file_format = to_text(p.settings.file_format);
    if (!sh.force)
        in.guard = RecordGuard{sh.settings_name, p.settings.min_record_ratio, sh.trigger == Trigger::Upload,
                               fa.label, fb.label};
    return in;
}

// The message of an imported run: its counts, the school year, the warnings.
std::string import_message(const RunShared &sh, const Prepared &p, const ImportCounts &c, bool want_b,
                           const std::vector<std::string> &warnings)
{
    std::string message = std::string(sh.dry_run ? "DRY RUN (nothing written to cse or csv): " : "") +
                          "Table A: " + counts_text(c, CountTable::A) +
                          (want_b ? "; Table B: " + counts_text(c, CountTable::B)
                                  : std::string("; services not included")) +
                          "; school year " + school_year_label(p.school_year) + ".";
    if (!warnings.empty()) {
        message += " Warnings: ";
        for (size_t i = 0; i < warnings.size(); ++i) {
            std::string w = warnings[i];
            while (!w.empty() && w.back() == '.')
                w.pop_back();
            message += (i ? "; " : "") + w;
        }
        message += ".";
    }
    return message;
}

// What a run's row gets at its end.
struct RunOutcome {
    RunStatus status = RunStatus::Running;
    std::string message;
    std::vector<std::string> warnings;
    ImportCounts counts;
    pg::Value records_a, records_b; // records in each file (NULL: not read)
};

// The outcome on the run's row: status, message, warnings, counts, records.
void record_outcome(pg::Spi &spi, const std::string &run_id, const RunOutcome &o)
{
    std::string sql = "UPDATE casemis.import_run SET status = $2, finished_at = clock_timestamp(), message = $3, "
                      "warnings = $4::text[], students_records = $5::bigint, services_records = $6::bigint";
    pg::Params params{run_id, std::string(to_text(o.status)), o.message, array_literal(o.warnings), o.records_a,
                      o.records_b};
    for (const CountColumn &k : kRunCounts) {
        params.push_back(std::to_string(o.counts.*k.member));
        sql += std::string(", ") + k.column + " = $" + std::to_string(params.size()) + "::int";
    }
    spi.exec(sql + " WHERE run_id = $1::bigint", params);
}

// 2. The fetched files imported: the roster copied, the shared write lock
// taken, the files read and cse/csv written (import.hpp).
RunOutcome import_fetched(pg::Spi &spi, const RunShared &sh, const Prepared &p, bool want_b,
                          const source::FileInfo &fa, const source::FileInfo &fb)
{
    check_text(fa);
    if (want_b)
        check_text(fb);
    // The roster first, with its owner's rights (roster_copy.hpp),
    // before the lock that all settings share.
    const RosterCopy roster = copy_roster(spi, p.settings.student_relation, sh.role);
    // Runs of different settings may write the same students: one
    // writer at a time (else the later one fails on cse's primary key).
    // Fetching above overlaps; this waits (bounded) for the other's
    // commit, and then sees that run's rows. Dry runs write nothing.
    if (!sh.dry_run)
        lock_cse_writers(spi);
    ImportInput in = import_input(sh, p, want_b, fa, fb);
    in.roster = roster.relation;
    in.roster_copy = roster.copy;
    ImportResult r = import_files(spi, in);
    spi.exec("UPDATE casemis.import_run SET file_format = $2 WHERE run_id = $1::bigint",
             {std::to_string(sh.run_id), r.file_format});
    RunOutcome o;
    o.counts = r.counts;
    o.records_a = std::to_string(r.a_records);
    if (r.b_records)
        o.records_b = std::to_string(*r.b_records);
    o.warnings = r.warnings;
    o.status = sh.dry_run ? RunStatus::DryRun : RunStatus::Succeeded;
    o.message = import_message(sh, p, o.counts, want_b, o.warnings);
    return o;
}

} // namespace

void process(RunShared &sh, Prepared &p)
{
    if (sh.trigger == Trigger::Revert) {
        process_revert(sh, p);
        return;
    }
    const auto t0 = Clock::now();
    begin_transaction();
    RunOutcome o;
    const bool want_b = sh.trigger == Trigger::Upload ? sh.has_services : p.settings.include_services;
    {
        pg::Spi spi;
        limit_lock_waits(spi, p.settings.lock_timeout_ms);
        source::SpoolFile spool_a("A.csv"), spool_b("B.csv");
        source::FileInfo fa, fb;
        fetch_files(spi, sh, p, want_b, t0, spool_a, spool_b, fa, fb);
        if (auto same = unchanged_message(spi, sh, fa, fb, want_b)) {
            o.status = RunStatus::Unchanged;
            o.message = *same;
        } else {
            o = import_fetched(spi, sh, p, want_b, fa, fb);
        }
        p.counts = o.counts;
        record_outcome(spi, std::to_string(sh.run_id), o);
    }
    commit_transaction();
    set_status(sh, o.status);
    strlcpy(sh.message, o.message.c_str(), sizeof(sh.message));
    notice("run " + std::to_string(sh.run_id) + " " + to_text(o.status) + " in " + seconds_since(t0) + ": " +
           o.message);
}

} // namespace casemis::run
