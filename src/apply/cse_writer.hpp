// cse_writer.hpp -- Table A's imported records into casemis.cse in bulk: new
// students through COPY's insert path; existing ones COPYed to a stage table
// and merged by one UPDATE ... FROM (the filler rule, extra merged). Every row
// written gets last_run_id, which NotInFile reads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apply/targets.hpp"
#include "format/layout.hpp"
#include "pg/copy_in.hpp"
#include "pg/spi.hpp"

namespace casemis::apply {

class CseWriter {
  public:
    // A dry run writes no cse row; it lists the students it would write in
    // pg_temp.casemis_written instead (NotInFile reads that).
    CseWriter(pg::Spi &spi, const format::HeaderCheck &hc, const format::Layout &layout, int64_t run_id,
              std::string run_date, bool dry_run);

    // One imported record of the student (student_id_text: its decimal text).
    void add(int64_t student_id, const std::string &student_id_text, const format::ValidatedRecord &vr);

    struct Counts {
        uint64_t inserted = 0, updated = 0; // both 0 in a dry run
    };
    Counts finish();

  private:
    pg::Spi &spi_;
    const format::HeaderCheck &hc_;
    const Targets tg_;
    const std::string run_id_, run_date_;
    const bool dry_run_;
    std::vector<int64_t> existing_; // sorted student_ids that have a cse row
    pg::CopyIn written_, new_, stage_;
    Counts n_;
    std::string extra_;
};

} // namespace casemis::apply
