// import.cpp -- the import proper, in two streaming passes over each spooled
// file: pass 1 validates and matches (memory per record: a few bytes), pass 2
// re-reads the records and hands them to the writers (apply/: cse and csv rows,
// report/: report rows, all in bulk through COPY's insert path); then NotInFile
// is one set-based statement. This file is the order of the phases, their
// counts and NOTICEs.
#include "run/import.hpp"

#include <optional>

#include "apply/cse_writer.hpp"
#include "apply/csv_writer.hpp"
#include "apply/service_digest.hpp"
#include "format/csv_reader.hpp"
#include "format/layout.hpp"
#include "format/record_columns.hpp"
#include "match/matcher.hpp"
#include "pg/text.hpp"
#include "report/report_rows.hpp"
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

// The file's header row against the layout: a fatal problem fails the run, the
// rest become warnings ("Table A: ...").
HeaderCheck checked_header(const TableFile &f, const Layout &l, const char *what, const std::string &label,
                           std::vector<std::string> &warnings)
{
    HeaderCheck hc = f.columns(l);
    if (hc.fatal())
        throw RunFailure(std::string(what) + " file " + label + ": " + hc.fatal_message(l));
    for (const auto &w : hc.warnings())
        warnings.push_back(std::string(what) + ": " + w);
    return hc;
}

// Per layout field: how many valid records had a value outside its code set.
void code_warnings(const std::vector<uint64_t> &counts, const Layout &l, const char *what,
                   std::vector<std::string> &warnings)
{
    for (size_t f = 0; f < counts.size(); ++f)
        if (counts[f])
            warnings.push_back(std::string(what) + ": " + std::to_string(counts[f]) + " record(s) with a " +
                               l.fields[f].header + " value outside the known codes");
}

