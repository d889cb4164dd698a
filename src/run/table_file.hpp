// table_file.hpp -- one pass over a spooled table file: CSV records as UTF-8,
// whatever the file's encoding (Windows-1252 goes through PostgreSQL's
// converter, hence here and not in format/).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/csv_reader.hpp"
#include "source/spool.hpp"

namespace casemis::run {

class TableFile {
  public:
    // Opens the spool copy and reads the header row. `what` ("Table A") names
    // the file in RunFailure messages: no header row, a malformed one.
    TableFile(const source::FileInfo &f, const format::CsvLimits &limits, const char *what);
    ~TableFile();
    TableFile(const TableFile &) = delete;
    TableFile &operator=(const TableFile &) = delete;

    const std::vector<std::string_view> &header() const { return header_; }

    // Next record, false at the end; a limit passed is a RunFailure with the line.
    bool next(format::CsvRecord &rec);

  private:
    void convert(format::CsvRecord &rec);
    const source::FileInfo &info_;
    const char *what_;
    int fd_ = -1;
    bool cp1252_ = false;
    std::unique_ptr<format::FdSource> src_;
    std::unique_ptr<format::CsvReader> reader_;
    std::vector<std::string> conv_, header_store_;
    std::vector<std::string_view> header_;
};

} // namespace casemis::run
