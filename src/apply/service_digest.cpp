// service_digest.cpp -- see service_digest.hpp.
#include "apply/service_digest.hpp"

#include <algorithm>

#include "apply/services_writer.hpp"
#include "format/record_columns.hpp"

extern "C" {
#include "postgres.h"

#include "common/hashfn.h"
}

namespace casemis::apply {

using namespace casemis::format;

namespace {

// Seeds of the two 64-bit halves; the server side passes the same to hashtextextended.
constexpr uint64_t kSeedA = 1, kSeedB = 2, kSeedColumns = 3;

uint64_t hash_text(const std::string &s, uint64_t seed)
{
    return hash_bytes_extended(reinterpret_cast<const unsigned char *>(s.data()), static_cast<int>(s.size()), seed);
}

// The second half is mixed before it is summed, so that the two sums are not
// related linearly.
uint64_t mix(uint64_t h)
{
    h ^= h >> 31;
    h *= 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

uint64_t as_u64(const pg::Value &v) { return static_cast<uint64_t>(std::stoll(*v)); }
uint32_t as_xid(const pg::Value &v) { return static_cast<uint32_t>(std::stoul(*v)); }
std::string as_text(uint64_t v) { return std::to_string(static_cast<int64_t>(v)); }

// Index of student_id in ids, or -1.
ptrdiff_t find(const std::vector<std::pair<int64_t, int32_t>> &ids, int64_t sid)
{
    auto it = std::lower_bound(ids.begin(), ids.end(), std::make_pair(sid, INT32_MIN));
    return it == ids.end() || it->first != sid ? -1 : it - ids.begin();
}

// A digest older than this many transactions is not trusted: its xid may have
// wrapped around to a later transaction's.
constexpr const char *kMaxDigestAge = "1000000000";

} // namespace

std::vector<size_t> jsonb_key_order(const HeaderCheck &hc)
{
    std::vector<size_t> order(hc.columns.size());
    for (size_t c = 0; c < order.size(); ++c)
        order[c] = c;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const std::string &x = hc.columns[a].header, &y = hc.columns[b].header;
        return x.size() != y.size() ? x.size() < y.size() : x < y;
    });
    return order;
}

ServiceDigest::ServiceDigest(const HeaderCheck &hc, const Layout &layout, std::string start_date,
                             size_t roster_size)
    : hc_(hc), json_order_(jsonb_key_order(hc)), start_(std::move(start_date)), raw_(roster_size),
      stored_(roster_size)
{
    // Every column the layout targets, present in the file or not: a stored value
    // in a column the file lacks makes the row differ (it would be written NULL).
    key_text_ = std::string("csv_digest 2 ") + CASEMIS_EXTVERSION + '\0' + start_;
    for (const auto &c : hc.columns)
        key_text_ += '\0' + c.header;
    for (size_t f = 0; f < layout.fields.size(); ++f) {
        const FieldDef &fd = layout.fields[f];
        if (fd.target.empty() || fd.role == Role::Filler)
            continue;
        bool seen = false;
        for (const auto &c : cols_)
            seen = seen || c.second == fd.target;
        if (seen)
            continue;
        cols_.emplace_back(f < hc.field_column.size() ? hc.field_column[f] : -1, fd.target);
        key_text_ += '\0' + std::to_string(cols_.back().first) + ' ' + fd.target + ' ' +
                     std::to_string(static_cast<int>(fd.type));
    }
}

// The raw fields (length-prefixed) decide the row a record becomes, given
// columns_key; row hashes only for students whose stored rows need them.
void ServiceDigest::add(int32_t roster, const CsvRecord &rec, const ValidatedRecord &vr)
{
    raw_buf_.clear();
    for (size_t c = 0; c < hc_.columns.size(); ++c) {
        const std::string_view v = field(rec, static_cast<int>(c));
        const uint32_t n = static_cast<uint32_t>(v.size());
        raw_buf_.append(reinterpret_cast<const char *>(&n), sizeof n);
        raw_buf_.append(v.data(), v.size());
    }
    Sum &s = raw_[roster];
    ++s.count;
    s.a += hash_text(raw_buf_, kSeedA);
    s.b += mix(hash_text(raw_buf_, kSeedB));
    if (stored_[roster].from == Stored::From::NeedsRows)
        add_row_hash(roster, rec, vr);
}

