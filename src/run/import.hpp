// import.hpp -- validate, match, write and report the files of one run (inside
// the run's transaction; the caller commits or rolls back).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pg/spi.hpp"
#include "run/record_guard.hpp"
#include "run/run_row.hpp"
#include "source/spool.hpp"

namespace casemis::run {

struct ImportInput {
    int64_t run_id = 0;
    bool dry_run = false;
    bool with_services = false;
    source::FileInfo students, services;
    std::string run_date;      // YYYY-MM-DD
    int school_year = 0;
    std::string roster;        // regclass text of the roster relation
    std::string roster_copy;   // its copy (copy_roster in roster_copy.hpp)
    size_t max_line_length = 1 << 20, max_columns = 1000;
    std::string file_format = "auto"; // import_settings.file_format: auto, casemis, calpads
    std::optional<RecordGuard> guard; // checked after the files are read, before anything is written; none when forced
};

// What a run counts: the counts of its import_run row (run_row.hpp lists them).
using ImportCounts = RunCounts;

struct ImportResult {
    ImportCounts counts;
    uint64_t a_records = 0;                // records in the Student Data file
    std::optional<uint64_t> b_records;     // ... in the Services file, when read
    std::vector<std::string> warnings; // header warnings, code-set counts
    std::string file_format;           // the family read: casemis or calpads (import_run.file_format)
};

// A reason to fail the whole run (bad key header, unreadable file, ...):
// nothing is imported. An Error like any other (SQLSTATE, message, detail,
// hint: see pg/boundary.hpp), which the run's row keeps (message, errcode);
// without a code it is a file the run cannot read (22P04, bad_copy_file_format).
struct RunFailure : Error {
    explicit RunFailure(std::string msg, std::string detail = {}, std::string hint = {},
                        int sqlstate = ERRCODE_BAD_COPY_FILE_FORMAT)
        : Error(sqlstate, std::move(msg), std::move(detail), std::move(hint))
    {
    }
};

ImportResult import_files(pg::Spi &spi, const ImportInput &in);

} // namespace casemis::run
