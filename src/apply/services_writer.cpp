// services_writer.cpp -- see services_writer.hpp.
#include "apply/services_writer.hpp"

#include <algorithm>

#include "apply/row_text.hpp"
#include "apply/run_history.hpp"
#include "apply/service_digest.hpp"
#include "format/record_columns.hpp"

namespace casemis::apply {

using namespace casemis::format;

std::string service_start_date(pg::Spi &spi, int school_year)
{
    return *spi.scalar("SELECT coalesce((SELECT first_day FROM casemis.school_calendar WHERE school_code = 0 "
                       "AND school_year = $1::int), make_date($1::int, 7, 1))::text",
                       {std::to_string(school_year)});
}

ServicesWriter::ServicesWriter(pg::Spi &spi, const HeaderCheck &hc, const Layout &layout, int64_t run_id, int school_year,
                     std::string start_date, bool dry_run, const match::Roster &roster, const ServiceStudents &students)
    : hc_(hc), tg_(targets_of(hc, layout)), run_id_(std::to_string(run_id)), year_(std::to_string(school_year)),
      dry_run_(dry_run), start_(std::move(start_date)), json_order_(jsonb_key_order(hc))
{
    std::vector<std::string> cols{"student_id", "school_year", "service_start_date"};
    for (const auto &c : tg_.cols)
        cols.push_back(c.second);
    cols.insert(cols.end(), {"record", "run_id"});
    if (!dry_run_ && students.count > 0) {
        spi.exec("CREATE TEMP TABLE casemis_service_students (student_id bigint PRIMARY KEY) ON COMMIT DROP");
        pg::CopyIn ids("pg_temp.casemis_service_students", {"student_id"});
        for (size_t s = 0; s < students.of.size(); ++s) {
            if (!students.of[s])
                continue;
            ids.add(std::to_string(roster.student_id(static_cast<int32_t>(s))));
            ids.end_row();
        }
        ids.finish();
        // what revert_run needs: the rows as they are before this DELETE
        save_csv_before_images(spi, run_id, school_year, "pg_temp.casemis_service_students");
        deleted_ = spi.exec("DELETE FROM casemis.csv c USING pg_temp.casemis_service_students t "
                            "WHERE c.school_year = $1::int AND c.student_id = t.student_id",
                            {year_});
    }
    // The record's keys in jsonb's own order (json_order_): jsonb_in sorts an
    // object's keys, and already sorted input is its fast path.
    rows_.emplace("casemis.csv", std::move(cols));
}

void ServicesWriter::add(const std::string &sid_text, const CsvRecord &rec, const ValidatedRecord &vr)
{
    if (dry_run_)
        return;
    record_ = "{";
    for (size_t c : json_order_) {
        if (record_.size() > 1)
            record_ += ',';
        append_jsonb_out_string(record_, hc_.columns[c].header);
        record_ += ':';
        append_jsonb_out_string(record_, field(rec, static_cast<int>(c)));
    }
    record_ += '}';
    pg::CopyIn &out = *rows_;
    out.add(sid_text);
    out.add(year_);
    out.add(start_);
    for (const auto &c : tg_.cols)
        add_value(out, vr, c.first);
    out.add(record_);
    out.add(run_id_);
    out.end_row();
}

ServicesWriter::Counts ServicesWriter::finish()
{
    return Counts{deleted_, rows_->finish()};
}

} // namespace casemis::apply