// The report chunks (one compressed array per column, see bench/RESULTS.md) are
// written with lz4 rather than the default pglz: pglz was ~7% of a re-import's
// CPU, lz4 compresses several times faster. Only for the run's transaction
// (is_local), and only where the server was built with lz4; the previous value
// is returned to be put back once the reports are written.
std::optional<std::string> fast_toast_compression(pg::Spi &spi)
{
    std::optional<std::string> old;
    spi.each("SELECT current_setting('default_toast_compression') FROM pg_catalog.pg_settings "
             "WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)",
             {}, 1, [&](pg::Row &r) { old = r[0].value_or("pglz"); });
    if (old)
        spi.exec("SELECT pg_catalog.set_config('default_toast_compression', 'lz4', true)");
    return old;
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

    // ---- the roster: copied by the caller before the shared write lock (roster_copy.hpp)
    const std::string &roster_copy = in.roster_copy;
    match::Roster roster;
    const std::string name_chars = std::to_string(match::kNameChars);
    spi.each("SELECT student_id::text, btrim(ssid, E' \\t'), lower(left(btrim(last_name, E' \\t'), " + name_chars +
                 ")), lower(left(btrim(first_name, E' \\t'), " + name_chars + ")), birthdate::text, btrim(grade) FROM " +
                 roster_copy +
                 " WHERE student_id IS NOT NULL",
             {}, 20000, [&](pg::Row &r) {
                 roster.add(std::stoll(*r[0]), r[1].value_or(""),
                            r[2] && r[3] && r[4] ? match::name_key(*r[2], *r[3], *r[4]) : std::string(),
                            r[5].value_or(""));
             });
    notice("roster " + in.roster + ": " + std::to_string(roster.size()) + " students loaded in " + elapsed(t0));

    // ---- which family (CASEMIS or CALPADS) and form the files are
    const RunLayouts lay = run_layouts(spi, in.file_format, in.students, in.with_services, in.services, limits);
    const Layout &la = lay.students, &lb = lay.services;
    const bool calpads = lay.family == Family::Calpads;
    res.file_format = lay.family_name();

    // ---- pass 1, Table A: validate and match
    const Stopwatch t1;
    match::TableAMatcher amatch(roster, calpads);
    match::ServiceMatcher smatch(roster, amatch.records(), calpads);
    HeaderCheck hca;
    KeyColumns ka;
    std::vector<uint64_t> code_counts(la.fields.size(), 0);
    {
        TableFile fa(in.students, limits, la.name.c_str(), lay.students_shape);
        hca = checked_header(fa, la, la.name.c_str(), in.students.label, res.warnings);
        ka = key_columns(hca, la);
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
                std::string ssid = vr.null[ka.ssid] ? std::string() : vr.values[ka.ssid];
                std::string key;
                if (ssid.empty() && !vr.null[ka.last_name] && !vr.null[ka.first_name] && !vr.null[ka.birthdate])
                    key = match::name_key(pg::lower(match::utf8_prefix(vr.values[ka.last_name], match::kNameChars)),
                                          pg::lower(match::utf8_prefix(vr.values[ka.first_name], match::kNameChars)),
                                          vr.values[ka.birthdate]);
                amatch.add(static_cast<uint32_t>(rec.line), ssid, key,
                           match::SpedKeys{value(vr, ka.local_id), value(vr, ka.meeting_id),
                                           match::later_date(value(vr, ka.meeting_date), value(vr, ka.amendment_date))});
                for (int f : vr.code_warnings)
                    ++code_counts[f];
            }
            smatch.add_a(index, std::string(field(rec, ka.student_id)), std::string(field(rec, ka.selpa)),
                         field(rec, ka.ssid), field(rec, ka.meeting_id));
            ++index;
        }
        amatch.finish();
    }
    cnt.a_imported = amatch.count(Outcome::Imported);
    cnt.a_unmatched = amatch.count(Outcome::Unmatched);
    cnt.a_duplicates = amatch.count(Outcome::Duplicate);
    cnt.a_errors = amatch.count(Outcome::Error);
    notice(la.name + " " + in.students.label + ": " + std::to_string(amatch.records().size()) + " records read; " +
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
    KeyColumns kb;
    std::vector<uint64_t> code_counts_b(lb.fields.size(), 0);
    apply::ServiceStudents svc_students(in.with_services ? roster.size() : 0);
    std::string start_date;
    std::optional<apply::ServiceDigest> digest; // a real run writes only the students whose services changed
    if (in.with_services) {
        const Stopwatch t2;
        start_date = apply::service_start_date(spi, in.school_year);
        TableFile fb(in.services, limits, lb.name.c_str(), lay.services_shape);
        hcb = checked_header(fb, lb, lb.name.c_str(), in.services.label, res.warnings);
        kb = key_columns(hcb, lb);
        if (!in.dry_run)
            digest.emplace(hcb, lb, start_date, roster.size());
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
            auto m = smatch.match(std::string(field(rec, kb.student_id)), std::string(field(rec, kb.selpa)),
                                  std::string(field(rec, kb.ssid)), field(rec, kb.meeting_id));
            if (m.matched) {
                bres.push_back(BRec{m.roster, Reason::None});
                svc_students.add(m.roster);
                if (digest)
                    digest->add(m.roster, rec, vr);
                ++cnt.b_imported;
            } else {
                bres.push_back(BRec{-1, m.reason});
                ++cnt.b_unmatched;
            }
        }
        notice(lb.name + " " + in.services.label + ": " + std::to_string(bres.size()) + " records read; " +
               std::to_string(cnt.b_imported) + " matched, " + std::to_string(cnt.b_unmatched) + " unmatched, " +
               std::to_string(cnt.b_errors) + " errors in " + elapsed(t2));
    }
    code_warnings(code_counts, la, la.name.c_str(), res.warnings);
    code_warnings(code_counts_b, lb, lb.name.c_str(), res.warnings);
    res.a_records = amatch.records().size();
    if (in.with_services)
        res.b_records = bres.size();
    if (in.guard)
        check_record_counts(spi, *in.guard, res.a_records, res.b_records);

    // ---- pass 2, Table A: cse rows and report rows
    const Stopwatch t3;
    const std::optional<std::string> toast_compression = fast_toast_compression(spi);
    report::Reports reports(in.run_id);
    {
        apply::CseWriter cse(spi, hca, la, in.run_id, in.run_date, in.dry_run);
        TableFile fa(in.students, limits, la.name.c_str(), lay.students_shape);
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
            // SPED carries no grade: its reports show the roster's
            const std::string_view grade = calpads ? roster.grade(a.roster) : std::string_view();
            if (a.outcome != Outcome::Imported) {
                reports.table_a(rec, ka, vr, a.outcome, a.reason, {}, grade);
                continue;
            }
            const int64_t sid = roster.student_id(a.roster);
            sid_text = std::to_string(sid);
            reports.table_a(rec, ka, vr, Outcome::Imported, a.reason, sid_text, grade);
            if (a.writes_cse) // CALPADS: the student's latest record only
                cse.add(sid, sid_text, vr);
        }
        const auto n = cse.finish();
        if (in.dry_run)
            notice("dry run: cse not written; it would insert " + std::to_string(n.inserted) + " rows, update " +
                   std::to_string(n.updated) + " and leave " + std::to_string(n.unchanged) +
                   " unchanged (last_updated only) in " + elapsed(t3));
        else
            notice("cse: " + std::to_string(n.inserted) + " rows inserted, " + std::to_string(n.updated) +
                   " updated, " + std::to_string(n.unchanged) + " unchanged (last_updated only) in " + elapsed(t3));
    }

    // ---- pass 2, Table B: replace the services of the school year
    if (in.with_services) {
        const Stopwatch t4;
        size_t unchanged = 0;
        const apply::ServiceStudents replace =
            digest ? digest->changed(spi, in.school_year, roster, svc_students, unchanged) : svc_students;
        digest.reset();
        apply::CsvWriter csv(spi, hcb, lb, in.run_id, in.school_year, start_date, in.dry_run, roster, replace);
        TableFile fb(in.services, limits, lb.name.c_str(), lay.services_shape);
        CsvRecord rec;
        ValidatedRecord vr;
        std::string sid_text;
        size_t index = 0;
        uint64_t b_rows = 0;
        while (fb.next(rec)) {
            if ((index & 0x3FF) == 0)
                check_interrupts();
            const BRec b = bres[index++];
            validate_record(rec, hcb, lb, vr);
            if (b.roster < 0) { // -2 error, -1 unmatched
                reports.table_b(rec, kb, vr, b.roster == -2 ? Outcome::Error : Outcome::Unmatched, b.reason, {});
                continue;
            }
            sid_text = std::to_string(roster.student_id(b.roster));
            reports.table_b(rec, kb, vr, Outcome::Imported, b.reason, sid_text);
            if (replace.of[b.roster]) {
                csv.add(sid_text, rec, vr);
                ++b_rows;
            }
        }
        const auto n = csv.finish();
        if (in.dry_run)
            notice("dry run: csv not written; it would replace " + std::to_string(replace.count) +
                   " students' services for school year " + std::to_string(in.school_year) + " (would insert " +
                   std::to_string(b_rows) + " rows), " + std::to_string(unchanged) + " unchanged, in " +
                   elapsed(t4));
        else
            notice("csv: " + std::to_string(replace.count) + " students' services for school year " +
                   std::to_string(in.school_year) + " replaced (" + std::to_string(n.deleted) + " rows deleted, " +
                   std::to_string(n.inserted) + " inserted), " + std::to_string(unchanged) + " unchanged, in " +
                   elapsed(t4));
    }
    reports.finish();
    if (toast_compression)
        spi.exec("SELECT pg_catalog.set_config('default_toast_compression', $1, true)", {*toast_compression});

    // ---- NotInFile: special-ed students this run did not write
    const Stopwatch t5;
    cnt.a_not_in_file = report::not_in_file(spi, in.run_id, in.run_date, roster_copy, in.dry_run);
    notice("reports written; " + std::to_string(cnt.a_not_in_file) + " students not in file, in " + elapsed(t5));
    return res;
}

} // namespace casemis::run
