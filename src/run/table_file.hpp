// table_file.hpp -- one pass over a spooled table file: CSV records as UTF-8,
// whatever the file's encoding (Windows-1252 goes through PostgreSQL's
// converter, hence here and not in format/).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/csv_reader.hpp"
#include "format/family.hpp"
#include "source/spool.hpp"

namespace casemis::run {

class TableFile {
  public:
    // Opens the spool copy and reads the header row. `what` ("Table A") names
    // the file in RunFailure messages: no header row, a malformed one. A
    // CALPADS file without a header row (shape.header false) has none: its
    // first record is line 1, returned by the first next().
    TableFile(const source::FileInfo &f, const format::CsvLimits &limits, const char *what,
              const format::FileShape &shape = {});
    ~TableFile();
    TableFile(const TableFile &) = delete;
    TableFile &operator=(const TableFile &) = delete;

    const std::vector<std::string_view> &header() const { return header_; }
    bool positional() const { return !shape_.header; }
    size_t first_record_fields() const { return first_fields_; } // positional: the first record's count
    // The file's columns against the layout: its header row, or by position.
    format::HeaderCheck columns(const format::Layout &layout) const;

    // Whether records go through PostgreSQL's converter (Windows-1252), which
    // only the main thread may call.
    bool converts() const { return cp1252_; }

    // Next record, false at the end; a limit passed is a RunFailure with the line.
    bool next(format::CsvRecord &rec);

  private:
    void convert(format::CsvRecord &rec);
    const source::FileInfo &info_;
    const char *what_;
    const format::FileShape shape_;
    bool pending_ = false; // positional: the first record is in pending_rec_
    size_t first_fields_ = 0;
    format::CsvRecord pending_rec_;
    int fd_ = -1;
    bool cp1252_ = false;
    std::unique_ptr<format::FdSource> src_;
    std::unique_ptr<format::CsvReader> reader_;
    std::vector<std::string> conv_, header_store_;
    std::vector<std::string_view> header_;
};

// The shape of a spooled file (its first line), given the CALPADS layout it
// would be (SPED for the Student Data file, SSRV for the Services file) and
// the CASEMIS one (Table A, B) whose key headers it may hold.
format::FileShape file_shape(const source::FileInfo &f, const format::CsvLimits &limits,
                             const format::Layout &calpads, const format::Layout *casemis = nullptr);

} // namespace casemis::run
