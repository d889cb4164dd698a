// csv_reader.cpp -- streaming RFC 4180 reader (see csv_reader.hpp for the rules).
//
// Bytes are read in 1 MiB blocks into buf_; a record's unescaped field bytes are
// copied into field_store_ (reused, so no allocation per field once warm) and the
// record's fields are string_views into it. Because everything a record needs is
// copied out, the block buffer can be refilled at any byte, so records may straddle
// blocks freely.
#include "format/csv_reader.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace casemis::format {

namespace {

constexpr size_t kBlock = size_t(1) << 20;

// Bytes that end a run of plain text: in an unquoted field, and in a quoted one.
struct StopTables {
    bool unquoted[256] = {};
    bool quoted[256] = {};
    StopTables()
    {
        unquoted[static_cast<unsigned char>(',')] = true;
        unquoted[static_cast<unsigned char>('"')] = true;
        unquoted[static_cast<unsigned char>('\r')] = true;
        unquoted[static_cast<unsigned char>('\n')] = true;
        quoted[static_cast<unsigned char>('"')] = true;
        quoted[static_cast<unsigned char>('\r')] = true;
        quoted[static_cast<unsigned char>('\n')] = true;
    }
};
const StopTables kStops;

inline bool is_blank_char(char c) { return c == ' ' || c == '\t'; }

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
    : src_(src), limits_(limits), buf_(block_bytes < 4 ? 4 : block_bytes)
{
}

// Refill the block buffer. Only called once the buffer is used up (pos_ == end_).
bool CsvReader::fill()
{
    if (eof_)
        return false;
    pos_ = end_ = 0;
    size_t n = src_.read(buf_.data(), buf_.size());
    if (n == 0) {
        eof_ = true;
        return false;
    }
    end_ = n;
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
        if (pos_ == end_ && !fill())
            return false;
        field_store_.clear();
        spans_.clear();
        rec.line = line_;

        size_t rec_bytes = 0, field_begin = 0;
        St st = St::FieldStart;
        bool blank = true; // only spaces/tabs so far, no separator, no quote
        bool ended = false; // stopped at a record terminator (else at end of input)

        auto count = [&](size_t k) {
            rec_bytes += k;
            if (rec_bytes > limits_.max_record_bytes)
                throw CsvFatal("record longer than " + std::to_string(limits_.max_record_bytes) +
                                   " bytes",
                               rec.line);
        };
        auto end_field = [&] {
            if (spans_.size() >= limits_.max_columns)
                throw CsvFatal("record has more than " + std::to_string(limits_.max_columns) +
                                   " fields",
                               rec.line);
            spans_.emplace_back(field_begin, field_store_.size() - field_begin);
            field_begin = field_store_.size();
        };
        // Consume CR, LF or CRLF at pos_ (CRLF may straddle a refill) as one line end.
        auto eat_line_end = [&] {
            const char c = buf_[pos_++];
            ++line_;
            if (c == '\r' && (pos_ < end_ || fill()) && buf_[pos_] == '\n')
                ++pos_;
        };

        while (!ended) {
            if (pos_ == end_ && !fill())
                break;
            const char *b = buf_.data();
            switch (st) {
            case St::FieldStart:
                if (b[pos_] == '"') {
                    ++pos_;
                    count(1);
                    blank = false;
                    st = St::Quoted;
                } else {
                    st = St::Unquoted;
                }
                break;

            case St::Unquoted: {
                size_t i = pos_;
                while (i < end_ && !kStops.unquoted[static_cast<unsigned char>(b[i])])
                    ++i;
                if (i > pos_) {
                    if (blank)
                        for (size_t j = pos_; j < i && blank; ++j)
                            blank = is_blank_char(b[j]);
                    count(i - pos_);
                    field_store_.append(b + pos_, i - pos_);
                    pos_ = i;
                }
                if (pos_ == end_)
                    break;
                const char c = b[pos_];
                if (c == ',') {
                    ++pos_;
                    count(1);
                    blank = false;
                    end_field();
                    st = St::FieldStart;
                } else if (c == '"') { // kept as is; the record is flagged
                    ++pos_;
                    count(1);
                    blank = false;
                    field_store_.push_back('"');
                    if (rec.problem.empty())
                        rec.problem = "stray quote in unquoted field";
                } else {
                    eat_line_end();
                    ended = true;
                }
                break;
            }

            case St::Quoted: {
                size_t i = pos_;
                while (i < end_ && !kStops.quoted[static_cast<unsigned char>(b[i])])
                    ++i;
                if (i > pos_) {
                    count(i - pos_);
                    field_store_.append(b + pos_, i - pos_);
                    pos_ = i;
                }
                if (pos_ == end_)
                    break;
                const char c = b[pos_++];
                count(1);
                if (c == '"') {
                    st = St::QuoteSeen;
                } else { // a line end inside the field: kept, and counted as a line
                    field_store_.push_back(c);
                    ++line_;
                    if (c == '\r' && (pos_ < end_ || fill()) && buf_[pos_] == '\n') {
                        ++pos_;
                        count(1);
                        field_store_.push_back('\n');
                    }
                }
                break;
            }

            case St::QuoteSeen: {
                const char c = b[pos_];
                if (c == '"') { // "" is one quote
                    ++pos_;
                    count(1);
                    field_store_.push_back('"');
                    st = St::Quoted;
                } else if (c == ',') {
                    ++pos_;
                    count(1);
                    end_field();
                    st = St::FieldStart;
                } else if (c == '\r' || c == '\n') {
                    eat_line_end();
                    ended = true;
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
        if (st == St::Quoted)
            rec.problem = "unterminated quoted field";
        end_field();

        rec.fields.resize(spans_.size());
        const char *base = field_store_.data();
        for (size_t k = 0; k < spans_.size(); ++k)
            rec.fields[k] = std::string_view(base + spans_[k].first, spans_[k].second);
        return true;
    }
}

} // namespace casemis::format
