// pure C++ -- row_chunks.cpp: see row_chunks.hpp.
#include "report/row_chunks.hpp"

#include "pg/array_text.hpp"
#include "pg/cpp_only_file.hpp" // last: no PostgreSQL header above

namespace casemis::report {

using namespace casemis::format;
using match::Outcome;

namespace {

const char *const kReportA[] = {"CASEMIS_TypeA_ImportedRecords.csv", "CASEMIS_TypeA_UnmatchedRecords.csv",
                                "CASEMIS_TypeA_Duplicates.csv", "CASEMIS_TypeA_Errors.csv"};
const char *const kReportB[] = {"CASEMIS_TypeB_ImportedRecords.csv", "CASEMIS_TypeB_UnmatchedRecords.csv",
                                "CASEMIS_TypeB_Errors.csv"};

// An element of an array literal: NULL, or always double-quoted (" and \ escaped).
void append_element(std::string &out, bool is_null, std::string_view v)
{
    if (!out.empty())
        out += ',';
    if (is_null)
        out += "NULL";
    else
        pg::append_array_element(out, v);
}

} // namespace

void RowChunks::table_a(const CsvRecord &rec, const KeyColumns &kc, Outcome outcome, match::Reason reason,
                      std::string_view student_id, std::string_view roster_grade)
{
    Row r;
    r.line = rec.line;
    r.ssid = field(rec, kc.ssid);
    r.first = field(rec, kc.first_name);
    r.last = field(rec, kc.last_name);
    r.birthdate = field(rec, kc.birthdate);
    r.grade = kc.grade >= 0 ? field(rec, kc.grade) : roster_grade;
    r.with_names = true;
    if (outcome == Outcome::Imported) {
        r.report = kReportA[0];
        r.student_id = student_id;
        r.has_student_id = true;
    } else if (outcome == Outcome::Unmatched) {
        r.report = kReportA[1];
        r.student_id = field(rec, kc.report_id);
        r.has_student_id = true;
        r.reason = match::reason_text(reason);
        r.has_reason = true;
    } else {
        r.report = kReportA[2]; // duplicates: no student_id
    }
    add(r);
}

void RowChunks::table_b(const CsvRecord &rec, const KeyColumns &kc, Outcome outcome, match::Reason reason,
                      std::string_view student_id)
{
    const bool unmatched = outcome == Outcome::Unmatched;
    Row r;
    r.report = unmatched ? kReportB[1] : kReportB[0];
    r.line = rec.line;
    r.ssid = field(rec, kc.ssid);
    r.student_id = unmatched ? field(rec, kc.report_id) : student_id;
    r.has_student_id = true;
    r.service = field(rec, kc.service);
    r.has_service = true;
    if (unmatched) {
        r.reason = match::reason_text(reason);
        r.has_reason = true;
    }
    add(r);
}

void RowChunks::table_a_errors(const CsvRecord &rec, const KeyColumns &kc, const ValidatedRecord &vr)
{
    errors(kReportA[3], rec, vr, kc);
}

void RowChunks::table_b_errors(const CsvRecord &rec, const KeyColumns &kc, const ValidatedRecord &vr)
{
    errors(kReportB[2], rec, vr, kc);
}

void RowChunks::flush_all()
{
    for (auto &c : chunks_)
        flush(c.second);
}

// A row joins its report's open chunk (columns in the order of the
// constructor's list; what a row lacks is a NULL element).
void RowChunks::add(const Row &r)
{
    Chunk &c = chunks_[r.report];
    c.row.report = r.report;
    std::string *col = c.row.cols;
    append_element(*col++, !r.line, r.line ? std::to_string(r.line) : std::string());
    append_element(*col++, !r.position, r.position ? std::to_string(r.position) : std::string());
    append_element(*col++, false, r.ssid);
    append_element(*col++, !r.has_student_id, r.student_id);
    for (std::string_view v : {r.first, r.last, r.birthdate, r.grade})
        append_element(*col++, !r.with_names, v);
    append_element(*col++, !r.has_service, r.service);
    for (std::string_view v : {r.field, r.value, r.problem})
        append_element(*col++, !r.has_field, v);
    append_element(*col++, !r.has_reason, r.reason);
    c.row.nonnull |= (r.line ? 1u : 0) | (r.position ? 2u : 0) | 4u | (r.has_student_id ? 8u : 0) |
                 (r.with_names ? 0xF0u : 0) | (r.has_service ? 0x100u : 0) | (r.has_field ? 0xE00u : 0) |
                 (r.has_reason ? 0x1000u : 0);
    if (++c.rows == kChunkRows)
        flush(c);
}

// The chunk goes to the sink; the next one of its report gets the next number.
void RowChunks::flush(Chunk &c)
{
    if (c.rows == 0)
        return;
    ChunkRow next;
    next.report = c.row.report;
    next.number = c.row.number + 1;
    std::swap(next, c.row);
    c.rows = 0;
    sink_(std::move(next));
}

// A row per problem of an invalid record (the Errors reports carry no names).
void RowChunks::errors(const char *report, const CsvRecord &rec, const ValidatedRecord &vr, const KeyColumns &kc)
{
    for (const Problem &pr : vr.problems) {
        Row r;
        r.report = report;
        r.line = rec.line;
        r.position = pr.column + 1;
        r.ssid = field(rec, kc.ssid);
        r.student_id = field(rec, kc.report_id);
        r.has_student_id = true;
        r.field = pr.field;
        r.value = pr.value;
        r.problem = pr.problem;
        r.has_field = true;
        add(r);
    }
}

} // namespace casemis::report
