// run_history.hpp -- what casemis.revert_run needs, saved by the run itself
// (README: "Reverting a run"), in bulk: one INSERT ... SELECT per table, in
// the run's transaction, before the writer changes the rows.
//
// The one hook for the cse and csv writers. Each function is called at ONE
// place, right before its table is written, with a relation (a temp table)
// listing the students whose rows are about to change; it saves their rows as
// they are now. Pass only the students whose rows really change: a writer that
// leaves a student's rows alone (same values) must leave it out, so a nightly
// run with 1% changes stores 1%. Rows a run inserts need no saving (they
// carry its id: cse.last_run_id, csv.run_id); the revert removes them.
#pragma once

#include <cstdint>
#include <string>

#include "pg/spi.hpp"

namespace casemis::apply {

// Relations with a student_id column, of students with an EXISTING cse row
// (others are skipped):
//   changed_rel -- rows this run is about to UPDATE in a value column: the
//                  whole row is saved;
//   stamped_rel -- rows whose values it leaves alone and only stamps
//                  (last_updated, last_run_id): only their former stamps are
//                  saved, students grouped by stamp (a few bytes each).
//                  "" when there are none.
// A student in neither keeps its row untouched. Returns the rows saved.
uint64_t save_cse_before_images(pg::Spi &spi, int64_t run_id, const std::string &changed_rel,
                                const std::string &stamped_rel);

// students_rel: a relation with a student_id column -- the students whose csv
// rows of school_year this run is about to DELETE (to replace them). Returns
// the rows saved.
uint64_t save_csv_before_images(pg::Spi &spi, int64_t run_id, int school_year, const std::string &students_rel);

} // namespace casemis::apply
