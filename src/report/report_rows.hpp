// report_rows.hpp -- the run's report rows: a row per record in the report of
// its outcome, stored compactly in casemis.report_chunk (up to 10000 rows of
// one report per chunk row, an array per column, compressed by TOAST; one COPY
// stream for all of the run's reports) and read through the view
// casemis.import_report; then NotInFile as one set-based statement.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "format/layout.hpp"
#include "format/record_columns.hpp"
#include "match/matcher.hpp"
#include "pg/copy_in.hpp"
#include "pg/spi.hpp"

namespace casemis::report {

class Reports {
  public:
    explicit Reports(int64_t run_id);

    // A valid Table A record (outcome Imported, Unmatched or Duplicate; its row
    // is made of the record's fields alone, so it needs no validation):
    // ImportedRecords (student_id: the matched student's), UnmatchedRecords (with
    // the reason) or Duplicates. roster_grade: Grade when the file has no grade
    // column (SPED: the matched student's grade on the roster; empty otherwise).
    void table_a(const format::CsvRecord &rec, const format::KeyColumns &kc, match::Outcome outcome,
                 match::Reason reason, std::string_view student_id, std::string_view roster_grade = {});
    // A valid Table B record likewise (Imported or Unmatched).
    void table_b(const format::CsvRecord &rec, const format::KeyColumns &kc, match::Outcome outcome,
                 match::Reason reason, std::string_view student_id);
    // An invalid Table A / Table B record: a row per problem in its Errors report.
    void table_a_errors(const format::CsvRecord &rec, const format::KeyColumns &kc,
                        const format::ValidatedRecord &vr);
    void table_b_errors(const format::CsvRecord &rec, const format::KeyColumns &kc,
                        const format::ValidatedRecord &vr);
    void finish();

  private:
    struct Row {
        const char *report = nullptr;
        uint64_t line = 0;
        int position = 0;
        std::string_view ssid, student_id, first, last, birthdate, grade, service, field, value, problem, reason;
        bool has_student_id = false, has_service = false, has_field = false, has_reason = false;
        bool with_names = false;
    };
    static constexpr int kColumns = 13; // line_number .. reason
    static constexpr size_t kChunkRows = 10000;
    // The open chunk of one report: each column's array literal, without braces.
    struct Chunk {
        const char *report = nullptr;
        std::string cols[kColumns];
        size_t rows = 0;
        unsigned nonnull = 0; // bit i: column i has a non-NULL element
        int number = 0;
    };
    void add(const Row &r);
    void flush(Chunk &c);
    void errors(const char *report, const format::CsvRecord &rec, const format::ValidatedRecord &vr,
                const format::KeyColumns &kc);
    std::string run_id_;
    pg::CopyIn copy_;
    std::map<std::string_view, Chunk> chunks_;
};

// CASEMIS_TypeA_NotInFile.csv: the special-ed students (a disability, not exited
// by run_date) whose cse row this run did not write, named from the roster copy.
// A real run knows them by cse.last_run_id; a dry run by pg_temp.casemis_written
// (apply::CseWriter). Returns the row count.
uint64_t not_in_file(pg::Spi &spi, int64_t run_id, const std::string &run_date, const std::string &roster_copy,
                     bool dry_run);

} // namespace casemis::report
