// report_rows.cpp -- see report_rows.hpp.
#include "report/report_rows.hpp"

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

Reports::Reports(int64_t run_id)
    : run_id_(std::to_string(run_id)),
      copy_("casemis.report_chunk",
            {"run_id", "report", "chunk", "line_number", "position", "ssid", "student_id", "first_name", "last_name",
             "birthdate", "grade", "service", "field", "value", "problem", "reason"})
{
}

void Reports::table_a(const CsvRecord &rec, const KeyColumns &kc, Outcome outcome, match::Reason reason,
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

void Reports::table_b(const CsvRecord &rec, const KeyColumns &kc, Outcome outcome, match::Reason reason,
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

void Reports::table_a_errors(const CsvRecord &rec, const KeyColumns &kc, const ValidatedRecord &vr)
{
    errors(kReportA[3], rec, vr, kc);
}

void Reports::table_b_errors(const CsvRecord &rec, const KeyColumns &kc, const ValidatedRecord &vr)
{
    errors(kReportB[2], rec, vr, kc);
}

void Reports::finish()
{
    for (auto &c : chunks_)
        flush(c.second);
    copy_.finish();
}

// A row joins its report's open chunk (columns in the order of the
// constructor's list; what a row lacks is a NULL element).
void Reports::add(const Row &r)
{
    Chunk &c = chunks_[r.report];
    c.report = r.report;
    std::string *col = c.cols;
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
    c.nonnull |= (r.line ? 1u : 0) | (r.position ? 2u : 0) | 4u | (r.has_student_id ? 8u : 0) |
                 (r.with_names ? 0xF0u : 0) | (r.has_service ? 0x100u : 0) | (r.has_field ? 0xE00u : 0) |
                 (r.has_reason ? 0x1000u : 0);
    if (++c.rows == kChunkRows)
        flush(c);
}

// One report_chunk row: a column that is NULL in every row of the chunk is a
// NULL array (the view's unnest pads it with NULLs).
void Reports::flush(Chunk &c)
{
    if (c.rows == 0)
        return;
    copy_.add(run_id_);
    copy_.add(c.report);
    copy_.add(std::to_string(c.number++));
    for (int i = 0; i < kColumns; ++i) {
        if (c.nonnull & (1u << i))
            copy_.add("{" + c.cols[i] + "}");
        else
            copy_.add_null();
        c.cols[i].clear();
    }
    copy_.end_row();
    c.rows = 0;
    c.nonnull = 0;
}

// A row per problem of an invalid record (the Errors reports carry no names).
void Reports::errors(const char *report, const CsvRecord &rec, const ValidatedRecord &vr, const KeyColumns &kc)
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

uint64_t not_in_file(pg::Spi &spi, int64_t run_id, const std::string &run_date, const std::string &roster_copy,
                     bool dry_run)
{
    // one chunk holding all of them (ordered by student_id for readability; report_csv sorts anyway)
    auto n = spi.scalar(
        "WITH n AS (SELECT c.student_id, r.ssid, r.first_name, r.last_name, r.birthdate, r.grade "
        "FROM casemis.cse c LEFT JOIN " + roster_copy +
            " r ON r.student_id = c.student_id "
            "WHERE nullif(btrim(c.disabilit1), '') IS NOT NULL AND (c.exit_date IS NULL OR c.exit_date > $2::date) " +
            std::string(dry_run ? "AND NOT EXISTS (SELECT 1 FROM pg_temp.casemis_written w WHERE w.student_id = c.student_id)"
                                : "AND c.last_run_id IS DISTINCT FROM $1::bigint") +
            "), ins AS (INSERT INTO casemis.report_chunk (run_id, report, chunk, student_id, ssid, first_name, last_name, "
            "birthdate, grade) SELECT $1::bigint, 'CASEMIS_TypeA_NotInFile.csv', 0, "
            "array_agg(student_id::text ORDER BY student_id), array_agg(ssid ORDER BY student_id), "
            "array_agg(first_name ORDER BY student_id), array_agg(last_name ORDER BY student_id), "
            "array_agg(birthdate::text ORDER BY student_id), array_agg(grade ORDER BY student_id) "
            "FROM n HAVING count(*) > 0 RETURNING cardinality(student_id) AS k) "
            "SELECT coalesce(sum(k), 0)::text FROM ins",
        {std::to_string(run_id), run_date});
    return std::stoull(n.value_or("0"));
}

} // namespace casemis::report
