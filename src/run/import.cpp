// import.cpp -- the import proper, in two streaming passes over each spooled
// file: pass 1 validates and matches (memory per record: a few bytes), pass 2
// re-reads the records and writes cse/csv rows and report rows in bulk (COPY's
// insert path), then NotInFile is one set-based statement.
#include "run/import.hpp"

#include <algorithm>

#include "apply/csv_writer.hpp"
#include "apply/cse_writer.hpp"
#include "format/csv_reader.hpp"
#include "format/layout.hpp"
#include "format/record_columns.hpp"
#include "format/text.hpp"
#include "match/matcher.hpp"
#include "pg/copy_in.hpp"
#include "pg/text.hpp"
#include "run/layout_load.hpp"
#include "run/roster_copy.hpp"
#include "run/stopwatch.hpp"
#include "run/table_file.hpp"
#include "run/txn.hpp"

namespace casemis::run {

namespace {

using namespace casemis::format;
using match::Outcome;
using match::Reason;

const char *const kReportA[] = {"CASEMIS_TypeA_ImportedRecords.csv", "CASEMIS_TypeA_UnmatchedRecords.csv",
                                "CASEMIS_TypeA_Duplicates.csv", "CASEMIS_TypeA_Errors.csv"};
const char *const kReportB[] = {"CASEMIS_TypeB_ImportedRecords.csv", "CASEMIS_TypeB_UnmatchedRecords.csv",
                                "CASEMIS_TypeB_Errors.csv"};

// Report rows, one COPY stream for all reports of the run.
class Reports {
  public:
    explicit Reports(int64_t run_id)
        : run_id_(std::to_string(run_id)),
          copy_("casemis.import_report",
                {"run_id", "report", "line_number", "position", "ssid", "student_id", "first_name", "last_name",
                 "birthdate", "grade", "service", "field", "value", "problem", "reason"})
    {
    }
    struct Row {
        const char *report = nullptr;
        uint64_t line = 0;
        int position = 0;
        std::string_view ssid, student_id, first, last, birthdate, grade, service, field, value, problem, reason;
        bool has_student_id = false, has_service = false, has_field = false, has_reason = false;
        bool with_names = false;
    };
    void add(const Row &r)
    {
        copy_.add(run_id_);
        copy_.add(r.report);
        if (r.line)
            copy_.add(std::to_string(r.line));
        else
            copy_.add_null();
        if (r.position)
            copy_.add(std::to_string(r.position));
        else
            copy_.add_null();
        copy_.add(r.ssid);
        r.has_student_id ? copy_.add(r.student_id) : copy_.add_null();
        if (r.with_names) {
            copy_.add(r.first);
            copy_.add(r.last);
            copy_.add(r.birthdate);
            copy_.add(r.grade);
        } else {
            for (int i = 0; i < 4; ++i)
                copy_.add_null();
        }
        r.has_service ? copy_.add(r.service) : copy_.add_null();
        if (r.has_field) {
            copy_.add(r.field);
            copy_.add(r.value);
            copy_.add(r.problem);
        } else {
            for (int i = 0; i < 3; ++i)
                copy_.add_null();
        }
        r.has_reason ? copy_.add(r.reason) : copy_.add_null();
        copy_.end_row();
    }
    void finish() { copy_.finish(); }

