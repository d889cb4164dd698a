// report_files.cpp -- a run's report CSV texts and the workbook made of them.
#include "pg/spi.hpp"
#include "notify/report_files.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "notify/xlsx_workbook.hpp"

extern "C" {
#include "catalog/pg_tablespace_d.h"
#include "storage/fd.h"
}

namespace casemis::notify {
namespace {

const char *kReportsSql = R"SQL(
SELECT k.report, casemis.report_csv($1::bigint, k.report),
       EXISTS (SELECT 1 FROM casemis.import_report ir
                WHERE ir.run_id = $1::bigint AND ir.report = k.report)
  FROM casemis.report_kind k
 ORDER BY k.ordinal)SQL";

// The default tablespace's temporary-files directory (created on demand, as
// PostgreSQL does): private to the server, and emptied at its start, so a
// workbook left by a killed backend does not stay.
std::string temp_parent()
{
    char path[MAXPGPATH];
    pg_guard([&] { TempTablespacePath(path, DEFAULTTABLESPACE_OID); });
    if (::mkdir(path, S_IRWXU) != 0 && errno != EEXIST)
        throw Error(ERRCODE_IO_ERROR, std::string("could not create directory \"") + path +
                                          "\": " + strerror(errno));
    return path;
}

} // namespace

std::vector<ReportFile> run_reports(pg::Spi &spi, int64_t run_id, bool imported_a, bool imported_b)
{
    std::vector<ReportFile> out;
    for (pg::Row &r : spi.query(kReportsSql, {std::to_string(run_id)})) {
        ReportFile f{r[0].value_or(""), r[1].value_or(""), r[2] && *r[2] == "t"};
        const bool wanted = f.has_rows ||
                            (imported_a && f.name == "CASEMIS_TypeA_ImportedRecords.csv") ||
                            (imported_b && f.name == "CASEMIS_TypeB_ImportedRecords.csv");
        if (wanted)
            out.push_back(std::move(f));
    }
    return out;
}

std::string workbook_name(int64_t run_id)
{
    return "CASEMIS_Reports_" + std::to_string(run_id) + ".xlsx";
}

std::string run_workbook(pg::Spi &spi, int64_t run_id, const std::vector<ReportFile> &reports)
{
    pg::Value started = spi.scalar("SELECT extract(epoch FROM started_at)::bigint "
                                   "FROM casemis.import_run WHERE run_id = $1::bigint",
                                   {std::to_string(run_id)});
    std::vector<ReportCsv> sheets;
    for (const ReportFile &f : reports)
        if (f.has_rows)
            sheets.push_back({f.name, f.csv});
    const std::time_t created = started ? std::time_t(std::stoll(*started)) : 0;
    return reports_workbook(sheets, created, temp_parent());
}

} // namespace casemis::notify
