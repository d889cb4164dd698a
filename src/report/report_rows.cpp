// report_rows.cpp -- see report_rows.hpp.
#include "report/report_rows.hpp"

namespace casemis::report {

Reports::Reports(int64_t run_id)
    : RowChunks([this](ChunkRow &&c) { write(c); }), run_id_(std::to_string(run_id)),
      copy_("casemis.report_chunk",
            {"run_id", "report", "chunk", "line_number", "position", "ssid", "student_id", "first_name", "last_name",
             "birthdate", "grade", "service", "field", "value", "problem", "reason"})
{
}

// A column that is NULL in every row of the chunk is a NULL array (the view's
// unnest pads it with NULLs).
void Reports::write(const ChunkRow &c)
{
    copy_.add(run_id_);
    copy_.add(c.report);
    copy_.add(std::to_string(c.number));
    for (int i = 0; i < ChunkRow::kColumns; ++i) {
        if (c.nonnull & (1u << i))
            copy_.add("{" + c.cols[i] + "}");
        else
            copy_.add_null();
    }
    copy_.end_row();
}

void Reports::finish()
{
    flush_all();
    copy_.finish();
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
