// report_files.hpp -- a run's reports as files: the CSV texts (report_csv) and
// the workbook made of them, for the email and for casemis.report_xlsx().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pg/spi.hpp"

namespace casemis::notify {

struct ReportFile {
    std::string name; // "CASEMIS_TypeA_Errors.csv"
    std::string csv;  // casemis.report_csv(run, name)
    bool has_rows = false;
};

// The reports of a run in report order: every report with rows, plus the
// Imported ones when asked for (a run that processed its files attaches them
// even when empty).
std::vector<ReportFile> run_reports(pg::Spi &spi, int64_t run_id, bool imported_a,
                                    bool imported_b);

// "CASEMIS_Reports_<run_id>.xlsx"
std::string workbook_name(int64_t run_id);

// The workbook of the reports that have rows (notify/xlsx_workbook.hpp), dated
// by the run's start so that it is the same file each time it is made.
std::string run_workbook(pg::Spi &spi, int64_t run_id, const std::vector<ReportFile> &reports);

} // namespace casemis::notify
