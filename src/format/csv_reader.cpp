// csv_reader.cpp -- streaming RFC 4180 reader (see csv_reader.hpp for the rules).
//
// Bytes are read in 1 MiB blocks into buf_ and a record's fields are string_views
// into it: nothing is copied or allocated per field. A record that runs past the
// end of the block is moved to the front before the next read (and the block grows
// when one record fills it, up to the record limit), so positions inside a record
// are kept relative to its start. A quoted field is unescaped in place: its bytes
// only move once a "" has been seen (the unescaped text is never longer).
#include "format/csv_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unistd.h>
#include "pg/cpp_only_file.hpp" // last: no PostgreSQL header above

namespace casemis::format {

namespace {

constexpr size_t kBlock = kCsvBlockBytes;

// Bytes that end a run of plain text in a quoted field (for an unquoted one,
// the reader's own table, which holds its separator).
struct StopTables {
    bool quoted[256] = {};
    StopTables()
    {
        quoted[static_cast<unsigned char>('"')] = true;
        quoted[static_cast<unsigned char>('\r')] = true;
        quoted[static_cast<unsigned char>('\n')] = true;
    }
};
const StopTables kStops;

inline bool is_blank_char(char c) { return c == ' ' || c == '\t'; }

// Cold paths kept out of line so the per-field code stays small.
[[noreturn]] __attribute__((noinline)) void throw_too_long(size_t limit, uint64_t line)
{
    throw CsvFatal("record longer than " + std::to_string(limit) + " bytes", line);
}

[[noreturn]] __attribute__((noinline)) void throw_too_many(size_t limit, uint64_t line)
{
    throw CsvFatal("record has more than " + std::to_string(limit) + " fields", line);
}

} // namespace

size_t FdSource::read(char *buf, size_t cap)
{
    for (;;) {
        ssize_t n = ::read(fd_, buf, cap);
        if (n >= 0)
            return static_cast<size_t>(n);
        if (errno != EINTR)
            throw CsvFatal(std::string("could not read the file: ") + std::strerror(errno), 0);
    }
}

size_t MemorySource::read(char *buf, size_t cap)
{
    size_t n = data_.size() - pos_;
    if (n > cap)
        n = cap;
    if (n > 0)
        std::memcpy(buf, data_.data() + pos_, n);
    pos_ += n;
    return n;
}

CsvReader::CsvReader(ByteSource &src, CsvLimits limits) : CsvReader(src, limits, kBlock) {}

// At least 4 bytes, so the BOM check at the start always has room for 3.
CsvReader::CsvReader(ByteSource &src, CsvLimits limits, size_t block_bytes)
    : CsvReader(src, limits, block_bytes, ',')
{
}

CsvReader::CsvReader(ByteSource &src, CsvLimits limits, size_t block_bytes, char separator)
    : src_(src), limits_(limits), buf_(block_bytes < 4 ? 4 : block_bytes), sep_(separator)
{
    for (char c : {sep_, '"', '\r', '\n'})
        stop_[static_cast<unsigned char>(c)] = true;
}

bool CsvReader::fill(size_t &keep)
{
    if (eof_)
        return false;
    if (keep > 0) { // move the record in progress to the front
        if (end_ > keep)
            std::memmove(buf_.data(), buf_.data() + keep, end_ - keep);
        end_ -= keep;
        pos_ -= keep;
        keep = 0;
    }
    // One record fills the block: grow it. The caller has checked the record is at
    // most max_record_bytes + 1 bytes, so this stops at the limit plus CR LF.
    if (end_ == buf_.size())
        buf_.resize(std::max(buf_.size() + 1,
                             std::min(buf_.size() * 2, limits_.max_record_bytes + 2)));
    size_t n = src_.read(buf_.data() + end_, buf_.size() - end_);
    if (n == 0) {
        eof_ = true;
        return false;
    }
    end_ += n;
    consumed_ += n;
    return true;
}

// One physical record being read: where it starts in buf_ (fill() moves it
// to 0), its current field, and the state of the field's bytes.
struct CsvReader::Scan {
    enum class St { FieldStart, Unquoted, Quoted, QuoteSeen };
    size_t rs = 0;      // the record's start in buf_
    uint64_t line = 0;  // the line it starts on (for CsvFatal)
    // Offsets from rs: the current field's first byte, and the end of its
    // (unescaped) bytes so far. In place while w == pos_ - rs.
    size_t fb = 0, w = 0;
    size_t nf = 0;      // fields so far; spans_ only grows, so no reallocation once warm
    St st = St::FieldStart;
    bool blank = true;  // only spaces/tabs so far, no separator, no quote
    bool ended = false; // stopped at a record terminator (else at end of input)
};

bool CsvReader::next(CsvRecord &rec)
{
    rec.fields.clear();
    rec.problem.clear();
    if (first_) {
        first_ = false;
        skip_bom();
    }
    for (;;) { // one pass per physical line until a non-blank record
        size_t rs = pos_;
        if (pos_ == end_ && !fill(rs))
            return false;
        Scan s;
        s.rs = rs;
        rec.line = s.line = line_;
        scan(rec, s);
        if (s.blank) {
            if (s.ended)
                continue; // an empty or whitespace-only line: skipped, already counted
            return false; // whitespace after the last line end
        }
        finish_record(rec, s);
        return true;
    }
}

void CsvReader::skip_bom()
{
    // A source may return fewer than 3 bytes per read: gather them to see the BOM.
    while (end_ < 3 && !eof_) {
        size_t n = src_.read(buf_.data() + end_, buf_.size() - end_);
        if (n == 0)
            eof_ = true;
        end_ += n;
        consumed_ += n;
    }
    if (end_ >= 3 && buf_[0] == '\xEF' && buf_[1] == '\xBB' && buf_[2] == '\xBF')
        pos_ = 3;
}

// The record's bytes up to its terminator (or the end of input), field by field.
void CsvReader::scan(CsvRecord &rec, Scan &s)
{
    while (!s.ended) {
        if (pos_ == end_ && !more(s))
            break;
        switch (s.st) {
        case Scan::St::FieldStart:
            field_start(s);
            break;
        case Scan::St::Unquoted:
            unquoted(rec, s);
            break;
        case Scan::St::Quoted:
            quoted(s);
            break;
        case Scan::St::QuoteSeen:
            quote_seen(rec, s);
            break;
        }
    }
}

void CsvReader::field_start(Scan &s)
{
    if (buf_[pos_] == '"') {
        ++pos_;
        s.blank = false;
        s.st = Scan::St::Quoted;
    } else {
        s.st = Scan::St::Unquoted;
    }
    s.fb = s.w = pos_ - s.rs;
}

// A run of plain text, then what stopped it: the separator, a stray quote
// (kept as is; the record is flagged) or a line end.
void CsvReader::unquoted(CsvRecord &rec, Scan &s)
{
    const char *b = buf_.data();
    size_t i = pos_;
    while (i < end_ && !stop_[static_cast<unsigned char>(b[i])])
        ++i;
    if (i > pos_) {
        if (s.blank)
            for (size_t j = pos_; j < i && s.blank; ++j)
                s.blank = is_blank_char(b[j]);
        emit(s, pos_, i - pos_);
        pos_ = i;
    }
    if (pos_ == end_)
        return;
    const char c = b[pos_];
    if (c == sep_) {
        ++pos_;
        s.blank = false;
        too_long_before_sep(s);
        end_field(s);
        s.st = Scan::St::FieldStart;
    } else if (c == '"') {
        emit(s, pos_, 1);
        ++pos_;
        s.blank = false;
        if (rec.problem.empty())
            rec.problem = "stray quote in unquoted field";
    } else {
        end_record(s);
    }
}

// A run of quoted text, then the quote that may close it, or a line end inside
// the field (kept, and counted as a line).
void CsvReader::quoted(Scan &s)
{
    const char *b = buf_.data();
    size_t i = pos_;
    while (i < end_ && !kStops.quoted[static_cast<unsigned char>(b[i])])
        ++i;
    if (i > pos_) {
        emit(s, pos_, i - pos_);
        pos_ = i;
    }
    if (pos_ == end_)
        return;
    const char c = b[pos_];
    if (c == '"') {
        ++pos_;
        s.st = Scan::St::QuoteSeen;
        return;
    }
    emit(s, pos_, 1);
    ++pos_;
    ++line_;
    if (c == '\r' && (pos_ < end_ || more(s)) && buf_[pos_] == '\n') {
        emit(s, pos_, 1);
        ++pos_;
    }
}

// After a quote in a quoted field: "" is one quote; a separator or a line end
// ends the field; other text is kept and the record is flagged.
void CsvReader::quote_seen(CsvRecord &rec, Scan &s)
{
    const char c = buf_[pos_];
    if (c == '"') {
        emit(s, pos_, 1);
        ++pos_;
        s.st = Scan::St::Quoted;
    } else if (c == sep_) {
        ++pos_;
        too_long_before_sep(s);
        end_field(s);
        s.st = Scan::St::FieldStart;
    } else if (c == '\r' || c == '\n') {
        end_record(s);
    } else {
        if (rec.problem.empty())
            rec.problem = "text after closing quote";
        s.st = Scan::St::Unquoted;
    }
}

// Read more while inside the record. Slack of one byte: a CR just consumed may
// be the terminator (the exact check is at the record's end).
bool CsvReader::more(Scan &s)
{
    if (pos_ - s.rs > limits_.max_record_bytes + 1)
        throw_too_long(limits_.max_record_bytes, s.line);
    size_t rs = s.rs; // a copy: s's address stays unexposed, so its fields stay in registers
    const bool read = fill(rs);
    s.rs = rs;
    return read;
}

// Keep buf_[from, from + n) as the field's next bytes.
void CsvReader::emit(Scan &s, size_t from, size_t n)
{
    char *dst = buf_.data() + s.rs + s.w;
    if (dst != buf_.data() + from)
        std::memmove(dst, buf_.data() + from, n);
    s.w += n;
}

void CsvReader::end_field(Scan &s)
{
    if (s.nf >= limits_.max_columns)
        throw_too_many(limits_.max_columns, s.line);
    if (s.nf == spans_.size())
        spans_.resize(s.nf + 16);
    spans_[s.nf++] = {s.fb, s.w - s.fb};
}

// Consume CR, LF or CRLF at pos_ (CRLF may straddle a refill) as one line end.
void CsvReader::end_record(Scan &s)
{
    if (pos_ - s.rs > limits_.max_record_bytes)
        throw_too_long(limits_.max_record_bytes, s.line);
    const char c = buf_[pos_++];
    ++line_;
    if (c == '\r' && (pos_ < end_ || more(s)) && buf_[pos_] == '\n')
        ++pos_;
    s.ended = true;
}

// A record past both limits fails on the one it passes first, whatever the
// block boundaries: the length is otherwise checked only on a refill and at
// the record's end, the field count at each separator.
void CsvReader::too_long_before_sep(const Scan &s) const
{
    if (s.nf >= limits_.max_columns && pos_ - 1 - s.rs > limits_.max_record_bytes)
        throw_too_long(limits_.max_record_bytes, s.line);
}

// The last field, and the record's fields as views into buf_.
void CsvReader::finish_record(CsvRecord &rec, Scan &s)
{
    if (!s.ended && pos_ - s.rs > limits_.max_record_bytes)
        throw_too_long(limits_.max_record_bytes, s.line);
    if (s.st == Scan::St::FieldStart)
        s.fb = s.w = pos_ - s.rs; // "a," at the end of input: a last, empty field
    if (s.st == Scan::St::Quoted)
        rec.problem = "unterminated quoted field";
    end_field(s);
    rec.fields.resize(s.nf);
    const char *base = buf_.data() + s.rs;
    for (size_t k = 0; k < s.nf; ++k)
        rec.fields[k] = std::string_view(base + spans_[k].first, spans_[k].second);
}

} // namespace casemis::format
