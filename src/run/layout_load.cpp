// layout_load.cpp -- see layout_load.hpp.
#include "run/layout_load.hpp"

#include <string>
#include <vector>

#include "run/import.hpp"

namespace casemis::run {

using namespace casemis::format;

namespace {

std::vector<std::string> split(const std::string &s, char sep)
{
    std::vector<std::string> out;
    if (s.empty())
        return out;
    size_t start = 0;
    for (;;) {
        size_t p = s.find(sep, start);
        out.push_back(s.substr(start, p == std::string::npos ? p : p - start));
        if (p == std::string::npos)
            break;
        start = p + 1;
    }
    return out;
}

Role role_of(const std::string &r)
{
    if (r == "ssid") return Role::Ssid;
    if (r == "student_id") return Role::StudentId;
    if (r == "last_name") return Role::LastName;
    if (r == "first_name") return Role::FirstName;
    if (r == "birthdate") return Role::Birthdate;
    if (r == "grade") return Role::Grade;
    if (r == "selpa_code") return Role::SelpaCode;
    if (r == "service") return Role::Service;
    if (r == "filler") return Role::Filler;
    return Role::None;
}

} // namespace

Layout load_layout(pg::Spi &spi, char table)
{
    Layout l;
    l.table = table;
    const std::string t(1, table);
    auto rows = spi.query(
        "SELECT f.header, f.position::text, f.data_type, coalesce(f.target_column, ''), coalesce(f.role, ''), "
        "f.is_key::text, coalesce(array_to_string(f.codes, E'\\x1f'), ''), "
        "coalesce((SELECT string_agg(a.alias, E'\\x1f' ORDER BY a.alias) FROM casemis.layout_alias a "
        "          WHERE a.layout = f.layout AND a.header = f.header), '') "
        "FROM casemis.layout_field f WHERE f.layout = $1 ORDER BY f.position, f.header",
        {t});
    for (auto &r : rows) {
        FieldDef f;
        f.header = *r[0];
        f.position = std::stoi(*r[1]);
        f.type = *r[2] == "date" ? DataType::Date : *r[2] == "percent" ? DataType::Percent : DataType::Text;
        f.target = *r[3];
        f.role = role_of(*r[4]);
        f.key = *r[5] == "true";
        f.codes = split(*r[6], '\x1f');
        f.aliases = split(*r[7], '\x1f');
        l.fields.push_back(std::move(f));
    }
    const char *rel = table == 'A' ? "casemis.cse" : "casemis.csv";
    for (const auto &f : l.fields) {
        if (f.target.empty())
            continue;
        auto ok = spi.scalar("SELECT count(*)::text FROM pg_catalog.pg_attribute WHERE attrelid = $1::regclass "
                             "AND attname = $2 AND attnum > 0 AND NOT attisdropped",
                             {std::string(rel), f.target});
        if (ok.value_or("0") == "0")
            throw RunFailure("layout " + t + " field " + f.header + " names target column \"" + f.target +
                             "\", which " + rel + " does not have. Hint: fix casemis.layout_field or ALTER TABLE " +
                             rel + " ADD COLUMN " + f.target + " text.");
    }
    return l;
}

} // namespace casemis::run
