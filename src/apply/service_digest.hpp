// service_digest.hpp -- which students' services for the school year differ from
// the stored ones, so that only those are deleted and inserted again.
//
// Each Table B record that would be written is reduced to a 128-bit hash of the
// row it would become (ROW(service_start_date, <every column the layout
// targets>, record)::text, see row_text.hpp); a student's services are the
// count and the sums of those hashes (order does not matter). The server
// computes the same for the stored rows of the year in one query
// (hashtextextended over ROW(...)::text), and a student is unchanged when
// count and both sums agree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apply/row_text.hpp"
#include "apply/targets.hpp"
#include "format/layout.hpp"
#include "match/matcher.hpp"
#include "pg/spi.hpp"

namespace casemis::apply {

struct ServiceStudents;

class ServiceDigest {
  public:
    // start_date: the service_start_date every row of this run gets.
    ServiceDigest(const format::HeaderCheck &hc, const format::Layout &layout, std::string start_date,
                  size_t roster_size);

    // One matched record of roster student `roster`.
    void add(int32_t roster, const format::CsvRecord &rec, const format::ValidatedRecord &vr);

    // Of `with_services` (students with a matched record), those whose stored
    // services for the school year differ; `unchanged` gets the count of the others.
    ServiceStudents changed(pg::Spi &spi, int school_year, const match::Roster &roster,
                            const ServiceStudents &with_services, size_t &unchanged) const;

  private:
    struct Sum {
        uint32_t count = 0;
        uint64_t a = 0, b = 0;
        bool operator==(const Sum &o) const { return count == o.count && a == o.a && b == o.b; }
    };
    const format::HeaderCheck &hc_;
    std::vector<std::pair<int, std::string>> cols_; // (file column or -1, csv column) per layout target
    std::vector<size_t> json_order_;
    std::string start_;
    std::vector<Sum> sums_; // per roster index
    RowText row_;
    std::string json_;
};

// jsonb's key order (shorter first, then bytewise) of the file's columns.
std::vector<size_t> jsonb_key_order(const format::HeaderCheck &hc);

} // namespace casemis::apply
