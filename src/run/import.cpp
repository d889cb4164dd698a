// import.cpp -- the import proper, in streaming passes over each spooled file
// (memory per record: a few bytes). Pass 1 validates and matches every record
// and writes the report rows that need no later outcome: Table A's Errors and
// all of Table B's. Pass 2 re-reads Table A (its outcomes are known only once
// the whole file is matched: duplicates) for its other report rows and the cse
// rows, and re-reads Table B only when its services are written, validating
// only the records written. Everything goes in bulk through COPY's insert path
// (apply/: cse and csv rows, report/: report rows); then NotInFile is one
// set-based statement. This file is the order of the phases, their counts and
// NOTICEs: one record loop (each_record), one object or function per pass over
// a table file.
#include "run/import.hpp"

#include <functional>
#include <optional>

#include "apply/cse_writer.hpp"
#include "apply/services_writer.hpp"
#include "apply/service_digest.hpp"
#include "format/csv_reader.hpp"
#include "format/layout.hpp"
#include "format/record_columns.hpp"
#include "match/matcher.hpp"
#include "pg/text.hpp"
#include "report/report_rows.hpp"
#include "run/layout_load.hpp"
#include "run/roster_copy.hpp"
#include "run/server_settings.hpp"
#include "run/side_thread.hpp"
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

// The name rule's one home: what of a trimmed last or first name the name
// match compares, the same for the roster and the file (match::name_key).
std::string name_part(std::string_view trimmed)
{
    return pg::lower(match::utf8_prefix(trimmed, match::kNameChars));
}

// The roster's students, from the caller's copy of it (made before the shared
// write lock, roster_copy.hpp), with the keys the matchers look them up by.
match::Roster load_roster(pg::Spi &spi, const ImportInput &in)
{
    const Stopwatch t;
    match::Roster roster;
    spi.each("SELECT student_id::text, btrim(ssid, E' \\t'), btrim(last_name, E' \\t'), btrim(first_name, E' \\t'), "
             "birthdate::text, btrim(grade) FROM " + in.roster_copy + " WHERE student_id IS NOT NULL",
             {}, 20000, [&](pg::Row &r) {
                 roster.add(std::stoll(*r[0]), r[1].value_or(""),
                            r[2] && r[3] && r[4] ? match::name_key(name_part(*r[2]), name_part(*r[3]), *r[4])
                                                 : std::string(),
                            r[5].value_or(""));
             });
    roster.finish();
    notice("roster " + in.roster + ": " + std::to_string(roster.size()) + " students loaded in " + elapsed(t));
    return roster;
}

// What every pass reads: the run's files, the limits they are read with, and
// the layouts of their family (CASEMIS or CALPADS).
struct RunFiles {
    const ImportInput &in;
    const CsvLimits limits;
    const RunLayouts lay;

    bool calpads() const { return lay.family == Family::Calpads; }
    TableFile students() const
    {
        return TableFile(in.students, limits, lay.students.name.c_str(), lay.students_shape);
    }
    TableFile services() const
    {
        return TableFile(in.services, limits, lay.services.name.c_str(), lay.services_shape);
    }
};

// What a pass does every 1024 records besides its work: on the main thread the
// interrupt check (and, while the services pass runs on the side thread, the
// report chunks it has handed off); on the side thread the stop check.
using Pace = std::function<void()>;
const Pace kMainPace = [] { check_interrupts(); };

// The one record loop: every record of a pass over a file, handed to
// on_record(index, rec); the record is reused from one record to the next.
template <typename OnRecord>
size_t each_record(TableFile &file, const Pace &pace, OnRecord &&on_record)
{
    CsvRecord rec;
    size_t index = 0;
    for (; file.next(rec); ++index) {
        if ((index & 0x3FF) == 0)
            pace();
        on_record(index, rec);
    }
    return index;
}

// Pass 1's loop: each record also validated against the layout, as
// on_record(index, rec, vr) (the validation reused from record to record).
template <typename OnRecord>
size_t each_validated(TableFile &file, const HeaderCheck &hc, const Layout &l, const Pace &pace,
                      OnRecord &&on_record)
{
    ValidatedRecord vr;
    return each_record(file, pace, [&](size_t index, const CsvRecord &rec) {
        validate_record(rec, hc, l, vr);
        on_record(index, rec, vr);
    });
}

