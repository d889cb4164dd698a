// run_history.cpp -- see run_history.hpp.
#include "apply/run_history.hpp"

namespace casemis::apply {

uint64_t save_cse_before_images(pg::Spi &spi, int64_t run_id, const std::string &changed_rel,
                                const std::string &stamped_rel)
{
    const std::string id = std::to_string(run_id);
    uint64_t n = 0;
    if (!changed_rel.empty())
        n += spi.exec("INSERT INTO casemis.run_history_cse (run_id, before) SELECT $1::bigint, c FROM casemis.cse c "
                      "WHERE c.student_id IN (SELECT s.student_id FROM " + changed_rel + " s)",
                      {id});
    if (!stamped_rel.empty())
        n += spi.exec("INSERT INTO casemis.run_history_cse_stamp (run_id, last_updated, last_run_id, student_ids) "
                      "SELECT $1::bigint, c.last_updated, c.last_run_id, array_agg(c.student_id ORDER BY c.student_id) "
                      "FROM casemis.cse c WHERE c.student_id IN (SELECT s.student_id FROM " + stamped_rel + " s) "
                      "GROUP BY c.last_updated, c.last_run_id",
                      {id});
    return n;
}

uint64_t save_csv_before_images(pg::Spi &spi, int64_t run_id, int school_year, const std::string &students_rel)
{
    return spi.exec("INSERT INTO casemis.run_history_csv (run_id, before) SELECT $1::bigint, c FROM casemis.csv c "
                    "WHERE c.school_year = $2::int AND c.student_id IN (SELECT s.student_id FROM " + students_rel +
                        " s)",
                    {std::to_string(run_id), std::to_string(school_year)});
}

} // namespace casemis::apply
