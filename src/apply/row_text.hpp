// row_text.hpp -- a row's values as PostgreSQL prints them, so that rows about to
// be written can be compared with the stored ones without reading those back:
// the server hashes ROW(col, ...)::text of the stored rows, this side builds the
// same text from the file's values (see docs/benchmark.md, "write only what
// changes"). Pure C++.
#pragma once

#include <string>
#include <string_view>

namespace casemis::apply {

// ROW(...)::text (record_out): "(v1,v2,...)"; a NULL is nothing between the
// commas; a value is double-quoted when it is empty or holds a double quote,
// backslash, parenthesis, comma or white space, with " and \ doubled inside.
class RowText {
  public:
    void begin()
    {
        text_.assign(1, '(');
        first_ = true;
    }
    void add_null() { sep(); }
    void add(std::string_view v);
    const std::string &end()
    {
        text_.push_back(')');
        return text_;
    }

  private:
    void sep()
    {
        if (!first_)
            text_.push_back(',');
        first_ = false;
    }
    std::string text_;
    bool first_ = true;
};

// Appends s as jsonb's output prints a string ("...", with \" \\ \b \f \n \r \t
// and \u00XX for the other control characters); s is UTF-8 already. The one
// JSON string escaper: also the jsonb values that COPY writes (cse.extra,
// csv.record), which jsonb's input reads back as the same strings.
void append_jsonb_out_string(std::string &out, std::string_view s);

} // namespace casemis::apply