  private:
    std::string run_id_;
    pg::CopyIn copy_;
};

void report_errors(Reports &rep, const char *report, const CsvRecord &rec, const ValidatedRecord &vr, int c_ssid,
                   int c_sid)
{
    for (const Problem &pr : vr.problems) {
        Reports::Row r;
        r.report = report;
        r.line = rec.line;
        r.position = pr.column + 1;
        r.ssid = field(rec, c_ssid);
        r.student_id = field(rec, c_sid);
        r.has_student_id = true;
        r.field = pr.field;
        r.value = pr.value;
        r.problem = pr.problem;
        r.has_field = true;
        rep.add(r);
    }
}

} // namespace

ImportResult import_files(pg::Spi &spi, const ImportInput &in)
{
    ImportResult res;
    auto &cnt = res.counts;
    const Stopwatch t0;
    CsvLimits limits;
    limits.max_record_bytes = in.max_line_length;
    limits.max_columns = in.max_columns;

    // ---- the roster, as the calling role may see it
    auto roster_rel = spi.scalar("SELECT $1::regclass::text", {in.roster});
    auto may = spi.scalar("SELECT pg_catalog.has_table_privilege($1::oid, $2::regclass, 'SELECT')::text",
                          {std::to_string(in.role), *roster_rel});
    if (may.value_or("false") != "true") {
        auto who = spi.scalar("SELECT rolname::text FROM pg_catalog.pg_roles WHERE oid = $1::oid", {std::to_string(in.role)});
        throw RunFailure("role \"" + who.value_or("?") + "\" may not SELECT from the roster " + *roster_rel +
                         ". Hint: GRANT SELECT ON " + *roster_rel + " TO " + who.value_or("?") + ".");
    }
    // read as the caller, never as the extension's owner (see roster_copy.cpp)
    const std::string roster_copy = copy_roster_as_caller(spi, *roster_rel, in.role);
    match::Roster roster;
    spi.each("SELECT student_id::text, btrim(ssid, E' \\t'), lower(left(btrim(last_name, E' \\t'), 15)), "
             "lower(left(btrim(first_name, E' \\t'), 15)), birthdate::text FROM " + roster_copy +
                 " WHERE student_id IS NOT NULL",
             {}, 20000, [&](pg::Row &r) {
                 roster.add(std::stoll(*r[0]), r[1].value_or(""),
                            r[2] && r[3] && r[4] ? match::name_key(*r[2], *r[3], *r[4]) : std::string());
             });
    notice("roster " + *roster_rel + ": " + std::to_string(roster.size()) + " students loaded in " + elapsed(t0));

    const Layout la = load_layout(spi, 'A');
    const Layout lb = in.with_services ? load_layout(spi, 'B') : Layout{};

    // ---- pass 1, Table A: validate and match
    const Stopwatch t1;
    match::TableAMatcher amatch(roster);
    match::ServiceMatcher smatch(roster, amatch.records());
    HeaderCheck hca;
    std::vector<uint64_t> code_counts(la.fields.size(), 0);
    int ca_ssid, ca_sid, ca_selpa, ca_last, ca_first, ca_bd, ca_grade;
    {
        TableFile fa(in.students, limits, "Table A");
        hca = check_headers(fa.header(), la);
        if (hca.fatal())
            throw RunFailure("Table A file " + in.students.label + ": " + hca.fatal_message(la));
        for (const auto &w : hca.warnings())
            res.warnings.push_back("Table A: " + w);
        ca_ssid = hca.column_of(la, Role::Ssid);
        ca_sid = hca.column_of(la, Role::StudentId);
        ca_selpa = hca.column_of(la, Role::SelpaCode);
        ca_last = hca.column_of(la, Role::LastName);
        ca_first = hca.column_of(la, Role::FirstName);
        ca_bd = hca.column_of(la, Role::Birthdate);
        ca_grade = hca.column_of(la, Role::Grade);
        CsvRecord rec;
        ValidatedRecord vr;
        size_t index = 0;
        while (fa.next(rec)) {
            if ((index & 0x3FF) == 0)
                check_interrupts();
            validate_record(rec, hca, la, vr);
            if (!vr.ok()) {
                amatch.add_error(static_cast<uint32_t>(rec.line));
            } else {
                std::string ssid = vr.null[ca_ssid] ? std::string() : vr.values[ca_ssid];
                std::string key;
                if (ssid.empty() && !vr.null[ca_last] && !vr.null[ca_first] && !vr.null[ca_bd])
                    key = match::name_key(pg::lower(match::utf8_prefix(vr.values[ca_last], 15)),
                                          pg::lower(match::utf8_prefix(vr.values[ca_first], 15)), vr.values[ca_bd]);
                amatch.add(static_cast<uint32_t>(rec.line), ssid, key);
                for (int f : vr.code_warnings)
                    ++code_counts[f];
            }
            smatch.add_a(index, std::string(field(rec, ca_sid)), std::string(field(rec, ca_selpa)));
            ++index;
        }
        amatch.finish();
    }
    cnt.a_imported = amatch.count(Outcome::Imported);
    cnt.a_unmatched = amatch.count(Outcome::Unmatched);
    cnt.a_duplicates = amatch.count(Outcome::Duplicate);
    cnt.a_errors = amatch.count(Outcome::Error);
    notice("Table A " + in.students.label + ": " + std::to_string(amatch.records().size()) + " records read; " +
           std::to_string(cnt.a_imported) + " matched, " + std::to_string(cnt.a_unmatched) + " unmatched, " +
           std::to_string(cnt.a_duplicates) + " duplicates, " + std::to_string(cnt.a_errors) + " errors in " +
           elapsed(t1));

    // ---- pass 1, Table B: validate and match
    struct __attribute__((packed)) BRec { // 5 bytes: one per Table B record
        int32_t roster; // >= 0 matched; -1 unmatched; -2 error
        Reason reason;
    };
    std::vector<BRec> bres;
    HeaderCheck hcb;
    std::vector<uint64_t> code_counts_b(lb.fields.size(), 0);
    int cb_ssid = -1, cb_sid = -1, cb_selpa = -1, cb_service = -1;
    apply::ServiceStudents svc_students(in.with_services ? roster.size() : 0);
    if (in.with_services) {
        const Stopwatch t2;
        TableFile fb(in.services, limits, "Table B");
        hcb = check_headers(fb.header(), lb);
        if (hcb.fatal())
            throw RunFailure("Table B file " + in.services.label + ": " + hcb.fatal_message(lb));
        for (const auto &w : hcb.warnings())
            res.warnings.push_back("Table B: " + w);
        cb_ssid = hcb.column_of(lb, Role::Ssid);
        cb_sid = hcb.column_of(lb, Role::StudentId);
        cb_selpa = hcb.column_of(lb, Role::SelpaCode);
        cb_service = hcb.column_of(lb, Role::Service);
        CsvRecord rec;
        ValidatedRecord vr;
        while (fb.next(rec)) {
            if ((bres.size() & 0x3FF) == 0)
                check_interrupts();
            validate_record(rec, hcb, lb, vr);
            if (!vr.ok()) {
                bres.push_back(BRec{-2, Reason::None});
                ++cnt.b_errors;
                continue;
            }
            for (int f : vr.code_warnings)
                ++code_counts_b[f];
            auto m = smatch.match(std::string(field(rec, cb_sid)), std::string(field(rec, cb_selpa)),
                                  std::string(field(rec, cb_ssid)));
            if (m.matched) {
                bres.push_back(BRec{m.roster, Reason::None});
                svc_students.add(m.roster);
                ++cnt.b_imported;
            } else {
                bres.push_back(BRec{-1, m.reason});
                ++cnt.b_unmatched;
            }
        }
        notice("Table B " + in.services.label + ": " + std::to_string(bres.size()) + " records read; " +
               std::to_string(cnt.b_imported) + " matched, " + std::to_string(cnt.b_unmatched) + " unmatched, " +
               std::to_string(cnt.b_errors) + " errors in " + elapsed(t2));
    }
    for (size_t f = 0; f < code_counts.size(); ++f)
        if (code_counts[f])
            res.warnings.push_back("Table A: " + std::to_string(code_counts[f]) + " record(s) with a " +
                                   la.fields[f].header + " value outside the known codes");
    for (size_t f = 0; f < code_counts_b.size(); ++f)
        if (code_counts_b[f])
            res.warnings.push_back("Table B: " + std::to_string(code_counts_b[f]) + " record(s) with a " +
                                   lb.fields[f].header + " value outside the known codes");

    // ---- pass 2, Table A: cse rows and report rows
    const Stopwatch t3;
    const std::string run_id = std::to_string(in.run_id);
    Reports reports(in.run_id);
    {
        apply::CseWriter cse(spi, hca, la, in.run_id, in.run_date, in.dry_run);
        TableFile fa(in.students, limits, "Table A");
        CsvRecord rec;
        ValidatedRecord vr;
        const auto &recs = amatch.records();
        std::string sid_text;
        size_t index = 0;
        while (fa.next(rec)) {
            if ((index & 0x3FF) == 0)
                check_interrupts();
            const match::ARecord &a = recs[index++];
            validate_record(rec, hca, la, vr);
            Reports::Row r;
            r.line = rec.line;
            r.ssid = field(rec, ca_ssid);
            r.first = field(rec, ca_first);
            r.last = field(rec, ca_last);
            r.birthdate = field(rec, ca_bd);
            r.grade = field(rec, ca_grade);
            r.with_names = true;
            switch (a.outcome) {
            case Outcome::Error:
                report_errors(reports, kReportA[3], rec, vr, ca_ssid, ca_sid);
                continue;
            case Outcome::Unmatched:
                r.report = kReportA[1];
                r.student_id = field(rec, ca_sid);
                r.has_student_id = true;
                r.reason = match::reason_text(a.reason);
                r.has_reason = true;
                reports.add(r);
                continue;
            case Outcome::Duplicate:
                r.report = kReportA[2];
                reports.add(r);
                continue;
            case Outcome::Imported:
                break;
            }
            const int64_t sid = roster.student_id(a.roster);
            sid_text = std::to_string(sid);
            r.report = kReportA[0];
            r.student_id = sid_text;
            r.has_student_id = true;
            reports.add(r);
            cse.add(sid, sid_text, vr);
        }
        const auto n = cse.finish();
        notice(std::string(in.dry_run ? "dry run: cse not written; " : "cse: ") + std::to_string(n.inserted) +
               " rows inserted, " + std::to_string(n.updated) + " updated in " + elapsed(t3));
    }

    // ---- pass 2, Table B: replace the services of the school year
    if (in.with_services) {
        const Stopwatch t4;
        apply::CsvWriter csv(spi, hcb, lb, in.run_id, in.school_year, in.dry_run, roster, svc_students);
        TableFile fb(in.services, limits, "Table B");
        CsvRecord rec;
        ValidatedRecord vr;
        std::string sid_text;
        size_t index = 0;
        while (fb.next(rec)) {
            if ((index & 0x3FF) == 0)
                check_interrupts();
            const BRec b = bres[index++];
            validate_record(rec, hcb, lb, vr);
            Reports::Row r;
            r.line = rec.line;
            r.ssid = field(rec, cb_ssid);
            r.service = field(rec, cb_service);
            r.has_service = true;
            if (b.roster == -2) {
                report_errors(reports, kReportB[2], rec, vr, cb_ssid, cb_sid);
                continue;
            }
            if (b.roster == -1) {
                r.report = kReportB[1];
                r.student_id = field(rec, cb_sid);
                r.has_student_id = true;
                r.reason = match::reason_text(b.reason);
                r.has_reason = true;
                reports.add(r);
                continue;
            }
            sid_text = std::to_string(roster.student_id(b.roster));
            r.report = kReportB[0];
            r.student_id = sid_text;
            r.has_student_id = true;
            reports.add(r);
            csv.add(sid_text, rec, vr);
        }
        const auto n = csv.finish();
        notice(std::string(in.dry_run ? "dry run: csv not written; " : "csv: ") + std::to_string(svc_students.count) +
               " students' services for school year " + std::to_string(in.school_year) + " replaced (" +
               std::to_string(n.deleted) + " rows deleted, " + std::to_string(n.inserted) + " inserted) in " +
               elapsed(t4));
    }
    reports.finish();

    // ---- NotInFile: special-ed students this run did not write
    const Stopwatch t5;
    cnt.a_not_in_file = spi.exec(
        "INSERT INTO casemis.import_report (run_id, report, student_id, ssid, first_name, last_name, birthdate, grade) "
        "SELECT $1::bigint, 'CASEMIS_TypeA_NotInFile.csv', c.student_id::text, r.ssid, r.first_name, r.last_name, "
        "r.birthdate::text, r.grade FROM casemis.cse c LEFT JOIN " + roster_copy +
            " r ON r.student_id = c.student_id "
            "WHERE nullif(btrim(c.disabilit1), '') IS NOT NULL AND (c.exit_date IS NULL OR c.exit_date > $2::date) " +
            std::string(in.dry_run ? "AND NOT EXISTS (SELECT 1 FROM pg_temp.casemis_written w WHERE w.student_id = c.student_id)"
                        : "AND c.last_run_id IS DISTINCT FROM $1::bigint"),
        {run_id, in.run_date});
    notice("reports written; " + std::to_string(cnt.a_not_in_file) + " students not in file, in " + elapsed(t5));
    return res;
}

} // namespace casemis::run
