// services_writer.hpp -- Table B's imported records replace the services of the
// school year in casemis.csv: the year's rows of every student with a matched
// service are deleted, then the file's rows are COPYed in, each with the whole
// record as jsonb.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apply/targets.hpp"
#include "format/layout.hpp"
#include "match/matcher.hpp"
#include "pg/copy_in.hpp"
#include "pg/spi.hpp"

namespace casemis::apply {

// Roster indexes of the students with at least one matched service (a bit each).
struct ServiceStudents {
    explicit ServiceStudents(size_t roster_size) : of(roster_size, false) {}
    void add(int32_t roster)
    {
        if (!of[roster]) {
            of[roster] = true;
            ++count;
        }
    }
    std::vector<bool> of;
    size_t count = 0;
};

// The service_start_date of the school year's rows: the district calendar's
// first day (school 0), else July 1.
std::string service_start_date(pg::Spi &spi, int school_year);

// Writes the services into the table casemis.csv (not a CSV file).
class ServicesWriter {
  public:
    // Deletes the school year's services of `students` now (not in a dry run);
    // add() is then called for their records only.
    ServicesWriter(pg::Spi &spi, const format::HeaderCheck &hc, const format::Layout &layout, int64_t run_id,
              int school_year, std::string start_date, bool dry_run, const match::Roster &roster, const ServiceStudents &students);

    // One imported record (student_id_text: the student's decimal id); a dry run writes nothing.
    void add(const std::string &student_id_text, const format::CsvRecord &rec, const format::ValidatedRecord &vr);

    struct Counts {
        uint64_t deleted = 0, inserted = 0;
    };
    Counts finish();

  private:
    const format::HeaderCheck &hc_;
    const Targets tg_;
    const std::string run_id_, year_;
    const bool dry_run_;
    const std::string start_; // service_start_date: the school year's first day
    uint64_t deleted_ = 0;
    std::optional<pg::CopyIn> rows_; // opened after the delete
    std::vector<size_t> json_order_; // file columns in jsonb's key order
    std::string record_;
};

} // namespace casemis::apply
