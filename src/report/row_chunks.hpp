// pure C++ -- (marker read by test/unit/Makefile)
// row_chunks.hpp -- the run's report rows grouped into chunks: up to 10000 rows
// of one report per chunk, an array literal per column (casemis.report_chunk,
// read through the view casemis.import_report). Pure C++, so that a pass may
// build its rows on the side thread (run/side_thread.hpp); a finished chunk goes
// to the sink (report_rows.hpp: COPY into report_chunk).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "format/layout.hpp"
#include "format/record_columns.hpp"
#include "match/matcher.hpp"

namespace casemis::report {

// One report_chunk row (without run_id): each column's array literal without
// braces; a column whose bit in nonnull is 0 is NULL in every row (a NULL array).
struct ChunkRow {
    static constexpr int kColumns = 13; // line_number .. reason
    const char *report = nullptr;
    int number = 0; // per report, from 0
    unsigned nonnull = 0;
    std::string cols[kColumns];
    size_t bytes() const
    {
        size_t n = 0;
        for (const std::string &c : cols)
            n += c.size();
        return n;
    }
};

class RowChunks {
  public:
    using Sink = std::function<void(ChunkRow &&)>;
    explicit RowChunks(Sink sink) : sink_(std::move(sink)) {}
    virtual ~RowChunks() = default;

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
    // Hands the open chunks to the sink.
    void flush_all();

  private:
    struct Row {
        const char *report = nullptr;
        uint64_t line = 0;
        int position = 0;
        std::string_view ssid, student_id, first, last, birthdate, grade, service, field, value, problem, reason;
        bool has_student_id = false, has_service = false, has_field = false, has_reason = false;
        bool with_names = false;
    };
    static constexpr size_t kChunkRows = 10000;
    struct Chunk { // the open chunk of one report
        ChunkRow row;
        size_t rows = 0;
    };
    void add(const Row &r);
    void flush(Chunk &c);
    void errors(const char *report, const format::CsvRecord &rec, const format::ValidatedRecord &vr,
                const format::KeyColumns &kc);
    Sink sink_;
    std::map<std::string_view, Chunk> chunks_;
};

} // namespace casemis::report