// Pass 1 over the Student Data file: every record validated and matched to
// the roster (amatch), and registered for the Services file's linkage (smatch);
// an invalid record's Errors rows are written now (pass 2 does not validate it).
struct StudentsMatch {
    match::TableAMatcher amatch;
    match::ServiceMatcher smatch; // reads amatch's records
    HeaderCheck hc;
    KeyColumns keys;
    std::vector<uint64_t> code_counts; // per layout field (code_warnings)

    StudentsMatch(const match::Roster &roster, bool calpads)
        : amatch(roster, calpads), smatch(roster, amatch.records(), calpads)
    {
    }
    void read(const RunFiles &f, report::Reports &reports, ImportResult &res);

  private:
    void add(size_t index, const CsvRecord &rec, const ValidatedRecord &vr, report::Reports &reports);
};

void StudentsMatch::read(const RunFiles &f, report::Reports &reports, ImportResult &res)
{
    const Stopwatch t;
    const Layout &l = f.lay.students;
    {
        TableFile file = f.students();
        hc = checked_header(file, l, l.name.c_str(), f.in.students.label, res.warnings);
        keys = key_columns(hc, l);
        code_counts.assign(l.fields.size(), 0);
        each_validated(file, hc, l, kMainPace, [&](size_t index, const CsvRecord &rec, const ValidatedRecord &vr) {
            add(index, rec, vr, reports);
        });
        amatch.finish();
    }
    RunCounts &cnt = res.counts;
    cnt.a_imported = amatch.count(Outcome::Imported);
    cnt.a_unmatched = amatch.count(Outcome::Unmatched);
    cnt.a_duplicates = amatch.count(Outcome::Duplicate);
    cnt.a_errors = amatch.count(Outcome::Error);
    notice(l.name + " " + f.in.students.label + ": " + std::to_string(amatch.records().size()) + " records read; " +
           std::to_string(cnt.a_imported) + " matched, " + std::to_string(cnt.a_unmatched) + " unmatched, " +
           std::to_string(cnt.a_duplicates) + " duplicates, " + std::to_string(cnt.a_errors) + " errors in " +
           elapsed(t));
}

void StudentsMatch::add(size_t index, const CsvRecord &rec, const ValidatedRecord &vr, report::Reports &reports)
{
    const KeyColumns &k = keys;
    if (!vr.ok()) {
        amatch.add_error(static_cast<uint32_t>(rec.line));
        reports.table_a_errors(rec, k, vr);
    } else {
        std::string ssid = vr.null[k.ssid] ? std::string() : vr.values[k.ssid];
        std::string key;
        if (ssid.empty() && !vr.null[k.last_name] && !vr.null[k.first_name] && !vr.null[k.birthdate])
            key = match::name_key(name_part(vr.values[k.last_name]), name_part(vr.values[k.first_name]),
                                  vr.values[k.birthdate]);
        amatch.add(static_cast<uint32_t>(rec.line), ssid, key,
                   match::SpedKeys{value(vr, k.local_id), value(vr, k.meeting_id),
                                   match::later_date(value(vr, k.meeting_date), value(vr, k.amendment_date))});
        for (int c : vr.code_warnings)
            ++code_counts[c];
    }
    smatch.add_a(index, std::string(field(rec, k.student_id)), std::string(field(rec, k.selpa)),
                 field(rec, k.ssid), field(rec, k.meeting_id));
}

// Pass 1 over the Services file: every record validated, linked to a matched
// student and given its report row; pass 2 needs 4 bytes of each. open() and
// close() run on the main thread; scan() is pure C++ and may run on the side
// thread (ServicesOnSide), reading only what Table A's pass 1 left.
struct ServicesMatch {
    std::vector<int32_t> roster_of; // per record: the matched student's roster index, or -1
    HeaderCheck hc;
    KeyColumns keys;
    std::vector<uint64_t> code_counts;      // per layout field (code_warnings)
    apply::ServiceStudents students;        // those with a matched record
    std::string start_date;                 // csv.service_start_date of the school year
    std::optional<apply::ServiceDigest> digest; // a real run writes only the students whose services changed

