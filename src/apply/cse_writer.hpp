// cse_writer.hpp -- Table A's imported records into casemis.cse in bulk: new
// students through COPY's insert path; existing ones the record changes COPYed
// to a stage table and merged by one UPDATE ... FROM (the filler rule, extra
// merged); existing ones it does not change (compared by hash with the stored
// row, read once) get only last_updated and last_run_id, by one UPDATE from a
// list of their ids. Every row written gets last_run_id, which NotInFile reads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apply/row_text.hpp"
#include "apply/run_history.hpp"
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
        uint64_t inserted = 0, updated = 0; // a dry run: what it would insert and update
        uint64_t unchanged = 0;             // of the updated: only last_updated and last_run_id written
    };
    Counts finish();

  private:
    pg::Spi &spi_;
    const format::HeaderCheck &hc_;
    const Targets tg_;
    const std::string run_id_, run_date_;
    const bool dry_run_;
    // A stored row: hashes of its ROW(target columns)::text, of
    // ROW(test_participation_1..6)::text, of the part of extra the file's unknown
    // columns may change (0: none), whether extra is '{}', its stamp
    // (last_updated, last_run_id), and whether this run only stamps it.
    // (48 bytes: the stamp's fields unpacked, see CseStamp)
    struct Stored {
        int64_t sid;
        uint64_t cols, fillers, extra;
        int64_t last_run_id;
        int32_t last_updated;
        bool empty_extra, updated_null, run_null, stamped;
        CseStamp stamp() const { return CseStamp{last_run_id, last_updated, updated_null, run_null}; }
    };
    void load_stored();
    bool changes(const Stored &s, const format::ValidatedRecord &vr, bool fillers_given);
    void save_stamps();
    std::vector<Stored> stored_; // by student_id
    std::vector<int> unknown_order_; // unknown columns in jsonb's key order
    RowText row_;
    pg::CopyIn written_, new_, stage_, touch_;
    Counts n_;
    std::string extra_;
};

} // namespace casemis::apply
