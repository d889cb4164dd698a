// run_history.cpp -- see run_history.hpp.
#include "apply/run_history.hpp"

#include <cstdio>

extern "C" {
#include "postgres.h"

#include "utils/datetime.h"
}

namespace casemis::apply {

namespace {

// As date_out prints it in ISO DateStyle (what the worker runs with), which
// date_in reads back: YYYY-MM-DD, " BC" for years before 1, or +-infinity.
std::string date_text(int32_t days)
{
    if (days == INT32_MAX)
        return "infinity";
    if (days == INT32_MIN)
        return "-infinity";
    int y, m, d;
    j2date(days + POSTGRES_EPOCH_JDATE, &y, &m, &d);
    char buf[32];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d%s", y > 0 ? y : 1 - y, m, d, y > 0 ? "" : " BC");
    return buf;
}

} // namespace

uint64_t save_cse_before_images(pg::Spi &spi, int64_t run_id, const std::string &changed_rel)
{
    return spi.exec("INSERT INTO casemis.run_history_cse (run_id, before) SELECT $1::bigint, c FROM casemis.cse c "
                    "WHERE c.student_id IN (SELECT s.student_id FROM " + changed_rel + " s)",
                    {std::to_string(run_id)});
}

bool CseStamp::operator<(const CseStamp &o) const
{
    if (date_null != o.date_null)
        return date_null;
    if (!date_null && date != o.date)
        return date < o.date;
    if (run_null != o.run_null)
        return run_null;
    return !run_null && run_id < o.run_id;
}

CseStampHistory::CseStampHistory(int64_t run_id)
    : copy_("casemis.run_history_cse_stamp", {"run_id", "last_updated", "last_run_id", "student_ids"}),
      run_id_(std::to_string(run_id))
{
}

void CseStampHistory::add(const CseStamp &stamp, int64_t student_id)
{
    if (n_ > 0 && (n_ == kMaxIds || !(stamp == stamp_)))
        end_row();
    if (n_ == 0) {
        stamp_ = stamp;
        ids_ = "{";
    } else {
        ids_ += ',';
    }
    ids_ += std::to_string(student_id);
    ++n_;
}

void CseStampHistory::end_row()
{
    ids_ += '}';
    copy_.add(run_id_);
    stamp_.date_null ? copy_.add_null() : copy_.add(date_text(stamp_.date));
    stamp_.run_null ? copy_.add_null() : copy_.add(std::to_string(stamp_.run_id));
    copy_.add(ids_);
    copy_.end_row();
    n_ = 0;
}

uint64_t CseStampHistory::finish()
{
    if (n_ > 0)
        end_row();
    return copy_.finish();
}

uint64_t save_csv_before_images(pg::Spi &spi, int64_t run_id, int school_year, const std::string &students_rel)
{
    return spi.exec("INSERT INTO casemis.run_history_csv (run_id, before) SELECT $1::bigint, c FROM casemis.csv c "
                    "WHERE c.school_year = $2::int AND c.student_id IN (SELECT s.student_id FROM " + students_rel +
                        " s)",
                    {std::to_string(run_id), std::to_string(school_year)});
}

} // namespace casemis::apply