    explicit ServicesMatch(size_t roster_size) : students(roster_size) {}
    // The school year's start date, the header row, what is stored for the year.
    void open(pg::Spi &spi, const RunFiles &f, const match::Roster &roster, ImportResult &res);
    // Windows-1252 goes through PostgreSQL's converter: then scan() must run on the main thread.
    bool needs_server() const { return file_->converts(); }
    // Side thread or main (CONTRIBUTING, "Threads"): no PostgreSQL call here.
    void scan(const match::ServiceMatcher &smatch, const match::Roster &roster, report::RowChunks &reports,
              const Pace &pace);
    // The counts and the NOTICE (on_side: the scan ran on the side thread).
    void close(const RunFiles &f, ImportResult &res, bool on_side);

  private:
    void add(const CsvRecord &rec, const ValidatedRecord &vr, const match::ServiceMatcher &smatch,
             const match::Roster &roster, report::RowChunks &reports);
    std::optional<TableFile> file_;
    Stopwatch t_;
    uint64_t imported_ = 0, unmatched_ = 0, errors_ = 0;
    std::string sid_text_;
    const Layout *layout_ = nullptr;
};

void ServicesMatch::open(pg::Spi &spi, const RunFiles &f, const match::Roster &roster, ImportResult &res)
{
    t_ = Stopwatch();
    const Layout &l = f.lay.services;
    start_date = apply::service_start_date(spi, f.in.school_year);
    file_.emplace(f.in.services, f.limits, l.name.c_str(), f.lay.services_shape);
    hc = checked_header(*file_, l, l.name.c_str(), f.in.services.label, res.warnings);
    keys = key_columns(hc, l);
    code_counts.assign(l.fields.size(), 0);
    if (!f.in.dry_run) {
        digest.emplace(hc, l, start_date, roster.size());
        digest->prepare(spi, f.in.school_year, roster);
    }
    layout_ = &l;
}

void ServicesMatch::scan(const match::ServiceMatcher &smatch, const match::Roster &roster,
                         report::RowChunks &reports, const Pace &pace)
{
    each_validated(*file_, hc, *layout_, pace, [&](size_t, const CsvRecord &rec, const ValidatedRecord &vr) {
        add(rec, vr, smatch, roster, reports);
    });
    file_.reset();
}

void ServicesMatch::close(const RunFiles &f, ImportResult &res, bool on_side)
{
    RunCounts &cnt = res.counts;
    cnt.b_imported = imported_;
    cnt.b_unmatched = unmatched_;
    cnt.b_errors = errors_;
    notice(f.lay.services.name + " " + f.in.services.label + ": " + std::to_string(roster_of.size()) +
           " records read" + (on_side ? " on the side thread" : "") + "; " + std::to_string(imported_) +
           " matched, " + std::to_string(unmatched_) + " unmatched, " + std::to_string(errors_) + " errors in " +
           elapsed(t_));
}

void ServicesMatch::add(const CsvRecord &rec, const ValidatedRecord &vr, const match::ServiceMatcher &smatch,
                        const match::Roster &roster, report::RowChunks &reports)
{
    if (!vr.ok()) {
        roster_of.push_back(-1);
        reports.table_b_errors(rec, keys, vr);
        ++errors_;
        return;
    }
    for (int c : vr.code_warnings)
        ++code_counts[c];
    const auto m = smatch.match(std::string(field(rec, keys.student_id)), std::string(field(rec, keys.selpa)),
                                std::string(field(rec, keys.ssid)), field(rec, keys.meeting_id));
    if (!m.matched) {
        roster_of.push_back(-1);
        reports.table_b(rec, keys, Outcome::Unmatched, m.reason, {});
        ++unmatched_;
        return;
    }
    roster_of.push_back(m.roster);
    students.add(m.roster);
    if (digest)
        digest->add(m.roster, rec, vr);
    sid_text_ = std::to_string(roster.student_id(m.roster));
    reports.table_b(rec, keys, Outcome::Imported, Reason::None, sid_text_);
    ++imported_;
}

// The services pass on the side thread (run/side_thread.hpp) while the main
// thread writes cse: its report chunks are handed off (at most kHandoffBytes
// waiting, so memory stays flat in the file size) and written by the main
// thread between its records.
class ServicesOnSide {
  public:
    ServicesOnSide(ServicesMatch &m, const match::ServiceMatcher &smatch, const match::Roster &roster)
        : chunks_(kHandoffBytes),
          rows_([this](report::ChunkRow &&c) { // on the side thread, which thread_ runs by now
              const size_t bytes = c.bytes();
              if (!chunks_.push(std::move(c), bytes, thread_.stop()))
                  throw Stopped{};
          }),
          thread_([this, &m, &smatch, &roster](const SideThread::Stop &stop) {
              m.scan(smatch, roster, rows_, [&stop] { stop.check(); });
              rows_.flush_all();
          })
    {
    }
    // Main thread, between its records: the interrupt check, and writing the
    // chunks handed off so far.
    Pace main_pace(report::Reports &reports)
    {
        return [this, &reports] {
            check_interrupts();
            chunks_.drain([&](const report::ChunkRow &c) { reports.write(c); });
        };
    }
    // Main thread: waits for the pass (interruptible), writing its chunks.
    void finish(report::Reports &reports) { thread_.join(main_pace(reports)); }

