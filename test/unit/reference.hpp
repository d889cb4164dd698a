// reference.hpp -- independent reference models the format layer is checked
// against, shared by the unit tests and the fuzz target (test/fuzz).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace reference {

// Offset of the first invalid UTF-8 sequence, or -1. Written by code point
// value (overlongs, surrogates and > U+10FFFF rejected), not as the scanner is.
inline long bad_utf8_offset(std::string_view s)
{
    size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07;
        } else {
            return static_cast<long>(i);
        }
        for (size_t k = 1; k < len; ++k) {
            if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
                return static_cast<long>(i);
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        }
        const uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return static_cast<long>(i);
        i += len;
    }
    return -1;
}

// A CSV record as owned strings, comparable.
struct Rec {
    uint64_t line;
    std::vector<std::string> fields;
    std::string problem;
    bool operator==(const Rec &o) const { return line == o.line && fields == o.fields && problem == o.problem; }
};

} // namespace reference
