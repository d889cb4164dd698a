// record_columns.hpp -- the file columns of the fields a record is matched and
// reported by, and a record's field by file column as matching, reports and
// the csv record quote it (trimmed, not validated). Pure C++.
#pragma once

#include <string_view>

#include "format/csv_reader.hpp"
#include "format/layout.hpp"
#include "format/text.hpp"

namespace casemis::format {

// File column per role in a checked header; -1 where the file lacks the field.
struct KeyColumns {
    int ssid = -1, student_id = -1, selpa = -1, last_name = -1, first_name = -1, birthdate = -1, grade = -1,
        service = -1;
};

inline KeyColumns key_columns(const HeaderCheck &hc, const Layout &l)
{
    return KeyColumns{hc.column_of(l, Role::Ssid),      hc.column_of(l, Role::StudentId),
                      hc.column_of(l, Role::SelpaCode), hc.column_of(l, Role::LastName),
                      hc.column_of(l, Role::FirstName), hc.column_of(l, Role::Birthdate),
                      hc.column_of(l, Role::Grade),     hc.column_of(l, Role::Service)};
}

// Column -1 (the header lacks the field) or past the record's end: empty.
inline std::string_view field(const CsvRecord &rec, int col)
{
    if (col < 0 || static_cast<size_t>(col) >= rec.fields.size())
        return {};
    return trim(rec.fields[col]);
}

} // namespace casemis::format