void ServiceDigest::add_row_hash(int32_t roster, const CsvRecord &rec, const ValidatedRecord &vr)
{
    row_.begin();
    row_.add(start_);
    for (const auto &c : cols_)
        (c.first < 0 || vr.null[c.first]) ? row_.add_null() : row_.add(vr.values[c.first]);
    json_ = "{";
    for (size_t c : json_order_) {
        if (json_.size() > 1)
            json_ += ", ";
        append_jsonb_out_string(json_, hc_.columns[c].header);
        json_ += ": ";
        append_jsonb_out_string(json_, field(rec, static_cast<int>(c)));
    }
    json_ += '}';
    row_.add(json_);
    const std::string &t = row_.end();
    Sum &s = rows_[roster];
    ++s.count;
    s.a += hash_text(t, kSeedA);
    s.b += mix(hash_text(t, kSeedB));
}

std::string ServiceDigest::row_expression() const
{
    std::string row = "ROW(c.service_start_date";
    for (const auto &c : cols_)
        row += ", c." + pg::quote_ident(c.second);
    return row + ", c.record)::text COLLATE \"C\"";
}

// Names what the raw hashes stand for (a change to any part voids every digest).
int64_t ServiceDigest::columns_key() const { return static_cast<int64_t>(hash_text(key_text_, kSeedColumns)); }

void ServiceDigest::prepare(pg::Spi &spi, int school_year, const match::Roster &roster)
{
    const std::string year = std::to_string(school_year);
    year_has_digests_ =
        *spi.scalar("SELECT EXISTS (SELECT FROM casemis.csv_digest WHERE school_year = $1::int)::text", {year}) ==
        "true";
    read_digests(spi, year, roster);
    if (std::any_of(stored_.begin(), stored_.end(), [](const Stored &s) { return s.from == Stored::From::NeedsRows; }))
        rows_.assign(roster.size(), Sum{});
}

// Which roster students have rows for the year, and whose digest holds: all
// their rows have the digest's xmin and are as many as it counted.
void ServiceDigest::read_digests(pg::Spi &spi, const std::string &year, const match::Roster &roster)
{
    if (year_has_digests_)
        spi.each("SELECT student_id::text, row_count::text, sum_a::text, sum_b::text, written_xid::text "
                 "FROM casemis.csv_digest WHERE school_year = $1::int AND columns_key = $2::bigint "
                 "AND pg_catalog.age(written_xid) < " + std::string(kMaxDigestAge),
                 {year, std::to_string(columns_key())}, 50000, [&](pg::Row &r) {
                     const match::Hits h = roster.by_id(std::stoll(*r[0]));
                     if (h.empty())
                         return;
                     Stored &s = stored_[h.first];
                     s.sum = Sum{static_cast<uint32_t>(std::stoul(*r[1])), as_u64(r[2]), as_u64(r[3])};
                     s.xmin = as_xid(r[4]);
                     s.from = Stored::From::Digest;
                 });
    // ids and xmins only: no row is printed or hashed
    spi.each("SELECT student_id::text, xmin::text FROM casemis.csv WHERE school_year = $1::int", {year}, 50000,
             [&](pg::Row &r) {
                 const match::Hits h = roster.by_id(std::stoll(*r[0]));
                 if (h.empty())
                     return; // not on the roster: never in the file
                 Stored &s = stored_[h.first];
                 if (s.from == Stored::From::None)
                     s.from = Stored::From::NeedsRows;
                 ++s.seen;
                 s.one_xmin = s.one_xmin && (s.from != Stored::From::Digest || as_xid(r[1]) == s.xmin);
             });
    for (Stored &s : stored_) {
        if (s.from == Stored::From::Digest && s.one_xmin && s.seen == s.sum.count)
            continue;
        const Stored::From from = s.seen > 0 ? Stored::From::NeedsRows : Stored::From::None;
        s = Stored{};
        s.from = from;
    }
}

