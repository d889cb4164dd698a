// array_text.hpp -- an element of PostgreSQL's array literal text ('{...}'),
// written without PostgreSQL (pure C++: the report rows are built off the main
// thread, run/side_thread.hpp).
#pragma once

#include <string>
#include <string_view>

namespace casemis::pg {

// An element of an array literal ('{...}' text), always double-quoted (with
// backslashes before " and backslash), so that any text, blank or "NULL"
// included, reads back as itself.
inline void append_array_element(std::string &out, std::string_view v)
{
    out += '"';
    for (char c : v) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    out += '"';
}

} // namespace casemis::pg