  private:
    // What may wait for the main thread, which drains only between its records.
    // 48 MiB (the pass never waiting through the main thread's long statements)
    // measured no faster at 400k than 8 MiB and cost 64 MB of peak memory
    // (bench/RESULTS.md, 2026-12-03 side thread).
    static constexpr size_t kHandoffBytes = size_t(8) << 20;
    Handoff<report::ChunkRow> chunks_;
    report::RowChunks rows_;
    SideThread thread_; // last: started once the rest exists, stopped and joined first
};

// Pass 2 over the Student Data file: a report row for every valid record (the
// invalid ones had theirs in pass 1), a cse row for every matched student
// (CALPADS: from the student's latest record only). Only the records that write
// cse are validated again: a report row is made of the record's fields.
void write_students(pg::Spi &spi, const RunFiles &f, const StudentsMatch &m, const match::Roster &roster,
                    report::Reports &reports, const Pace &pace)
{
    const Stopwatch t;
    const ImportInput &in = f.in;
    const Layout &l = f.lay.students;
    const bool calpads = f.calpads();
    apply::CseWriter cse(spi, m.hc, l, in.run_id, in.run_date, in.dry_run);
    TableFile file = f.students();
    const std::vector<match::ARecord> &recs = m.amatch.records();
    std::string sid_text;
    ValidatedRecord vr;
    each_record(file, pace, [&](size_t index, const CsvRecord &rec) {
        const match::ARecord &a = recs[index];
        if (a.outcome == Outcome::Error)
            return;
        // SPED carries no grade: its reports show the roster's
        const std::string_view grade = calpads ? roster.grade(a.roster) : std::string_view();
        if (a.outcome != Outcome::Imported) {
            reports.table_a(rec, m.keys, a.outcome, a.reason, {}, grade);
            return;
        }
        const int64_t sid = roster.student_id(a.roster);
        sid_text = std::to_string(sid);
        reports.table_a(rec, m.keys, Outcome::Imported, a.reason, sid_text, grade);
        if (!a.writes_cse)
            return;
        validate_record(rec, m.hc, l, vr);
        cse.add(sid, sid_text, vr);
    });
    const auto n = cse.finish();
    if (in.dry_run)
        notice("dry run: cse not written; it would insert " + std::to_string(n.inserted) + " rows, update " +
               std::to_string(n.updated) + " and leave " + std::to_string(n.unchanged) +
               " unchanged (last_updated only) in " + elapsed(t));
    else
        notice("cse: " + std::to_string(n.inserted) + " rows inserted, " + std::to_string(n.updated) + " updated, " +
               std::to_string(n.unchanged) + " unchanged (last_updated only) in " + elapsed(t));
}

// Pass 2 over the Services file, only when services are written (not in a dry
// run, not when no student's changed): the records of the students in
// `replace`, validated again (no others are) and handed to csv. Returns their
// count, which a dry run counts without reading the file.
uint64_t write_service_rows(const RunFiles &f, const ServicesMatch &m, const match::Roster &roster,
                            const apply::ServiceStudents &replace, apply::ServicesWriter &csv)
{
    uint64_t rows = 0;
    if (f.in.dry_run || replace.count == 0) {
        for (int32_t r : m.roster_of)
            rows += r >= 0 && replace.of[r];
        return rows;
    }
    TableFile file = f.services();
    ValidatedRecord vr;
    std::string sid_text;
    each_record(file, kMainPace, [&](size_t index, const CsvRecord &rec) {
        const int32_t r = m.roster_of[index];
        if (r < 0 || !replace.of[r])
            return;
        validate_record(rec, m.hc, f.lay.services, vr);
        sid_text = std::to_string(roster.student_id(r));
        csv.add(sid_text, rec, vr);
        ++rows;
    });
    return rows;
}

