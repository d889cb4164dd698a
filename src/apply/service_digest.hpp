// service_digest.hpp -- which students' services for the school year differ from
// the stored ones, so that only those are deleted and inserted again.
//
// Each Table B record that would be written is reduced to a 128-bit hash of the
// row it would become (ROW(service_start_date, <every column the layout
// targets>, record)::text, see row_text.hpp); a student's services are the
// count and the sums of those hashes (order does not matter). The server
// computes the same for the stored rows of the year (hashtextextended over
// ROW(...)::text), and a student is unchanged when count and both sums agree.
//
// The server's side is kept between runs in casemis.csv_digest (one row per
// student and year, written by store() at the end of the run), trusted only
// while every csv row of the student still has the xmin the digest names and
// their count agrees: then the run reads a join of ids and xmins instead of
// hashing every stored row. Students without a valid digest are hashed as
// before, and get one.
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
                            const ServiceStudents &with_services, size_t &unchanged);

    // After the run wrote the services of `written`: stores their digests, and
    // those of the unchanged students whose rows had no valid one.
    void store(pg::Spi &spi, int school_year, const match::Roster &roster, const ServiceStudents &written);

  private:
    struct Sum {
        uint32_t count = 0;
        uint64_t a = 0, b = 0;
        bool operator==(const Sum &o) const { return count == o.count && a == o.a && b == o.b; }
    };
    // A student's stored rows as this run found them.
    struct Stored {
        enum class From : uint8_t { None, Digest, Rows };
        Sum sum;              // of the digest, or of the rows hashed
        uint32_t xmin = 0;    // the digest's transaction, or the first hashed row's
        uint32_t seen = 0;    // rows counted while checking a digest
        From from = From::None;
        bool one_xmin = true; // every row has xmin
    };
    using Ids = std::vector<std::pair<int64_t, int32_t>>; // (student_id, roster index), sorted
    size_t read_digests(pg::Spi &spi, const std::string &year, const Ids &ids, std::vector<Stored> &stored) const;
    void hash_stored(pg::Spi &spi, const std::string &year, const Ids &ids, std::vector<Stored> &stored) const;
    std::string row_expression() const;
    int64_t columns_key() const;
    const format::HeaderCheck &hc_;
    std::vector<std::pair<int, std::string>> cols_; // (file column or -1, csv column) per layout target
    std::vector<size_t> json_order_;
    std::string start_;
    std::vector<Sum> sums_; // per roster index
    std::string run_xid_;   // the run's transaction, as xid text
    bool year_has_digests_ = false;
    std::vector<std::pair<int32_t, uint32_t>> refresh_; // (roster index, xmin) of unchanged rows to digest
    RowText row_;
    std::string json_;
};

// jsonb's key order (shorter first, then bytewise) of the file's columns.
std::vector<size_t> jsonb_key_order(const format::HeaderCheck &hc);

} // namespace casemis::apply