// Row hashes of the stored rows of `ids` (students in the file whose rows have
// no valid digest): through a temp table of their ids when they are few, else
// in one pass over the year.
void ServiceDigest::hash_stored(pg::Spi &spi, const std::string &year,
                                const std::vector<std::pair<int64_t, int32_t>> &ids)
{
    std::string from = "casemis.csv c";
    if (ids.size() * 4 < stored_.size()) {
        spi.exec("CREATE TEMP TABLE casemis_digest_missing (student_id bigint) ON COMMIT DROP");
        pg::CopyIn want("pg_temp.casemis_digest_missing", {"student_id"});
        for (const auto &id : ids) {
            want.add(std::to_string(id.first));
            want.end_row();
        }
        want.finish();
        spi.exec("ANALYZE pg_temp.casemis_digest_missing");
        from = "pg_temp.casemis_digest_missing m JOIN casemis.csv c ON c.student_id = m.student_id";
    }
    spi.each("SELECT student_id::text, xmin::text, hashtextextended(r, " + std::to_string(kSeedA) +
                 ")::text, hashtextextended(r, " + std::to_string(kSeedB) + ")::text FROM (SELECT c.student_id, " +
                 "c.xmin, " + row_expression() + " AS r FROM " + from + " WHERE c.school_year = $1::int OFFSET 0) s",
             {year}, 50000, [&](pg::Row &r) {
                 const ptrdiff_t i = find(ids, std::stoll(*r[0]));
                 if (i < 0)
                     return; // not in the file (left alone anyway), or its digest holds
                 Stored &s = stored_[ids[i].second];
                 const uint32_t xmin = as_xid(r[1]);
                 if (s.from == Stored::From::NeedsRows)
                     s.xmin = xmin;
                 s.from = Stored::From::Rows;
                 s.one_xmin = s.one_xmin && xmin == s.xmin;
                 ++s.sum.count;
                 s.sum.a += as_u64(r[2]);
                 s.sum.b += mix(as_u64(r[3]));
             });
}

ServiceStudents ServiceDigest::changed(pg::Spi &spi, int school_year, const match::Roster &roster,
                                       const ServiceStudents &with_services, size_t &unchanged)
{
    run_xid_ = *spi.scalar("SELECT pg_catalog.xid(pg_catalog.pg_current_xact_id())::text");
    // (student_id, roster index) of the students in the file whose rows need hashing
    std::vector<std::pair<int64_t, int32_t>> ids;
    for (size_t r = 0; r < with_services.of.size(); ++r)
        if (with_services.of[r] && stored_[r].from == Stored::From::NeedsRows)
            ids.emplace_back(roster.student_id(static_cast<int32_t>(r)), static_cast<int32_t>(r));
    std::sort(ids.begin(), ids.end());
    if (!ids.empty())
        hash_stored(spi, std::to_string(school_year), ids);
    ServiceStudents out(with_services.of.size());
    unchanged = 0;
    refresh_.clear();
    for (size_t r = 0; r < with_services.of.size(); ++r) {
        if (!with_services.of[r])
            continue;
        const Stored &s = stored_[r];
        const bool same = s.from == Stored::From::Digest ? s.sum == raw_[r]
                          : s.from == Stored::From::Rows ? s.sum == rows_[r]
                                                         : false;
        if (!same) {
            out.add(static_cast<int32_t>(r));
            continue;
        }
        ++unchanged;
        if (s.from == Stored::From::Rows && s.one_xmin)
            refresh_.emplace_back(static_cast<int32_t>(r), s.xmin); // digested from now on
    }
    return out;
}

// Writes the raw digests: straight into the table when the year has none yet
// (the first import), else through a temp table and one upsert.
void ServiceDigest::store(pg::Spi &spi, int school_year, const match::Roster &roster, const ServiceStudents &written)
{
    if (written.count == 0 && refresh_.empty())
        return;
    std::string target = "casemis.csv_digest";
    if (year_has_digests_) {
        spi.exec("CREATE TEMP TABLE casemis_digest_new (LIKE casemis.csv_digest) ON COMMIT DROP");
        target = "pg_temp.casemis_digest_new";
    }
    pg::CopyIn out(target, {"student_id", "columns_key", "sum_a", "sum_b", "school_year", "row_count", "written_xid"});
    const std::string year = std::to_string(school_year), key = std::to_string(columns_key());
    auto add = [&](int32_t r, const std::string &xid) {
        const Sum &s = raw_[r];
        out.add(std::to_string(roster.student_id(r)));
        out.add(key);
        out.add(as_text(s.a));
        out.add(as_text(s.b));
        out.add(year);
        out.add(std::to_string(s.count));
        out.add(xid);
        out.end_row();
    };
    for (size_t r = 0; r < written.of.size(); ++r)
        if (written.of[r])
            add(static_cast<int32_t>(r), run_xid_);
    for (const auto &f : refresh_)
        add(f.first, std::to_string(f.second));
    out.finish();
    if (year_has_digests_)
        spi.exec("INSERT INTO casemis.csv_digest SELECT * FROM pg_temp.casemis_digest_new "
                 "ON CONFLICT (school_year, student_id) DO UPDATE SET columns_key = EXCLUDED.columns_key, "
                 "sum_a = EXCLUDED.sum_a, sum_b = EXCLUDED.sum_b, row_count = EXCLUDED.row_count, "
                 "written_xid = EXCLUDED.written_xid");
}

} // namespace casemis::apply
