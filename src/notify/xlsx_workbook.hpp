// xlsx_workbook.hpp -- a run's reports as one Excel workbook (libxlsxwriter).
//
// One worksheet per report given, in the order given: a bold header row that
// stays in view (frozen) with filters, column widths fitted to the content,
// and every value a text cell (format "@"), so an SSID, a grade 01 or a code
// 010 keeps its leading zeros and no date is reinterpreted.
//
// Worksheet names (docs/email.md): the report's file name without ".csv"
// (CASEMIS_TypeA_ImportedRecords); characters Excel refuses in a sheet name
// ([ ] : * ? / \) become "_", and a name is cut to Excel's 31 characters. A
// report with more rows than a worksheet holds (1,048,575 below the header)
// continues on "<name> (2)", "<name> (3)", ... (the name cut so the suffix fits).
// A value longer than a cell holds (32,767 characters) is cut to fit. An empty
// value is an empty cell.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace casemis::notify {

struct ReportCsv {
    std::string name;     // the report's file name, "CASEMIS_TypeA_Errors.csv"
    std::string_view csv; // its CSV text as report_csv() renders it, header row first
};

// The worksheet name of a report (see above); `part` > 1 for a continuation.
std::string sheet_name(const std::string &report, int part = 1);

// The .xlsx file's bytes. `created` is the document's creation time (the same
// input and time give the same bytes). The workbook is written to a private
// temporary directory (mkdtemp, mode 0700) under tmp_parent and removed on
// every path. Throws casemis::Error.
std::string reports_workbook(const std::vector<ReportCsv> &reports, std::time_t created,
                             const std::string &tmp_parent);

} // namespace casemis::notify
