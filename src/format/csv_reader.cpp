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

bool CsvReader::next(CsvRecord &rec)
{
    rec.fields.clear();
    rec.problem.clear();

    if (first_) {
        first_ = false;
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

    enum class St { FieldStart, Unquoted, Quoted, QuoteSeen };

    for (;;) { // one pass per physical line until a non-blank record
        size_t rs = pos_; // the record's start in buf_ (fill() moves it to 0)
        if (pos_ == end_ && !fill(rs))
            return false;
        rec.line = line_;

        // Offsets from rs: the current field's first byte, and the end of its
        // (unescaped) bytes so far. In place while w == pos_ - rs.
        size_t fb = 0, w = 0;
        St st = St::FieldStart;
        bool blank = true;  // only spaces/tabs so far, no separator, no quote
        bool ended = false; // stopped at a record terminator (else at end of input)

        // Read more while inside the record. Slack of one byte: a CR just consumed
        // may be the terminator (the exact check is at the record's end).
        auto more = [&] {
            if (pos_ - rs > limits_.max_record_bytes + 1)
                throw_too_long(limits_.max_record_bytes, rec.line);
            return fill(rs);
        };
        size_t nf = 0; // fields so far; spans_ only grows, so no reallocation once warm
        auto end_field = [&] {
            if (nf >= limits_.max_columns)
                throw_too_many(limits_.max_columns, rec.line);
            if (nf == spans_.size())
                spans_.resize(nf + 16);
            spans_[nf++] = {fb, w - fb};
        };
        // A record past both limits fails on the one it passes first, whatever
        // the block boundaries: the length is otherwise checked only on a refill
        // and at the record's end, the field count at each separator.
        auto too_long_before_comma = [&] {
            if (nf >= limits_.max_columns && pos_ - 1 - rs > limits_.max_record_bytes)
                throw_too_long(limits_.max_record_bytes, rec.line);
        };
        // Keep buf_[from, from + n) as the field's next bytes.
        auto emit = [&](size_t from, size_t n) {
            char *dst = buf_.data() + rs + w;
            if (dst != buf_.data() + from)
                std::memmove(dst, buf_.data() + from, n);
            w += n;
        };
        // Consume CR, LF or CRLF at pos_ (CRLF may straddle a refill) as one line end.
        auto end_record = [&] {
            if (pos_ - rs > limits_.max_record_bytes)
                throw_too_long(limits_.max_record_bytes, rec.line);
            const char c = buf_[pos_++];
            ++line_;
            if (c == '\r' && (pos_ < end_ || more()) && buf_[pos_] == '\n')
                ++pos_;
            ended = true;
        };

        while (!ended) {
            if (pos_ == end_ && !more())
                break;
            const char *b = buf_.data();
            switch (st) {
            case St::FieldStart:
                if (b[pos_] == '"') {
                    ++pos_;
                    blank = false;
                    st = St::Quoted;
                } else {
                    st = St::Unquoted;
                }
                fb = w = pos_ - rs;
                break;

            case St::Unquoted: {
                size_t i = pos_;
                while (i < end_ && !stop_[static_cast<unsigned char>(b[i])])
                    ++i;
                if (i > pos_) {
                    if (blank)
                        for (size_t j = pos_; j < i && blank; ++j)
                            blank = is_blank_char(b[j]);
                    emit(pos_, i - pos_);
                    pos_ = i;
                }
                if (pos_ == end_)
                    break;
                const char c = b[pos_];
                if (c == sep_) {
                    ++pos_;
                    blank = false;
                    too_long_before_comma();
                    end_field();
                    st = St::FieldStart;
                } else if (c == '"') { // kept as is; the record is flagged
                    emit(pos_, 1);
                    ++pos_;
                    blank = false;
                    if (rec.problem.empty())
                        rec.problem = "stray quote in unquoted field";
                } else {
                    end_record();
                }
                break;
            }

            case St::Quoted: {
                size_t i = pos_;
                while (i < end_ && !kStops.quoted[static_cast<unsigned char>(b[i])])
                    ++i;
                if (i > pos_) {
                    emit(pos_, i - pos_);
                    pos_ = i;
                }
                if (pos_ == end_)
                    break;
                const char c = b[pos_];
                if (c == '"') {
                    ++pos_;
                    st = St::QuoteSeen;
                } else { // a line end inside the field: kept, and counted as a line
                    emit(pos_, 1);
                    ++pos_;
                    ++line_;
                    if (c == '\r' && (pos_ < end_ || more()) && buf_[pos_] == '\n') {
                        emit(pos_, 1);
                        ++pos_;
                    }
                }
                break;
            }

            case St::QuoteSeen: {
                const char c = b[pos_];
                if (c == '"') { // "" is one quote
                    emit(pos_, 1);
                    ++pos_;
                    st = St::Quoted;
                } else if (c == sep_) {
                    ++pos_;
                    too_long_before_comma();
                    end_field();
                    st = St::FieldStart;
                } else if (c == '\r' || c == '\n') {
                    end_record();
                } else { // text after the closing quote: kept, the record is flagged
                    if (rec.problem.empty())
                        rec.problem = "text after closing quote";
                    st = St::Unquoted;
                }
                break;
            }
            }
        }

        if (blank) {
            if (ended)
                continue; // an empty or whitespace-only line: skipped, already counted
            return false; // whitespace after the last line end
        }
        if (!ended && pos_ - rs > limits_.max_record_bytes)
            throw_too_long(limits_.max_record_bytes, rec.line);
        if (st == St::FieldStart)
            fb = w = pos_ - rs; // "a," at the end of input: a last, empty field
        if (st == St::Quoted)
            rec.problem = "unterminated quoted field";
        end_field();

        rec.fields.resize(nf);
        const char *base = buf_.data() + rs;
        for (size_t k = 0; k < nf; ++k)
            rec.fields[k] = std::string_view(base + spans_[k].first, spans_[k].second);
        return true;
    }
}

} // namespace casemis::format
