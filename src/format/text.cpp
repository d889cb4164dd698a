// text.cpp -- incremental UTF-8 / Windows-1252 / binary detection.
#include "format/text.hpp"

#include <cstring>
#include "pg/cpp_only_file.hpp" // last: no PostgreSQL header above

namespace casemis::format {

namespace {

// True if any byte of the 8-byte word is zero (classic bit trick).
inline bool word_has_zero(uint64_t w)
{
    return ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) != 0;
}

inline bool cp1252_undefined_byte(unsigned char c)
{
    return c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D;
}

// A sequence's second byte (a continuation byte) also carries the limits on
// overlong forms, UTF-16 surrogates and code points above U+10FFFF.
inline bool second_byte_ok(unsigned char lead, unsigned char c)
{
    switch (lead) {
    case 0xE0: return c >= 0xA0; // overlong 3-byte
    case 0xED: return c <= 0x9F; // UTF-16 surrogates
    case 0xF0: return c >= 0x90; // overlong 4-byte
    case 0xF4: return c <= 0x8F; // above U+10FFFF
    default: return true;
    }
}

// The continuation bytes a lead byte (>= 0x80) announces; -1 for a byte that
// starts no sequence: a stray continuation byte, C0/C1 (always overlong) or F5..FF.
inline int continuation_bytes(unsigned char c)
{
    if (c >= 0xC2 && c <= 0xDF)
        return 1;
    if (c >= 0xE0 && c <= 0xEF)
        return 2;
    if (c >= 0xF0 && c <= 0xF4)
        return 3;
    return -1;
}

// Past the leading 8-byte words of plain ASCII without NUL.
inline const unsigned char *skip_plain_ascii(const unsigned char *p, const unsigned char *end)
{
    while (end - p >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        if ((w & 0x8080808080808080ULL) != 0 || word_has_zero(w))
            break;
        p += 8;
    }
    return p;
}

} // namespace

// The first three bytes decide the BOM; they may arrive in several pieces.
void TextScanner::note_head(const unsigned char *p, size_t n)
{
    for (size_t i = 0; total_ + i < 3 && i < n; ++i) {
        head_[total_ + i] = p[i];
        if (total_ + i == 2)
            bom_ = head_[0] == 0xEF && head_[1] == 0xBB && head_[2] == 0xBF;
    }
}

// One byte (at stream offset off) of the UTF-8 check, while it holds.
void TextScanner::utf8_step(unsigned char c, uint64_t off)
{
    if (pending_ > 0) {
        const bool good = c >= 0x80 && c <= 0xBF && (seen_ > 0 || second_byte_ok(lead_, c));
        if (!good) {
            utf8_ok_ = false;
            bad_off_ = off - static_cast<uint64_t>(seen_) - 1; // the sequence's lead byte
            pending_ = 0;
            return;
        }
        ++seen_;
        --pending_;
        return;
    }
    if (c < 0x80)
        return;
    const int more = continuation_bytes(c);
    if (more < 0) {
        utf8_ok_ = false;
        bad_off_ = off;
        return;
    }
    pending_ = more;
    lead_ = c;
    seen_ = 0;
}

void TextScanner::feed(const char *data, size_t n)
{
    const auto *p = reinterpret_cast<const unsigned char *>(data);
    const auto *const start = p;
    const auto *end = p + n;
    note_head(p, n);
    const uint64_t base = total_; // stream offset of data[0]
    while (p < end) {
        // Fast path: eight plain ASCII bytes without NUL while no sequence is open.
        if (pending_ == 0) {
            p = skip_plain_ascii(p, end);
            if (p == end)
                break;
        }
        const unsigned char c = *p;
        const uint64_t off = base + static_cast<uint64_t>(p - start);
        ++p;
        if (c == 0) {
            nul_ = true;
        } else if (cp1252_undefined_byte(c)) {
            cp1252_bad_ = true;
        }
        if (utf8_ok_)
            utf8_step(c, off);
    }
    total_ += n;
}

void TextScanner::finish()
{
    if (utf8_ok_ && pending_ > 0) { // truncated sequence at the end
        utf8_ok_ = false;
        bad_off_ = total_ - static_cast<uint64_t>(seen_) - 1;
    }
    pending_ = 0;
}

bool has_high_bytes(std::string_view s)
{
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80)
            return true;
    return false;
}

} // namespace casemis::format
