// layout.hpp -- a file's header row resolved against a layout (casemis.layout_field
// and casemis.layout_alias), and each record validated against it.
// Pure C++ (no PostgreSQL): the layout is loaded by the caller.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "format/csv_reader.hpp"

namespace casemis::format {

enum class DataType { Text, Date, Percent, Code }; // Code: blank or one of codes, else an error
enum class Role {
    None, Ssid, StudentId, LastName, FirstName, Birthdate, Grade, SelpaCode, Service, Filler,
    // CALPADS SPED/SSRV (README "CALPADS files")
    RecordType,      // 14.01/15.01: SPED/SSRV, required in a file without a header
    TransactionType, // 14.02/15.02: blank or A (SSRV also R); D and other codes are errors
    LocalStudentId,  // 14.09: the roster's student_id
    MeetingId,       // 14.22/15.12: Meeting or Amendment Identifier
    MeetingDate,     // 14.21
    AmendmentDate,   // 14.25
};
// Which family a layout belongs to: CASEMIS Table A/B, or CALPADS SPED/SSRV.
enum class Family { Casemis, Calpads };

struct FieldDef {
    std::string header;               // canonical, upper case
    int position = 0;                 // TAG order (informative)
    DataType type = DataType::Text;
    std::string target;               // cse/csv column; empty = not stored in a column
    Role role = Role::None;
    bool key = false;
    std::vector<std::string> codes;   // known code set; empty = any value
    std::vector<std::string> aliases; // upper case
};

struct Layout {
    char table = 'A'; // 'A' (students: Table A, SPED) or 'B' (services: Table B, SSRV)
    Family family = Family::Casemis;
    std::string name; // in messages: "Table A", "Table B", "SPED", "SSRV" (empty: by table)
    std::string title() const { return name.empty() ? std::string("Table ") + table : name; }
    std::vector<FieldDef> fields;
    int find_role(Role r) const; // index of the first field with role r, or -1
};

// One column of the file.
struct ColumnBinding {
    std::string header; // as in the file, trimmed (BOM already removed)
    int field = -1;     // index into Layout::fields; -1 = unknown to the layout
};

struct HeaderCheck {
    bool positional = false;                   // a CALPADS file without a header row
    std::vector<ColumnBinding> columns;        // one per file column, in file order
    std::vector<int> field_column;             // per layout field: its file column, or -1
    std::vector<std::string> missing_keys;     // e.g. "SSID"; for Table B "STUDENT_ID or SSID", "SERVICE"
    std::vector<std::string> duplicate_headers;// a field (or unknown header) named twice
    std::vector<std::string> empty_headers;    // e.g. "column 7"
    std::vector<std::string> unknown_headers;  // kept as extra data; a warning
    std::vector<std::string> missing_fields;   // non-key fields absent; a warning
    // Key headers missing, duplicated or empty headers: nothing is imported.
    bool fatal() const { return !missing_keys.empty() || !duplicate_headers.empty() || !empty_headers.empty(); }
    // Plain-English reason naming the bad headers and what was expected.
    std::string fatal_message(const Layout &layout) const;
    // Plain-English warnings (unknown headers, missing non-key fields).
    std::vector<std::string> warnings() const;
    int column_of(const Layout &layout, Role r) const; // file column of a role, or -1
};

// Headers are compared trimmed and case-insensitively (ASCII) with each field's
// header and aliases; for a CALPADS layout also ignoring spaces, underscores,
// hyphens and periods (header_name()). Table A key fields: every field with
// key = true. Table B: SERVICE and at least one of STUDENT_ID / SSID.
HeaderCheck check_headers(const std::vector<std::string_view> &file_headers, const Layout &layout);

// A header as compared with the layout's names: upper case, and for a CALPADS
// layout without spaces, underscores, hyphens and periods.
std::string header_name(std::string_view header, Family family);

// A CALPADS file without a header row: file column i is the field at position
// i + 1; columns past the layout's last position are kept as "field_N". The
// record count of columns is the larger of the layout's last position and the
// first record's field count (a record with another count is an error record).
HeaderCheck positional_columns(const Layout &layout, size_t first_record_fields);

struct Problem {
    int column = -1;      // file column (0-based); -1 = the record as a whole
    std::string field;    // the column's header as in the file; empty for the whole record
    std::string value;    // the value as in the file (trimmed)
    std::string problem;  // plain English
};

struct ValidatedRecord {
    // Per file column: the value to store. Text: trimmed. Date: YYYY-MM-DD.
    // Percent: the whole number without leading zeros. null[i] = blank.
    std::vector<std::string> values;
    std::vector<bool> null;
    std::vector<Problem> problems;  // empty = the record is good; ordered by column
    std::vector<int> code_warnings; // layout field indices whose value is outside its code set
    bool ok() const { return problems.empty(); }
};

// Checks one record: field count (a wrong count is one whole-record problem and
// nothing else is checked), the record's own problem (quotes), dates, percents,
// code fields (an error outside their codes), code sets (warnings only), a blank
// Record Type Code in a file without a header. `out` is reused between calls.
void validate_record(const CsvRecord &rec, const HeaderCheck &hc, const Layout &layout,
                     ValidatedRecord &out);

} // namespace casemis::format
