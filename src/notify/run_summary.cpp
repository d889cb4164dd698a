// pure C++
// run_summary.cpp -- the sentences of a run's completion email and its plain-text
// form, for special-ed office staff as much as for the DBA: plain words first,
// the details after.
#include "notify/run_summary.hpp"
#include "pg/cpp_only_file.hpp" // last: no PostgreSQL header above

namespace casemis::notify {
namespace {

std::string pad_left(const std::string &s, size_t width)
{
    return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::string pad_right(const std::string &s, size_t width)
{
    return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string call_text(const RunSummary &r, const std::string &extra)
{
    std::string args = r.setting == "default" ? "" : "'" + r.setting + "'";
    if (!extra.empty())
        args += (args.empty() ? "" : ", ") + extra;
    return "SELECT casemis.casemis_import(" + args + ");";
}

// Words of each line of text, refilled to lines of at most `width` characters
// (a longer word stays whole), each line starting with `indent`.
std::string wrap(const std::string &text, const std::string &indent, size_t width = 78)
{
    std::string out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t nl = text.find('\n', start);
        const std::string line = text.substr(start, nl == std::string::npos ? nl : nl - start);
        std::string cur = indent;
        size_t pos = 0;
        bool first = true;
        while (pos < line.size()) {
            size_t sp = line.find(' ', pos);
            std::string word = line.substr(pos, sp == std::string::npos ? sp : sp - pos);
            pos = sp == std::string::npos ? line.size() : sp + 1;
            if (word.empty())
                continue;
            if (!first && cur.size() + 1 + word.size() > width) {
                out += cur + "\n";
                cur = indent;
                first = true;
            }
            cur += (first ? "" : " ") + word;
            first = false;
        }
        out += cur + "\n";
        if (nl == std::string::npos)
            break;
        start = nl + 1;
    }
    return out;
}

std::string slash(int64_t a, int64_t b) { return std::to_string(a) + " / " + std::to_string(b); }

void recent_runs_text(const RunSummary &r, std::string &b)
{
    if (r.recent.empty())
        return;
    b += (r.recent.size() == 1 ? std::string("The last run")
                                : "Last " + std::to_string(r.recent.size()) + " runs") +
         " of setting \"" + r.setting + "\" (Type A / Type B):\n";
    b += "  " + pad_right("run", 8) + pad_right("started", 18) + pad_right("status", 12) +
         pad_left("imported", 14) + pad_left("unmatched", 12) + pad_left("duplicates", 12) +
         pad_left("errors", 10) + "\n";
    for (const RecentRun &x : r.recent) {
        const RunCounts &c = x.counts;
        std::string status = x.dry_run && !run::is(x.status, run::RunStatus::DryRun) ? x.status + " (dry)" : x.status;
        b += "  " + pad_right(std::to_string(x.run_id) + (x.run_id == r.run_id ? "*" : ""), 8) +
             pad_right(x.started_at, 18) + pad_right(status, 12) +
             pad_left(slash(c.a_imported, c.b_imported), 14) +
             pad_left(slash(c.a_unmatched, c.b_unmatched), 12) +
             pad_left(std::to_string(c.a_duplicates), 12) +
             pad_left(slash(c.a_errors, c.b_errors), 10) + "\n";
    }
    b += "  (* this run)\n\n";
}

} // namespace

bool is_dry(const RunSummary &r) { return r.dry_run || run::is(r.status, run::RunStatus::DryRun); }

std::string outcome_text(const RunSummary &r)
{
    if (run::is(r.trigger, run::Trigger::Revert)) // casemis.revert_run: the message says which run it undid
        return run::is(r.status, run::RunStatus::Failed) ? "revert FAILED" : "revert " + r.status;
    if (run::is(r.status, run::RunStatus::Failed))
        return is_dry(r) ? "DRY RUN FAILED" : "import FAILED";
    if (is_dry(r))
        return "DRY RUN";
    if (run::is(r.status, run::RunStatus::Succeeded))
        return "import succeeded";
    if (run::is(r.status, run::RunStatus::Unchanged))
        return "unchanged, nothing imported";
    if (run::is(r.status, run::RunStatus::Skipped))
        return "import skipped";
    if (run::is(r.status, run::RunStatus::Missed))
        return "import missed";
    if (run::is(r.status, run::RunStatus::Running))
        return "import still running";
    return "import " + r.status;
}

std::string school_year_text(int y)
{
    int next = (y + 1) % 100;
    return std::to_string(y) + "-" + (next < 10 ? "0" : "") + std::to_string(next);
}

std::string started_by_text(const RunSummary &r)
{
    std::string s;
    if (run::is(r.trigger, run::Trigger::Scheduled))
        s = ", started by the schedule";
    else if (run::is(r.trigger, run::Trigger::Upload))
        s = ", files uploaded by " + r.run_by;
    else if (!r.run_by.empty())
        s = ", started by " + r.run_by;
    if (r.forced)
        s += ", forced";
    return s;
}

namespace {

using K = Paragraph::Kind;

// the record-count guard (run/record_guard.hpp): a file far shorter than last time
void explain_guard_failure(const RunSummary &r, std::vector<Paragraph> &out)
{
    out.push_back({K::problem, "",
                   "The import was stopped before it wrote anything: a file held far fewer "
                   "records than the same file held in the last successful import. That usually "
                   "means the export that wrote it was cut short (it timed out, or a disk was "
                   "full). The special-ed (cse) and services (csv) tables are exactly as they "
                   "were before this run.",
                   ""});
    out.push_back({K::problem, "Reason", r.message, ""});
    out.push_back({K::note, "What to do",
                   "Check the system that exports the files, let it write the file again, and "
                   "run the import again. If the file is complete (the students really are "
                   "fewer), import it anyway with:",
                   run::is(r.trigger, run::Trigger::Upload) ? "SELECT casemis.casemis_import_files(students, services, '" +
                                               r.setting + "', NULL, false, force => true);"
                                         : call_text(r, "force => true")});
}

// A failed run: a revert's or an import's.
void explain_failure(const RunSummary &r, std::vector<Paragraph> &out)
{
    const bool revert = run::is(r.trigger, run::Trigger::Revert);
    out.push_back({K::problem, "",
                   revert ? "The revert failed. Nothing was changed: the special-ed (cse) and services "
                            "(csv) tables are exactly as they were before this run."
                          : "The import failed. Nothing was imported: the special-ed (cse) and services "
                            "(csv) tables are exactly as they were before this run.",
                   ""});
    out.push_back({K::problem, "Reason", r.message.empty() ? std::string("(no reason recorded)") : r.message, ""});
    if (revert) {
        if (!r.hint.empty())
            out.push_back({K::note, "What to do", r.hint, ""});
        return;
    }
    // the error's own advice when it has some (import_run.hint), else the general one
    const std::string fix = r.hint.empty() ? "Correct the cause named above (the file, its headers, the "
                                             "server or the settings), then run the import again"
                                           : r.hint + " Then run the import again";
    if (run::is(r.trigger, run::Trigger::Upload))
        out.push_back({K::note, "What to do",
                       fix + " by sending the corrected files with "
                             "casemis.casemis_import_files(...).",
                       ""});
    else
        out.push_back({K::note, "What to do", fix + ":", call_text(r, "")});
}

} // namespace

std::vector<Paragraph> run_explanation(const RunSummary &r)
{
    std::vector<Paragraph> out;
    if (is_dry(r))
        out.push_back({K::warning, "DRY RUN",
                       "nothing was written to the cse or csv tables. The counts and the attached "
                       "reports show what a real import would have done.",
                       ""});
    if (run::is_record_guard_failure(r.status, r.message)) {
        explain_guard_failure(r, out);
    } else if (run::is(r.status, run::RunStatus::Failed)) {
        explain_failure(r, out);
    } else if (run::is(r.status, run::RunStatus::Unchanged)) {
        out.push_back({K::warning, "",
                       "The files are byte for byte the same as those of the last successful run "
                       "of this setting, so nothing was imported. If that is a mistake (the export "
                       "did not run), check the system that writes the files. To import these "
                       "files anyway, call:",
                       call_text(r, "force => true")});
    } else if (run::is(r.status, run::RunStatus::Skipped)) {
        out.push_back({K::warning, "",
                       "Another run of this setting was in progress, so this run did nothing.", ""});
    }
    return out;
}

std::vector<std::string> fetch_instructions(const RunSummary &r)
{
    const std::string id = std::to_string(r.run_id);
    std::vector<std::string> out;
    for (const LeftOut &l : r.left_out) {
        if (l.name.size() > 5 && l.name.compare(l.name.size() - 5, 5, ".xlsx") == 0)
            out.push_back("SELECT casemis.report_xlsx(" + id + ");");
        else
            out.push_back("SELECT casemis.report_csv(" + id + ", '" + l.name + "');");
    }
    if (!out.empty())
        out.push_back("SELECT casemis.export_reports(" + id + ", '/a/server/folder');");
    return out;
}

std::string run_email_subject(const RunSummary &r)
{
    std::string where = r.database;
    if (!r.setting.empty() && r.setting != "default")
        where += " (" + r.setting + ")";
    std::string s = "[casemis_import] " + where + ": " + outcome_text(r);
    if (!r.run_date.empty())
        s += " " + r.run_date;
    return s;
}

namespace {

// The sections of the plain-text email, in order; each appends to b.

void explanation_text(const RunSummary &r, std::string &b)
{
    for (const Paragraph &p : run_explanation(r)) {
        if (p.kind == Paragraph::Kind::warning && !p.heading.empty())
            b += wrap(p.heading + ": " + p.text, "*** ");
        else if (!p.heading.empty())
            b += p.heading + ":\n" + wrap(p.text, "  ");
        else
            b += wrap(p.text, "");
        if (!p.code.empty())
            b += "    " + p.code + "\n";
        b += "\n";
    }
}

void run_facts_text(const RunSummary &r, std::string &b)
{
    b += "Run " + std::to_string(r.run_id) + ", setting \"" + r.setting + "\"" +
         started_by_text(r) + "\n";
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
}

void files_text(const RunSummary &r, std::string &b)
{
    b += "Files read:\n";
    if (r.files.empty())
        b += run::is(r.trigger, run::Trigger::Revert) ? "  none (a revert reads no files: it puts back what the run it undoes changed)\n"
                                   : "  none (the run stopped before reading a file)\n";
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
}

// The counts, then the warnings and the message of a run that did not fail.
void counts_text(const RunSummary &r, std::string &b)
{
    b += "Counts (records):\n";
    for (const run::CountColumn &k : run::kRunCounts) // "  Type A imported:         93"
        b += "  " + pad_right(std::string("Type ") + (k.table == run::CountTable::A ? "A " : "B ") + k.what + ":", 20) +
             pad_left(std::to_string(r.counts.*k.member), 7) + "\n";
    b += "\n";

    if (!r.warnings.empty()) {
        b += "Warnings:\n";
        for (const std::string &w : r.warnings)
            b += "  - " + w + "\n";
        b += "\n";
    }
    if (!run::is(r.status, run::RunStatus::Failed) && !r.message.empty())
        b += "Message:\n  " + r.message + "\n\n";
}

// The attached reports, and those the size cap left out with how to get them.
void attachments_text(const RunSummary &r, std::string &b)
{
    if (r.attachments.empty()) {
        b += r.left_out.empty() ? "No reports are attached (this run produced none).\n\n"
                                : "No reports are attached.\n\n";
    } else {
        b += "Attached reports:\n";
        for (const std::string &a : r.attachments)
            b += "  " + a + "\n";
        b += "\n";
    }
    if (!r.left_out.empty()) {
        b += "Left out of this email, which would otherwise have been larger than " +
             std::to_string(r.max_email_bytes) + " bytes (max_email_bytes of the setting):\n";
        for (const LeftOut &l : r.left_out)
            b += "  " + l.name + " (" + std::to_string(l.bytes) + " bytes)\n";
        b += "Ask the DBA for them; in the database they are:\n";
        for (const std::string &s : fetch_instructions(r))
            b += "    " + s + "\n";
        b += "\n";
    }
}

} // namespace

std::string run_email_body(const RunSummary &r)
{
    std::string b;
    b += "CASEMIS import into database " + r.database + ": " + outcome_text(r) + "\n\n";
    explanation_text(r, b);
    run_facts_text(r, b);
    files_text(r, b);
    counts_text(r, b);
    attachments_text(r, b);
    recent_runs_text(r, b);
    b += "-- \ncasemis_import on database " + r.database +
         ". To send this email again: SELECT casemis.resend_email(" + std::to_string(r.run_id) +
         ");\n";
    return b;
}

} // namespace casemis::notify
