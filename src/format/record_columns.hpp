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
    // CALPADS: Local Student ID (14.09), Meeting or Amendment Identifier, Meeting
    // Date, Education Plan Amendment Date.
    int local_id = -1, meeting_id = -1, meeting_date = -1, amendment_date = -1;
    // The StudentID of the Unmatched and Errors reports: the file's STUDENT_ID
    // (Table A/B), Local Student ID (SPED), Local Special Education Student ID (SSRV).
    int report_id = -1;
};

inline KeyColumns key_columns(const HeaderCheck &hc, const Layout &l)
{
    KeyColumns k{hc.column_of(l, Role::Ssid),      hc.column_of(l, Role::StudentId),
                 hc.column_of(l, Role::SelpaCode), hc.column_of(l, Role::LastName),
                 hc.column_of(l, Role::FirstName), hc.column_of(l, Role::Birthdate),
                 hc.column_of(l, Role::Grade),     hc.column_of(l, Role::Service)};
    k.local_id = hc.column_of(l, Role::LocalStudentId);
    k.meeting_id = hc.column_of(l, Role::MeetingId);
    k.meeting_date = hc.column_of(l, Role::MeetingDate);
    k.amendment_date = hc.column_of(l, Role::AmendmentDate);
    k.report_id = k.local_id >= 0 ? k.local_id : k.student_id;
    return k;
}

// A validated record's value of file column col ("" when blank or absent).
inline std::string_view value(const ValidatedRecord &vr, int col)
{
    if (col < 0 || static_cast<size_t>(col) >= vr.values.size() || vr.null[static_cast<size_t>(col)])
        return {};
    return vr.values[static_cast<size_t>(col)];
}

// Column -1 (the header lacks the field) or past the record's end: empty.
inline std::string_view field(const CsvRecord &rec, int col)
{
    if (col < 0 || static_cast<size_t>(col) >= rec.fields.size())
        return {};
    return trim(rec.fields[col]);
}

} // namespace casemis::format
