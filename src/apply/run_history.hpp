// run_history.hpp -- what casemis.revert_run needs, saved by the run itself
// (README: "Reverting a run"), in bulk, in the run's transaction, before the
// writer changes the rows.
//
// The one hook for the cse and csv writers. Each is used at ONE place, right
// before its table is written, for the students whose rows are about to
// change; it saves their rows (or stamps) as they are now. Pass only the
// students whose rows really change: a writer that leaves a student's rows
// alone (same values) must leave it out, so a nightly run with 1% changes
// stores 1%. Rows a run inserts need no saving (they carry its id:
// cse.last_run_id, csv.run_id); the revert removes them.
#pragma once

#include <cstdint>
#include <string>

#include "pg/copy_in.hpp"
#include "pg/spi.hpp"

namespace casemis::apply {

// changed_rel: a relation with a student_id column -- students with an
// EXISTING cse row that this run is about to UPDATE in a value column: the
// whole row is saved (others are skipped). Returns the rows saved.
uint64_t save_cse_before_images(pg::Spi &spi, int64_t run_id, const std::string &changed_rel);

// A cse row's stamp (last_updated, last_run_id), compact: the date as
// PostgreSQL stores it (days since 2000-01-01; INT32_MIN/MAX for -infinity/
// infinity).
struct CseStamp {
    int64_t run_id = 0;
    int32_t date = 0;
    bool date_null = true, run_null = true;
    bool operator==(const CseStamp &o) const
    {
        return date_null == o.date_null && run_null == o.run_null && (date_null || date == o.date) &&
               (run_null || run_id == o.run_id);
    }
    bool operator<(const CseStamp &o) const; // NULLs first
};

// The former stamps of the cse rows a run only stamps (values left alone),
// as rows of casemis.run_history_cse_stamp written by COPY: students grouped
// by stamp, ids sorted, at most kMaxIds ids a row (a stamp may take several
// rows). add() in order: by stamp, then student_id.
class CseStampHistory {
  public:
    static constexpr size_t kMaxIds = 10000;
    explicit CseStampHistory(int64_t run_id);
    void add(const CseStamp &stamp, int64_t student_id);
    uint64_t finish(); // rows written

  private:
    void end_row();
    pg::CopyIn copy_;
    const std::string run_id_;
    CseStamp stamp_;
    std::string ids_;
    size_t n_ = 0;
};

// students_rel: a relation with a student_id column -- the students whose csv
// rows of school_year this run is about to DELETE (to replace them). Returns
// the rows saved.
uint64_t save_csv_before_images(pg::Spi &spi, int64_t run_id, int school_year, const std::string &students_rel);

} // namespace casemis::apply