// The services of the school year replaced for the students whose services
// changed (their report rows were written in pass 1).
void write_services(pg::Spi &spi, const RunFiles &f, ServicesMatch &m, const match::Roster &roster)
{
    const Stopwatch t;
    const ImportInput &in = f.in;
    const Layout &l = f.lay.services;
    size_t unchanged = 0;
    const apply::ServiceStudents replace =
        m.digest ? m.digest->changed(spi, in.school_year, roster, m.students, unchanged) : m.students;
    apply::ServicesWriter csv(spi, m.hc, l, in.run_id, in.school_year, m.start_date, in.dry_run, roster, replace);
    const uint64_t rows = write_service_rows(f, m, roster, replace, csv);
    const auto n = csv.finish();
    if (m.digest) {
        m.digest->store(spi, in.school_year, roster, replace); // for the next run
        m.digest.reset();
    }
    if (in.dry_run)
        notice("dry run: csv not written; it would replace " + std::to_string(replace.count) +
               " students' services for school year " + std::to_string(in.school_year) + " (would insert " +
               std::to_string(rows) + " rows), " + std::to_string(unchanged) + " unchanged, in " + elapsed(t));
    else
        notice("csv: " + std::to_string(replace.count) + " students' services for school year " +
               std::to_string(in.school_year) + " replaced (" + std::to_string(n.deleted) + " rows deleted, " +
               std::to_string(n.inserted) + " inserted), " + std::to_string(unchanged) + " unchanged, in " +
               elapsed(t));
}

CsvLimits limits_of(const ImportInput &in)
{
    CsvLimits limits;
    limits.max_record_bytes = in.max_line_length;
    limits.max_columns = in.max_columns;
    return limits;
}

} // namespace

ImportResult import_files(pg::Spi &spi, const ImportInput &in)
{
    ImportResult res;
    const match::Roster roster = load_roster(spi, in);
    const CsvLimits limits = limits_of(in);
    // which family (CASEMIS or CALPADS) and form the files are
    const RunFiles files{in, limits,
                         run_layouts(spi, in.file_format, in.students, in.with_services, in.services, limits)};
    res.file_format = files.lay.family_name();

    // pass 1: validate and match, and the report rows known at once; the
    // record-count guard before csv is written (when it fails, the run's
    // transaction and what it wrote are rolled back)
    const std::optional<std::string> toast_compression = fast_toast_compression(spi);
    report::Reports reports(in.run_id);
    StudentsMatch students(roster, files.calpads());
    students.read(files, reports, res);
    ServicesMatch services(in.with_services ? roster.size() : 0);
    std::optional<ServicesOnSide> side;
    if (in.with_services) {
        services.open(spi, files, roster, res);
        if (side_thread_enabled() && !services.needs_server())
            side.emplace(services, students.smatch, roster); // beside pass 2 over the Student Data file
        else
            services.scan(students.smatch, roster, reports, kMainPace);
    }
    const bool on_side = side.has_value();
    const auto end_of_pass_1 = [&] {
        if (in.with_services)
            services.close(files, res, on_side);
        code_warnings(students.code_counts, files.lay.students, files.lay.students.name.c_str(), res.warnings);
        code_warnings(services.code_counts, files.lay.services, files.lay.services.name.c_str(), res.warnings);
        res.a_records = students.amatch.records().size();
        if (in.with_services)
            res.b_records = services.roster_of.size();
        if (in.guard)
            check_record_counts(spi, *in.guard, res.a_records, res.b_records);
    };

    // pass 2: cse and Table A's other report rows; csv
    if (on_side) {
        write_students(spi, files, students, roster, reports, side->main_pace(reports));
        side->finish(reports);
        side.reset();
        end_of_pass_1();
    } else {
        end_of_pass_1();
        write_students(spi, files, students, roster, reports, kMainPace);
    }
    if (in.with_services)
        write_services(spi, files, services, roster);
    reports.finish();
    if (toast_compression)
        spi.exec("SELECT pg_catalog.set_config('default_toast_compression', $1, true)", {*toast_compression});

    // NotInFile: special-ed students this run did not write
    const Stopwatch t;
    res.counts.a_not_in_file = report::not_in_file(spi, in.run_id, in.run_date, in.roster_copy, in.dry_run);
    notice("reports written; " + std::to_string(res.counts.a_not_in_file) + " students not in file, in " +
           elapsed(t));
    return res;
}

} // namespace casemis::run
