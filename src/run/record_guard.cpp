// record_guard.cpp -- see record_guard.hpp.
#include "run/record_guard.hpp"

#include <charconv>

#include "run/import.hpp"

namespace casemis::run {

namespace {

std::string percent_text(double ratio)
{
    // 0.5 -> "50%", 0.95 -> "95%", 0.333 -> "33.3%" (the setting's value, as stored)
    char buf[32];
    snprintf(buf, sizeof buf, "%g%%", ratio * 100.0);
    return buf;
}

// The ratio as SQL text: the shortest text that reads back as the same double,
// which is the text the real column was read from (0.3 -> "0.3").
std::string ratio_text(double ratio)
{
    char buf[32];
    const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, ratio);
    return std::string(buf, r.ptr);
}

} // namespace

void check_record_counts(pg::Spi &spi, const RecordGuard &g, uint64_t students_records,
                         std::optional<uint64_t> services_records)
{
    // The comparison in numeric: a real such as 0.3 is 0.3, not 0.30000001.
    auto row = spi.query_one(
        "SELECT r.run_id::text, r.students_records::text, r.services_records::text, "
        "       ($2::bigint < $1::real::numeric * r.students_records)::text, "
        "       ($3::bigint < $1::real::numeric * r.services_records)::text "
        "  FROM casemis.import_run r WHERE r.run_id = casemis._last_successful_run($4) AND $1::real > 0",
        {ratio_text(g.min_ratio), std::to_string(students_records),
         services_records ? pg::Value(std::to_string(*services_records)) : std::nullopt, g.settings_name});
    if (!row)
        return; // the guard is off, or nothing to compare with
    const std::string &last = *(*row)[0];
    const bool short_a = (*row)[3].value_or("false") == "true";
    const bool short_b = (*row)[4].value_or("false") == "true";
    if (!short_a && !short_b)
        return;
    const std::string what = short_a ? "Student Data" : "Services";
    const std::string label = short_a ? g.students_label : g.services_label;
    const std::string have = std::to_string(short_a ? students_records : *services_records);
    const std::string had = *(*row)[short_a ? 1 : 2];
    const std::string call =
        g.upload ? "casemis.casemis_import_files(students, services, '" + g.settings_name + "', NULL, false, force => true)"
                 : "casemis.casemis_import('" + g.settings_name + "', force => true)";
    throw RunFailure(std::string(kRecordGuardPrefix) + "the " + what + " file " + label + " holds " + have +
                     " records, fewer than " + percent_text(g.min_ratio) + " (min_record_ratio) of the " + had +
                     " records the same file held in run " + last +
                     ", the last successful run of this setting; nothing was imported. A file this short is "
                     "often an export that was cut off: check the system that writes it. If the file is "
                     "complete, import it anyway with " + call + ".");
}

} // namespace casemis::run
