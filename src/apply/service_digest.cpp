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
constexpr uint64_t kSeedA = 1, kSeedB = 2;

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
    : hc_(hc), json_order_(jsonb_key_order(hc)), start_(std::move(start_date)), sums_(roster_size)
{
    // Every column the layout targets, present in the file or not: a stored value
    // in a column the file lacks makes the row differ (it would be written NULL).
    for (size_t f = 0; f < layout.fields.size(); ++f) {
        const FieldDef &fd = layout.fields[f];
        if (fd.target.empty() || fd.role == Role::Filler)
            continue;
        bool seen = false;
        for (const auto &c : cols_)
            seen = seen || c.second == fd.target;
        if (!seen)
            cols_.emplace_back(f < hc.field_column.size() ? hc.field_column[f] : -1, fd.target);
    }
}

void ServiceDigest::add(int32_t roster, const CsvRecord &rec, const ValidatedRecord &vr)
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
    Sum &s = sums_[roster];
    ++s.count;
    s.a += hash_text(t, kSeedA);
    s.b += mix(hash_text(t, kSeedB));
}

ServiceStudents ServiceDigest::changed(pg::Spi &spi, int school_year, const match::Roster &roster,
                                       const ServiceStudents &with_services, size_t &unchanged) const
{
    // (student_id, roster index) of the students in the file, by student_id
    std::vector<std::pair<int64_t, int32_t>> ids;
    ids.reserve(with_services.count);
    for (size_t s = 0; s < with_services.of.size(); ++s)
        if (with_services.of[s])
            ids.emplace_back(roster.student_id(static_cast<int32_t>(s)), static_cast<int32_t>(s));
    std::sort(ids.begin(), ids.end());
    std::vector<Sum> stored(ids.size());

    std::string row = "ROW(c.service_start_date";
    for (const auto &c : cols_)
        row += ", c." + pg::quote_ident(c.second);
    row += ", c.record)::text COLLATE \"C\"";
    spi.each("SELECT student_id::text, hashtextextended(r, " + std::to_string(kSeedA) + ")::text, hashtextextended(r, " +
                 std::to_string(kSeedB) + ")::text FROM (SELECT c.student_id, " + row +
                 " AS r FROM casemis.csv c WHERE c.school_year = $1::int OFFSET 0) s",
             {std::to_string(school_year)}, 50000, [&](pg::Row &r) {
                 const int64_t sid = std::stoll(*r[0]);
                 auto it = std::lower_bound(ids.begin(), ids.end(), std::make_pair(sid, INT32_MIN));
                 if (it == ids.end() || it->first != sid)
                     return; // not in the file: left alone anyway
                 Sum &s = stored[it - ids.begin()];
                 ++s.count;
                 s.a += static_cast<uint64_t>(std::stoll(*r[1]));
                 s.b += mix(static_cast<uint64_t>(std::stoll(*r[2])));
             });
    ServiceStudents out(with_services.of.size());
    unchanged = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (stored[i] == sums_[ids[i].second])
            ++unchanged;
        else
            out.add(ids[i].second);
    }
    return out;
}

} // namespace casemis::apply
