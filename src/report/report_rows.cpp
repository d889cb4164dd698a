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

} // namespace

Reports::Reports(int64_t run_id)
    : run_id_(std::to_string(run_id)),
      copy_("casemis.import_report",
            {"run_id", "report", "line_number", "position", "ssid", "student_id", "first_name", "last_name",
             "birthdate", "grade", "service", "field", "value", "problem", "reason"})
{
}

void Reports::table_a(const CsvRecord &rec, const KeyColumns &kc, const ValidatedRecord &vr, Outcome outcome,
                      match::Reason reason, std::string_view student_id, std::string_view roster_grade)
{
    if (outcome == Outcome::Error)
        return errors(kReportA[3], rec, vr, kc);
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

void Reports::table_b(const CsvRecord &rec, const KeyColumns &kc, const ValidatedRecord &vr, Outcome outcome,
                      match::Reason reason, std::string_view student_id)
{
    if (outcome == Outcome::Error)
        return errors(kReportB[2], rec, vr, kc);
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

void Reports::finish()
{
    copy_.finish();
}

// Field order as in the constructor; what a row lacks is NULL.
void Reports::add(const Row &r)
{
    auto put = [this](bool has, std::string_view v) { has ? copy_.add(v) : copy_.add_null(); };
    copy_.add(run_id_);
    copy_.add(r.report);
    r.line ? copy_.add(std::to_string(r.line)) : copy_.add_null();
    r.position ? copy_.add(std::to_string(r.position)) : copy_.add_null();
    copy_.add(r.ssid);
    put(r.has_student_id, r.student_id);
    for (std::string_view v : {r.first, r.last, r.birthdate, r.grade})
        put(r.with_names, v);
    put(r.has_service, r.service);
    for (std::string_view v : {r.field, r.value, r.problem})
        put(r.has_field, v);
    put(r.has_reason, r.reason);
    copy_.end_row();
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
    return spi.exec(
        "INSERT INTO casemis.import_report (run_id, report, student_id, ssid, first_name, last_name, birthdate, grade) "
        "SELECT $1::bigint, 'CASEMIS_TypeA_NotInFile.csv', c.student_id::text, r.ssid, r.first_name, r.last_name, "
        "r.birthdate::text, r.grade FROM casemis.cse c LEFT JOIN " + roster_copy +
            " r ON r.student_id = c.student_id "
            "WHERE nullif(btrim(c.disabilit1), '') IS NOT NULL AND (c.exit_date IS NULL OR c.exit_date > $2::date) " +
            std::string(dry_run ? "AND NOT EXISTS (SELECT 1 FROM pg_temp.casemis_written w WHERE w.student_id = c.student_id)"
                                : "AND c.last_run_id IS DISTINCT FROM $1::bigint"),
        {std::to_string(run_id), run_date});
}

} // namespace casemis::report
