// run_summary.hpp -- what a run's completion email says, and its plain-text
// form (pure C++, no PostgreSQL). The HTML form is in run_html.hpp; both read
// the same RunSummary and the same sentences (below), so they cannot drift.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run/run_row.hpp"

namespace casemis::notify {

struct FileRead {
    std::string label; // "Table A" / "Table B"
    std::string name;  // file name, or "uploaded Table A" for an upload
    std::optional<int64_t> size;
    std::string sha256; // hex; empty when unknown
};

// The counts of a run, as casemis.import_run holds them (run/run_row.hpp).
using run::RunCounts;

// One of the setting's recent runs (the "last ten runs" table).
struct RecentRun {
    int64_t run_id = 0;
    std::string started_at; // local text "2026-11-28 04:00"
    std::string status;
    bool dry_run = false;
    RunCounts counts;
};

// An attachment the size cap left out (see notify/size_cap.hpp).
struct LeftOut {
    std::string name;
    uint64_t bytes = 0; // of the file itself, not encoded
};

struct RunSummary {
    int64_t run_id = 0;
    std::string database, setting, status, trigger, run_by;
    bool dry_run = false, forced = false;
    std::string started_at, finished_at, time_zone; // local text, e.g. "2026-11-28 04:00:09"
    std::string run_date;                            // YYYY-MM-DD
    std::optional<int> school_year;
    std::string message;
    std::string hint; // a failed run's advice (import_run.hint), else empty
    std::vector<FileRead> files;
    RunCounts counts;
    std::vector<std::string> warnings;
    std::vector<std::string> attachments; // report file names attached
    std::vector<LeftOut> left_out;        // attachments left out by the size cap
    uint64_t max_email_bytes = 0;         // the cap that applied (0: none)
    std::vector<RecentRun> recent;        // the setting's last runs, newest first, this one included
};

// "import succeeded", "import FAILED", "DRY RUN", "unchanged, nothing imported", ...
std::string outcome_text(const RunSummary &r);
bool is_dry(const RunSummary &r);

// The explanation paragraphs both forms show under the headline, in plain
// sentences (no line breaks); `code` is an SQL call to show as code, or empty.
struct Paragraph {
    enum class Kind { note, warning, problem } kind = Kind::note;
    std::string heading; // "Reason", "What to do", ... (empty: none)
    std::string text;
    std::string code;
};
std::vector<Paragraph> run_explanation(const RunSummary &r);

// Who started the run: ", started by the schedule", ", files uploaded by alice", ...
std::string started_by_text(const RunSummary &r);
std::string school_year_text(int y); // 2016 -> "2016-17"

// How to get the reports that were left out of the message (one SQL line each).
std::vector<std::string> fetch_instructions(const RunSummary &r);

// "[casemis_import] sis_db: import succeeded 2026-11-28" (FAILED, DRY RUN, unchanged, ...).
std::string run_email_subject(const RunSummary &r);

// The plain-text body (LF line ends).
std::string run_email_body(const RunSummary &r);

} // namespace casemis::notify
