// process.hpp -- the phases of one run, in the worker.
#pragma once

#include <map>
#include <string>

#include "pg/spi.hpp"
#include "run/shared.hpp"

namespace casemis::run {

// The committed settings row and what the run derived from it.
struct Prepared {
    std::map<std::string, pg::Value> s; // settings columns by name (text form)
    bool skipped = false;
    std::string run_date;   // YYYY-MM-DD in the setting's time zone
    int school_year = 0;
    std::string caller;     // the calling role's name

    const std::string &str(const char *col) const; // "" for NULL
    bool has(const char *col) const;
    bool flag(const char *col) const;
    long long num(const char *col) const;
};

// 1. Load the setting, take its lock (or record 'skipped'), mark dead runs
//    'interrupted', commit the run's row as 'running'.
void prepare(RunShared &sh, Prepared &p);
// 2. Fetch, validate, match, write cse/csv and the report rows, finalize: one
//    transaction, committed or rolled back as a whole.
void process(RunShared &sh, Prepared &p);
// 3. The completion email, after the outcome is committed.
void notify(RunShared &sh, Prepared &p);

} // namespace casemis::run
