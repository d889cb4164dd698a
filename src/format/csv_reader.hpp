// csv_reader.hpp -- streaming RFC 4180 reader with the line each record starts on.
// Pure C++ (no PostgreSQL). Reads a file descriptor in large blocks; memory is
// bounded by the longest record, never the file. Fields are views into the block
// (quoted fields are unescaped in place): nothing is copied per field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace casemis::format {

struct CsvLimits {
    size_t max_record_bytes = 1 << 20; // longest record (bytes, quotes included)
    size_t max_columns = 1000;         // most fields in one record
};

// A limit was passed or the input could not be read: the run fails cleanly.
struct CsvFatal : std::runtime_error {
    uint64_t line;
    CsvFatal(const std::string &what, uint64_t line_) : std::runtime_error(what), line(line_) {}
};

struct CsvRecord {
    uint64_t line = 0;                     // 1-based line on which the record starts
    std::vector<std::string_view> fields;  // unquoted, "" unescaped; valid until next()
    // A problem with the record as a whole (empty = none), e.g.
    // "unterminated quoted field" or "stray quote in unquoted field".
    std::string problem;
};

// Bytes from somewhere: returns bytes read, 0 at end; throws on error.
class ByteSource {
  public:
    virtual ~ByteSource() = default;
    virtual size_t read(char *buf, size_t cap) = 0;
};

class FdSource : public ByteSource { // a file descriptor (not owned)
  public:
    explicit FdSource(int fd) : fd_(fd) {}
    size_t read(char *buf, size_t cap) override;

  private:
    int fd_;
};

class MemorySource : public ByteSource { // for tests and the fuzzer
  public:
    explicit MemorySource(std::string_view data) : data_(data) {}
    size_t read(char *buf, size_t cap) override;

  private:
    std::string_view data_;
    size_t pos_ = 0;
};

// Rules: fields separated by ',' (or another separator byte), records by LF or CRLF (a lone CR also ends a
// record); a field that starts with '"' is quoted and may hold ',', CR, LF and
// "" (one quote); a UTF-8 BOM at the very start is skipped; lines that are
// entirely empty (or only whitespace) are skipped but still counted. A quote
// inside an unquoted field is kept as is and reported as the record's problem;
// text after a closing quote before the next ',' likewise. An unterminated
// quote swallows the rest of the file into one record with a problem.
class CsvReader {
  public:
    CsvReader(ByteSource &src, CsvLimits limits = {});
    // The same with a block size other than the default 1 MiB (at least 4 bytes):
    // tests and the fuzzer use tiny blocks so records straddle refills.
    CsvReader(ByteSource &src, CsvLimits limits, size_t block_bytes);
    // Fields separated by `separator` instead of ',' (CALPADS files: '^').
    CsvReader(ByteSource &src, CsvLimits limits, size_t block_bytes, char separator);
    // Next record; false at end of input. Throws CsvFatal past a limit.
    bool next(CsvRecord &rec);
    uint64_t bytes_read() const { return consumed_; }

  private:
    // Reads more; keeps buf_[keep, end_) (the record in progress) by moving it to the
    // front and setting keep to 0; grows buf_ when that record fills it.
    bool fill(size_t &keep);
    // The steps of next(), over one physical record (csv_reader.cpp). Inline:
    // they are the per-byte path and each has one caller; scan() is forced, so
    // that next()'s Scan stays in registers (out of line, reading was ~30% slower).
    struct Scan;
    inline void skip_bom();
    [[gnu::always_inline]] inline void scan(CsvRecord &rec, Scan &s);
    inline void field_start(Scan &s);
    inline void unquoted(CsvRecord &rec, Scan &s);
    inline void quoted(Scan &s);
    inline void quote_seen(CsvRecord &rec, Scan &s);
    inline bool more(Scan &s);
    inline void emit(Scan &s, size_t from, size_t n);
    inline void end_field(Scan &s);
    inline void end_record(Scan &s);
    inline void too_long_before_sep(const Scan &s) const;
    inline void finish_record(CsvRecord &rec, Scan &s);
    ByteSource &src_;
    CsvLimits limits_;
    std::vector<char> buf_;                  // the record's fields are views into it
    size_t pos_ = 0, end_ = 0;
    bool eof_ = false, first_ = true;
    uint64_t line_ = 1, consumed_ = 0;
    std::vector<std::pair<size_t, size_t>> spans_; // fields: offset from record start, length
    char sep_ = ',';
    bool stop_[256] = {}; // bytes that end a run of unquoted text: sep_, '"', CR, LF
};

// The default block size (1 MiB), for callers that pass a separator.
constexpr size_t kCsvBlockBytes = size_t(1) << 20;

} // namespace casemis::format
