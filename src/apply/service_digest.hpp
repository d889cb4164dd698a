// service_digest.hpp -- which students' services for the school year differ from
// the stored ones, so that only those are deleted and inserted again.
//
// A student's services are summarized as the count and two sums of per-row
// 64-bit hashes (order does not matter). Two kinds of hash:
// * the raw hash: of the record's raw fields, cheap; what casemis.csv_digest
//   keeps between runs for the rows a run wrote (with the transaction that
//   wrote them), for the same file columns, layout, service_start_date and
//   library (columns_key). A digest is trusted while every csv row of the
//   student and year still has that xmin and their count agrees: then the run
//   reads only ids and xmins of the stored rows.
// * the row hash: of ROW(service_start_date, <every column the layout
//   targets>, record)::text, which the server computes for stored rows
//   (hashtextextended) and the import from the values it would write
//   (row_text.hpp). Used only for students whose stored rows have no valid
//   digest (written by hand, restored, reverted, by 0.1.0, or the cache was
//   emptied); unchanged ones get a digest then.
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

    // Before the file is read: what is stored for the school year (the valid
    // digests, and which students have rows without one).
    void prepare(pg::Spi &spi, int school_year, const match::Roster &roster);

    // One matched record of roster student `roster`. Runs on the side thread
    // (CONTRIBUTING, "Threads"): no PostgreSQL call but hash_bytes_extended.
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
    // What is stored for a roster student, from prepare() and changed().
    struct Stored {
        enum class From : uint8_t { None, Digest, NeedsRows, Rows };
        Sum sum;              // the digest's (raw), or the rows' (row hashes)
        uint32_t xmin = 0;    // the digest's transaction, or the first hashed row's
        uint32_t seen = 0;    // stored rows of the student and year
        From from = From::None;
        bool one_xmin = true; // every row has xmin
    };
    void read_digests(pg::Spi &spi, const std::string &year, const match::Roster &roster);
    void hash_stored(pg::Spi &spi, const std::string &year, const std::vector<std::pair<int64_t, int32_t>> &ids);
    void add_row_hash(int32_t roster, const format::CsvRecord &rec, const format::ValidatedRecord &vr);
    std::string row_expression() const;
    int64_t columns_key() const;
    const format::HeaderCheck &hc_;
    std::vector<std::pair<int, std::string>> cols_; // (file column or -1, csv column) per layout target
    std::vector<size_t> json_order_;
    std::string start_;
    std::vector<Sum> raw_;       // per roster index: raw hashes of the file's records
    std::vector<Sum> rows_;      // per roster index, for NeedsRows students only: row hashes
    std::vector<Stored> stored_; // per roster index
    std::string run_xid_;        // the run's transaction, as xid text
    bool year_has_digests_ = false;
    std::vector<std::pair<int32_t, uint32_t>> refresh_; // (roster index, xmin) of unchanged rows to digest
    std::string key_text_;       // what columns_key names
    std::string raw_buf_;
    RowText row_;
    std::string json_;
};

// jsonb's key order (shorter first, then bytewise) of the file's columns.
std::vector<size_t> jsonb_key_order(const format::HeaderCheck &hc);

} // namespace casemis::apply
