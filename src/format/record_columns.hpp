// record_columns.hpp -- a record's field by file column, as matching, reports
// and the csv record quote it (trimmed, not validated). Pure C++.
#pragma once

#include <string_view>

#include "format/csv_reader.hpp"
#include "format/text.hpp"

namespace casemis::format {

// Column -1 (the header lacks the field) or past the record's end: empty.
inline std::string_view field(const CsvRecord &rec, int col)
{
    if (col < 0 || static_cast<size_t>(col) >= rec.fields.size())
        return {};
    return trim(rec.fields[col]);
}

} // namespace casemis::format
