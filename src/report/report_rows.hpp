// report_rows.hpp -- the run's report rows: a row per record in the report of
// its outcome, stored compactly in casemis.report_chunk (chunks of
// row_chunks.hpp, compressed by TOAST; one COPY stream for all of the run's
// reports) and read through the view casemis.import_report; then NotInFile as
// one set-based statement.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pg/copy_in.hpp"
#include "pg/spi.hpp"
#include "report/row_chunks.hpp"

namespace casemis::report {

// The run's report rows, chunked (row_chunks.hpp) and written through COPY.
class Reports : public RowChunks {
  public:
    explicit Reports(int64_t run_id);
    // One finished chunk of this run (also one built by another RowChunks).
    void write(const ChunkRow &c);
    // Writes the open chunks and ends the COPY stream.
    void finish();

  private:
    std::string run_id_;
    pg::CopyIn copy_;
};

// CASEMIS_TypeA_NotInFile.csv: the special-ed students (a disability, not exited
// by run_date) whose cse row this run did not write, named from the roster copy.
// A real run knows them by cse.last_run_id; a dry run by pg_temp.casemis_written
// (apply::CseWriter). Returns the row count.
uint64_t not_in_file(pg::Spi &spi, int64_t run_id, const std::string &run_date, const std::string &roster_copy,
                     bool dry_run);

} // namespace casemis::report
