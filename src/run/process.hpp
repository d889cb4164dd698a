// process.hpp -- the phases of one run, in the worker.
#pragma once

#include <string>

#include "pg/spi.hpp"
#include "run/import.hpp"
#include "run/settings.hpp"
#include "run/shared.hpp"

namespace casemis::run {

// The files a run fetched, in text form for import_run (B: NULL without services).
struct FilesRead {
    bool fetched = false;
    std::string a_label, a_size, a_sha256;
    pg::Value b_label, b_size, b_sha256;
};

// Records them on the run's row. A run that fails afterwards records them
// again with its outcome, outside its rolled-back transaction.
void record_files(pg::Spi &spi, int64 run_id, const FilesRead &f);

// The committed settings row and what the run derived from it.
struct Prepared {
    Settings settings;
    bool skipped = false;
    std::string run_date;   // YYYY-MM-DD in the setting's time zone
    int school_year = 0;
    std::string caller;     // the calling role's name
    FilesRead files;        // set once the files are fetched
    ImportCounts counts;    // set when the run is recorded (the log line)
};

// 1. Load the setting, take its lock (or record 'skipped'), mark dead runs
//    'interrupted', commit the run's row as 'running'.
void prepare(RunShared &sh, Prepared &p);
// Pieces of phase 1 that recording an unstarted failure needs too.
void run_as_extension_owner(pg::Spi &spi);
std::string caller_name(pg::Spi &spi, const RunShared &sh);
pg::Value scheduled_for_text(const RunShared &sh); // NULL unless a scheduled run
// 2. Fetch, validate, match, write cse/csv and the report rows, finalize: one
//    transaction, committed or rolled back as a whole.
void process(RunShared &sh, Prepared &p);
// 2, for a revert run (run/revert.cpp): the run's changes to cse/csv undone.
void process_revert(RunShared &sh, Prepared &p);
// Runs of different settings may write the same students: one writer at a
// time. Waits for the other's commit; the run's next statements see it (their
// snapshots are fresh, pg/spi.hpp).
void lock_cse_writers(pg::Spi &spi);
// 3. The completion email, after the outcome is committed.
void notify(RunShared &sh, Prepared &p);

} // namespace casemis::run
