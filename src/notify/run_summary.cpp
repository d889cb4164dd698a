// run_summary.cpp -- the text of a run's completion email, for special-ed office
// staff as much as for the DBA: plain words first, the details after.
#include "notify/run_summary.hpp"

namespace casemis::notify {
namespace {

bool is_dry(const RunSummary &r) { return r.dry_run || r.status == "dry_run"; }

std::string outcome(const RunSummary &r)
{
    if (r.status == "failed")
        return is_dry(r) ? "DRY RUN FAILED" : "import FAILED";
    if (is_dry(r))
        return "DRY RUN";
    if (r.status == "succeeded")
        return "import succeeded";
    if (r.status == "unchanged")
        return "unchanged, nothing imported";
    if (r.status == "skipped")
        return "import skipped";
    if (r.status == "missed")
        return "import missed";
    if (r.status == "running")
        return "import still running";
    return "import " + r.status;
}

std::string pad_left(int64_t v, size_t width)
{
    std::string s = std::to_string(v);
    return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::string school_year_text(int y)
{
    int next = (y + 1) % 100;
    return std::to_string(y) + "-" + (next < 10 ? "0" : "") + std::to_string(next);
}

std::string call_text(const RunSummary &r, const std::string &extra)
{
    std::string args = r.setting == "default" ? "" : "'" + r.setting + "'";
    if (!extra.empty())
        args += (args.empty() ? "" : ", ") + extra;
    return "SELECT casemis.casemis_import(" + args + ");";
}

} // namespace

std::string run_email_subject(const RunSummary &r)
{
    std::string where = r.database;
    if (!r.setting.empty() && r.setting != "default")
        where += " (" + r.setting + ")";
    std::string s = "[casemis_import] " + where + ": " + outcome(r);
    if (!r.run_date.empty())
        s += " " + r.run_date;
    return s;
}

std::string run_email_body(const RunSummary &r)
{
    std::string b;
    const bool failed = r.status == "failed";
    const bool upload = r.trigger == "upload";

    b += "CASEMIS import into database " + r.database + ": " + outcome(r) + "\n\n";
    if (is_dry(r))
        b += "*** DRY RUN: nothing was written to the cse or csv tables. The counts and the\n"
             "*** attached reports show what a real import would have done.\n\n";
    if (failed) {
        b += "The import failed. Nothing was imported: the special-ed (cse) and services (csv)\n"
             "tables are exactly as they were before this run.\n\n"
             "Reason:\n  " +
             (r.message.empty() ? std::string("(no reason recorded)") : r.message) + "\n\n";
        b += "What to do:\n"
             "  Correct the cause named above (the file, its headers, the server or the\n"
             "  settings), then run the import again";
        if (upload)
            b += " by sending the corrected files with\n  casemis.casemis_import_files(...).\n\n";
        else
            b += ":\n    " + call_text(r, "") + "\n\n";
    } else if (r.status == "unchanged") {
        b += "The files are byte for byte the same as those of the last successful run of this\n"
             "setting, so nothing was imported. If that is a mistake (the export did not run),\n"
             "check the system that writes the files. To import these files anyway, call:\n"
             "    " +
             call_text(r, "force => true") + "\n\n";
    } else if (r.status == "skipped") {
        b += "Another run of this setting was in progress, so this run did nothing.\n\n";
    }

    b += "Run " + std::to_string(r.run_id) + ", setting \"" + r.setting + "\"";
    if (r.trigger == "scheduled")
        b += ", started by the schedule";
    else if (upload)
        b += ", files uploaded by " + r.run_by;
    else if (!r.run_by.empty())
        b += ", started by " + r.run_by;
    if (r.forced)
        b += ", forced";
    b += "\n";
    const std::string tz = r.time_zone.empty() ? "" : " (" + r.time_zone + ")";
    if (!r.started_at.empty())
        b += "Started:  " + r.started_at + tz + "\n";
    b += "Finished: " + (r.finished_at.empty() ? std::string("not finished") : r.finished_at + tz) +
         "\n";
    if (!r.run_date.empty()) {
        b += "Run date: " + r.run_date;
        if (r.school_year)
            b += ", school year " + school_year_text(*r.school_year);
        b += "\n";
    }
    b += "\n";

    b += "Files read:\n";
    if (r.files.empty())
        b += "  none (the run stopped before reading a file)\n";
    for (const FileRead &f : r.files) {
        b += "  " + f.label + ": " + f.name;
        if (f.size)
            b += ", " + std::to_string(*f.size) + " bytes";
        else
            b += " (not read)";
        if (!f.sha256.empty())
            b += ", SHA-256 " + f.sha256;
        b += "\n";
    }
    b += "\n";

    b += "Counts (records):\n";
    b += "  Type A imported:    " + pad_left(r.a_imported, 7) + "\n";
    b += "  Type A unmatched:   " + pad_left(r.a_unmatched, 7) + "\n";
    b += "  Type A duplicates:  " + pad_left(r.a_duplicates, 7) + "\n";
    b += "  Type A errors:      " + pad_left(r.a_errors, 7) + "\n";
    b += "  Type A not in file: " + pad_left(r.a_not_in_file, 7) + "\n";
    b += "  Type B imported:    " + pad_left(r.b_imported, 7) + "\n";
    b += "  Type B unmatched:   " + pad_left(r.b_unmatched, 7) + "\n";
    b += "  Type B errors:      " + pad_left(r.b_errors, 7) + "\n\n";

    if (!r.warnings.empty()) {
        b += "Warnings:\n";
        for (const std::string &w : r.warnings)
            b += "  - " + w + "\n";
        b += "\n";
    }
    if (!failed && !r.message.empty())
        b += "Message:\n  " + r.message + "\n\n";

    if (r.attachments.empty()) {
        b += "No reports are attached (this run produced none).\n\n";
    } else {
        b += "Attached reports:\n";
        for (const std::string &a : r.attachments)
            b += "  " + a + "\n";
        b += "\n";
    }
    b += "-- \ncasemis_import on database " + r.database +
         ". To send this email again: SELECT casemis.resend_email(" + std::to_string(r.run_id) +
         ");\n";
    return b;
}

} // namespace casemis::notify
