// run_summary.hpp -- the text of a run's completion email (pure C++, no PostgreSQL).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace casemis::notify {

struct FileRead {
    std::string label; // "Table A" / "Table B"
    std::string name;  // file name, or "uploaded Table A" for an upload
    std::optional<int64_t> size;
    std::string sha256; // hex; empty when unknown
};

struct RunSummary {
    int64_t run_id = 0;
    std::string database, setting, status, trigger, run_by;
    bool dry_run = false, forced = false;
    std::string started_at, finished_at, time_zone; // local text, e.g. "2026-11-28 04:00:09"
    std::string run_date;                            // YYYY-MM-DD
    std::optional<int> school_year;
    std::string message;
    std::vector<FileRead> files;
    int64_t a_imported = 0, a_unmatched = 0, a_duplicates = 0, a_errors = 0, a_not_in_file = 0;
    int64_t b_imported = 0, b_unmatched = 0, b_errors = 0;
    std::vector<std::string> warnings;
    std::vector<std::string> attachments; // report file names attached
};

// "[casemis_import] sis_db: import succeeded 2026-11-28" (FAILED, DRY RUN, unchanged, ...).
std::string run_email_subject(const RunSummary &r);

// The plain-text body (LF line ends).
std::string run_email_body(const RunSummary &r);

} // namespace casemis::notify
