// row_text_test.cpp -- RowText prints a row as PostgreSQL's record_out does, and
// append_jsonb_out_string a string as jsonb_out does (the expected texts are
// what psql prints for the same ROW(...)::text and jsonb values).
#include <string>

#include "apply/row_text.hpp"
#include "harness.hpp"

using namespace casemis::apply;

TEST(row_text_plain_null_and_quoted_values)
{
    RowText t;
    t.begin();
    t.add("abc");
    t.add_null();
    t.add("");
    t.add("a b");
    t.add("x,y");
    t.add("say \"hi\"");
    t.add("back\\slash");
    t.add("(p)");
    t.add("tab\there");
    CHECK_EQ(t.end(), std::string("(abc,,\"\",\"a b\",\"x,y\",\"say \"\"hi\"\"\",\"back\\\\slash\",\"(p)\",\"tab\there\")"));
    t.begin();
    t.add_null();
    CHECK_EQ(t.end(), std::string("()"));
    t.begin();
    t.add("Núñez");
    t.add_null();
    CHECK_EQ(t.end(), std::string("(Núñez,)"));
}

TEST(jsonb_out_string_escapes)
{
    std::string s;
    append_jsonb_out_string(s, std::string("a\"b\\c\b\f\n\r\t\x01\x1f\x7fé", 15));
    CHECK_EQ(s, std::string("\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\x7fé\""));
}
