// json.hpp -- JSON string literals for the jsonb values written by COPY
// (cse.extra, csv.record).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace casemis::apply {

// Appends s as a quoted JSON string; s is UTF-8 already.
inline void append_json_string(std::string &out, std::string_view s)
{
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else
                out.push_back(static_cast<char>(c));
        }
    }
    out.push_back('"');
}

} // namespace casemis::apply
