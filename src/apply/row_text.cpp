// pure C++ -- row_text.cpp: see row_text.hpp.
#include "apply/row_text.hpp"

#include <cstdio>
#include "pg/cpp_only_file.hpp" // last: no PostgreSQL header above

namespace casemis::apply {

namespace {

bool needs_quotes(std::string_view v)
{
    if (v.empty())
        return true;
    for (unsigned char c : v)
        if (c == '"' || c == '\\' || c == '(' || c == ')' || c == ',' || c == ' ' || (c >= '\t' && c <= '\r'))
            return true;
    return false;
}

} // namespace

void RowText::add(std::string_view v)
{
    sep();
    if (!needs_quotes(v)) {
        text_.append(v);
        return;
    }
    text_.push_back('"');
    for (char c : v) {
        if (c == '"' || c == '\\')
            text_.push_back(c);
        text_.push_back(c);
    }
    text_.push_back('"');
}

void append_jsonb_out_string(std::string &out, std::string_view s)
{
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
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
