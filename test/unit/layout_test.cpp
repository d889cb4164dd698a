// layout_test.cpp -- check_headers (names, aliases, keys, duplicates, empties) and
// validate_record (field count, dates, percents, code sets, order, trimming).
#include <algorithm>
#include <string>
#include <vector>

#include "format/layout.hpp"
#include "format/text.hpp"
#include "harness.hpp"
#include "layouts.hpp"

using namespace casemis::format;
using namespace testlayouts;

namespace {

using Strings = std::vector<std::string>;

bool contains(const std::string &hay, const std::string &needle)
{
    return hay.find(needle) != std::string::npos;
}

bool has(const Strings &v, const std::string &s) { return std::find(v.begin(), v.end(), s) != v.end(); }

int index_of(const Strings &v, const std::string &s)
{
    auto it = std::find(v.begin(), v.end(), s);
    return it == v.end() ? -1 : static_cast<int>(it - v.begin());
}

int field_index(const Layout &l, const std::string &header)
{
    for (size_t i = 0; i < l.fields.size(); ++i)
        if (l.fields[i].header == header)
            return static_cast<int>(i);
    return -1;
}

// A full Table A record: every value blank except the ones set.
struct RecordBuilder {
    Strings headers = table_a_headers();
    Strings values = Strings(67, "");
    void set(const std::string &h, const std::string &v) { values[static_cast<size_t>(index_of(headers, h))] = v; }
    CsvRecord record(uint64_t line = 2) const
    {
        CsvRecord r;
        r.line = line;
        r.fields.assign(values.begin(), values.end());
        return r;
    }
};

} // namespace

TEST(layout_exact_headers_resolve)
{
    const Layout l = table_a();
    const Strings h = table_a_headers();
    HeaderCheck hc = check_headers(views(h), l);
    CHECK(!hc.fatal());
    CHECK_EQ(hc.columns.size(), 67);
    CHECK(hc.warnings().empty());
    for (size_t i = 0; i < 67; ++i)
        CHECK_EQ(hc.field_column[i], static_cast<int>(i));
    CHECK_EQ(hc.column_of(l, Role::Ssid), 10);
    CHECK_EQ(hc.column_of(l, Role::Service), -1);
}

TEST(layout_case_insensitive_and_alias)
{
    const Layout l = table_a();
    Strings h = table_a_headers();
    std::reverse(h.begin(), h.end()); // order does not matter
    h[static_cast<size_t>(index_of(h, "SSID"))] = " ssid ";
    h[static_cast<size_t>(index_of(h, "STUDENT_ID"))] = "Student_Id";
    h[static_cast<size_t>(index_of(h, "BIRTHDATE"))] = "\tdob";
    HeaderCheck hc = check_headers(views(h), l);
    CHECK(!hc.fatal());
    CHECK_EQ(hc.fatal_message(l), "");
    const int ssid_col = hc.column_of(l, Role::Ssid);
    CHECK_EQ(ssid_col, 56);
    CHECK_EQ(hc.columns[static_cast<size_t>(ssid_col)].header, "ssid"); // as in the file, trimmed
    CHECK_EQ(hc.columns[static_cast<size_t>(ssid_col)].field, field_index(l, "SSID"));
    CHECK_EQ(hc.column_of(l, Role::Birthdate), index_of(h, "\tdob"));
    CHECK_EQ(hc.column_of(l, Role::StudentId), index_of(h, "Student_Id"));
    CHECK(hc.unknown_headers.empty());
    CHECK(hc.missing_fields.empty());
}

TEST(layout_unknown_header_is_a_warning)
{
    const Layout l = table_a();
    Strings h = table_a_headers();
    h.push_back("FAVORITE_COLOR");
    HeaderCheck hc = check_headers(views(h), l);
    CHECK(!hc.fatal());
    CHECK_EQ(hc.unknown_headers, (Strings{"FAVORITE_COLOR"}));
    CHECK_EQ(hc.columns[67].field, -1);
    auto w = hc.warnings();
    CHECK_EQ(w.size(), 1);
    CHECK(!w.empty() && contains(w[0], "FAVORITE_COLOR"));
}

TEST(layout_missing_non_key_is_a_warning)
{
    const Layout l = table_a();
    Strings h = table_a_headers();
    h.erase(h.begin() + index_of(h, "GENDER"));
    h.erase(h.begin() + index_of(h, "FILLER3"));
    HeaderCheck hc = check_headers(views(h), l);
    CHECK(!hc.fatal());
    CHECK_EQ(hc.missing_fields, (Strings{"GENDER", "FILLER3"}));
    CHECK_EQ(hc.field_column[static_cast<size_t>(field_index(l, "GENDER"))], -1);
    auto w = hc.warnings();
    CHECK_EQ(w.size(), 1);
    CHECK(!w.empty() && contains(w[0], "GENDER") && contains(w[0], "FILLER3"));
}

TEST(layout_missing_key_is_fatal)
{
    const Layout l = table_a();
    Strings h = table_a_headers();
    h[static_cast<size_t>(index_of(h, "SSID"))] = "SSID_NO"; // misnamed
    h.erase(h.begin() + index_of(h, "FIRST_NAME"));           // missing
    HeaderCheck hc = check_headers(views(h), l);
    CHECK(hc.fatal());
    CHECK_EQ(hc.missing_keys, (Strings{"SSID", "FIRST_NAME"}));
    CHECK(!has(hc.missing_fields, "SSID"));
    CHECK_EQ(hc.unknown_headers, (Strings{"SSID_NO"}));
    const std::string m = hc.fatal_message(l);
    CHECK(contains(m, "Table A key header(s) missing or misnamed: SSID, FIRST_NAME."));
    CHECK(contains(m, "Expected key headers: SSID, STUDENT_ID, LAST_NAME, FIRST_NAME, BIRTHDATE (or DOB)."));
    CHECK(contains(m, "Found: REPT_DATE, SELPA_CODE,"));
    CHECK(contains(m, "SSID_NO"));
}

TEST(layout_table_b_student_id_or_ssid)
{
    const Layout l = table_b();
    auto check = [&](Strings h) { return check_headers(views(h), l); };

    HeaderCheck a = check({"SSID", "SERVICE", "PROVIDER"});
    CHECK(!a.fatal());
    CHECK(has(a.missing_fields, "STUDENT_ID")); // a warning only
    CHECK(!has(a.missing_fields, "SERVICE"));

    HeaderCheck b = check({"student_id", "Serv_Code"}); // alias of SERVICE
    CHECK(!b.fatal());
    CHECK_EQ(b.column_of(l, Role::Service), 1);
    CHECK(has(b.missing_fields, "SSID"));

    HeaderCheck c = check({"SERVICE", "PROVIDER"});
    CHECK(c.fatal());
    CHECK_EQ(c.missing_keys, (Strings{"STUDENT_ID or SSID"}));
    CHECK(!has(c.missing_fields, "SSID") && !has(c.missing_fields, "STUDENT_ID"));
    const std::string m = c.fatal_message(l);
    CHECK(contains(m, "Table B key header(s) missing or misnamed: STUDENT_ID or SSID."));
    CHECK(contains(m, "SERVICE (or SERV_CODE, SERVICE_CODE)"));
    CHECK(contains(m, "Found: SERVICE, PROVIDER."));

    HeaderCheck d = check({"SSID", "PROVIDER"});
    CHECK(d.fatal());
    CHECK_EQ(d.missing_keys, (Strings{"SERVICE"}));

    HeaderCheck e = check({"PROVIDER"});
    CHECK_EQ(e.missing_keys, (Strings{"STUDENT_ID or SSID", "SERVICE"}));
}

TEST(layout_duplicate_headers_are_fatal)
{
    const Layout l = table_a();
    Strings h = table_a_headers();
    h.push_back("ssid");
    HeaderCheck hc = check_headers(views(h), l);
    CHECK(hc.fatal());
    CHECK_EQ(hc.duplicate_headers, (Strings{"SSID"}));
    CHECK_EQ(hc.column_of(l, Role::Ssid), 10); // the first one
    CHECK(contains(hc.fatal_message(l), "Duplicate header(s): SSID (columns 11 and 68)."));

    // Two names of one field.
    const Layout b = table_b();
    Strings hb = {"SSID", "SERVICE", "SERV_CODE"};
    HeaderCheck hcb = check_headers(views(hb), b);
    CHECK(hcb.fatal());
    CHECK_EQ(hcb.duplicate_headers, (Strings{"SERVICE"}));
    CHECK(contains(hcb.fatal_message(b), "SERVICE (columns 2 and 3)"));

    // The same unknown header twice (and three times: listed once).
    Strings hu = {"SSID", "SERVICE", "NOTE", "note ", "Note"};
    HeaderCheck hcu = check_headers(views(hu), b);
    CHECK(hcu.fatal());
    CHECK_EQ(hcu.duplicate_headers, (Strings{"NOTE"}));
    CHECK_EQ(hcu.unknown_headers, (Strings{"NOTE"}));
    CHECK(contains(hcu.fatal_message(b), "NOTE (columns 3, 4 and 5)"));
}

TEST(layout_empty_header_is_fatal)
{
    const Layout l = table_b();
    Strings h = {"SSID", "", "SERVICE", "  "};
    HeaderCheck hc = check_headers(views(h), l);
    CHECK(hc.fatal());
    CHECK_EQ(hc.empty_headers, (Strings{"column 2", "column 4"}));
    CHECK(hc.missing_keys.empty());
    const std::string m = hc.fatal_message(l);
    CHECK(contains(m, "column 2 has no header"));
    CHECK(contains(m, "column 4 has no header"));
}

TEST(validate_wrong_field_count)
{
    const Layout l = table_a();
    const Strings h = table_a_headers();
    HeaderCheck hc = check_headers(views(h), l);
    RecordBuilder rb;
    rb.set("BIRTHDATE", "not a date"); // not checked when the count is wrong
    CsvRecord rec = rb.record();
    rec.fields.pop_back();
    ValidatedRecord out;
    validate_record(rec, hc, l, out);
    CHECK(!out.ok());
    CHECK_EQ(out.problems.size(), 1);
    if (out.problems.size() == 1) {
        CHECK_EQ(out.problems[0].column, -1);
        CHECK_EQ(out.problems[0].field, "");
        CHECK_EQ(out.problems[0].value, "");
        CHECK_EQ(out.problems[0].problem, "expected 67 fields, found 66");
    }
    rec.fields.push_back("x");
    rec.fields.push_back("y");
    validate_record(rec, hc, l, out);
    CHECK_EQ(out.problems.size(), 1);
    CHECK(!out.problems.empty() && out.problems[0].problem == "expected 67 fields, found 68");
}

TEST(validate_record_quote_problem_is_whole_record)
{
    const Layout l = table_a();
    const Strings h = table_a_headers();
    HeaderCheck hc = check_headers(views(h), l);
    RecordBuilder rb;
    rb.set("BIRTHDATE", "99/99/9999");
    CsvRecord rec = rb.record();
    rec.problem = "stray quote in unquoted field";
    ValidatedRecord out;
    validate_record(rec, hc, l, out);
    CHECK_EQ(out.problems.size(), 1);
    CHECK(!out.problems.empty() && out.problems[0].column == -1 &&
          out.problems[0].problem == "stray quote in unquoted field");
}

TEST(validate_dates)
{
    const Layout l = table_a();
    Strings h = table_a_headers();
    h[12] = " Birthdate "; // the file's spelling is reported, trimmed
    HeaderCheck hc = check_headers(views(h), l);
    RecordBuilder rb;
    rb.set("BIRTHDATE", " 02/30/2016 ");
    rb.set("REPT_DATE", "20161201");
    rb.set("ENTRY_DATE", "3/5/2010");
    rb.set("LAST_IEP", "2016-11-30");
    rb.set("EXIT_DATE", "");
    ValidatedRecord out;
    validate_record(rb.record(), hc, l, out);
    CHECK_EQ(out.problems.size(), 1);
    if (out.problems.size() == 1) {
        CHECK_EQ(out.problems[0].column, 12);
        CHECK_EQ(out.problems[0].field, "Birthdate");
        CHECK_EQ(out.problems[0].value, "02/30/2016");
        CHECK_EQ(out.problems[0].problem, "impossible date");
    }
    CHECK_EQ(out.values[0], "2016-12-01");
    CHECK_EQ(out.values[34], "2010-03-05");
    CHECK_EQ(out.values[35], "2016-11-30");
    CHECK(out.null[63]);
    CHECK(!out.null[0]);

    rb.set("BIRTHDATE", "1/1/16");
    validate_record(rb.record(), hc, l, out);
    CHECK(!out.problems.empty() && contains(out.problems[0].problem, "unreadable date"));
    rb.set("BIRTHDATE", "01/01/1850");
    validate_record(rb.record(), hc, l, out);
    CHECK(!out.problems.empty() && out.problems[0].problem == "date out of range (1900-2099)");
    rb.set("BIRTHDATE", "20100615");
    validate_record(rb.record(), hc, l, out);
    CHECK(out.ok()); // `out` is reused: earlier problems are gone
    CHECK_EQ(out.values[12], "2010-06-15");
}

TEST(validate_percent)
{
    const Layout l = table_a();
    const Strings h = table_a_headers();
    HeaderCheck hc = check_headers(views(h), l);
    const size_t col = static_cast<size_t>(index_of(h, "IN_REGCLS"));
    struct Case {
        const char *in;
        const char *value; // nullptr = a problem
        bool null;
    };
    for (Case c : {Case{"0", "0", false}, Case{"100", "100", false}, Case{"007", "7", false},
                   Case{" 55 ", "55", false}, Case{"000", "0", false}, Case{"0100", "100", false},
                   Case{"", "", true}, Case{"  ", "", true}, Case{"101", nullptr, false},
                   Case{"-1", nullptr, false}, Case{"5.5", nullptr, false},
                   Case{"+5", nullptr, false}, Case{"1e2", nullptr, false},
                   Case{"99999999999999999999", nullptr, false}, Case{"50%", nullptr, false}}) {
        RecordBuilder rb;
        rb.set("IN_REGCLS", c.in);
        ValidatedRecord out;
        validate_record(rb.record(), hc, l, out);
        if (c.value) {
            CHECK_EQ(std::string(c.in) + ": " + (out.ok() ? "ok" : "problem"), std::string(c.in) + ": ok");
            CHECK_EQ(out.values[col], c.value);
            CHECK_EQ(out.null[col], c.null);
        } else {
            CHECK_EQ(out.problems.size(), 1);
            if (!out.problems.empty()) {
                CHECK_EQ(out.problems[0].problem, "not a whole percent from 0 to 100");
                CHECK_EQ(out.problems[0].column, static_cast<int>(col));
                CHECK_EQ(out.problems[0].field, "IN_REGCLS");
                CHECK_EQ(out.problems[0].value, std::string(trim(c.in)));
            }
        }
    }
}

TEST(validate_code_sets_are_warnings)
{
    const Layout l = table_a();
    const Strings h = table_a_headers();
    HeaderCheck hc = check_headers(views(h), l);
    RecordBuilder rb;
    rb.set("PLAN_TYPE", " 99 ");
    rb.set("DISABILIT1", "210");
    rb.set("DISABILIT2", "999");
    ValidatedRecord out;
    validate_record(rb.record(), hc, l, out);
    CHECK(out.ok());
    CHECK_EQ(out.code_warnings, (std::vector<int>{field_index(l, "PLAN_TYPE"), field_index(l, "DISABILIT2")}));
    CHECK_EQ(out.values[static_cast<size_t>(index_of(h, "PLAN_TYPE"))], "99");
    rb.set("PLAN_TYPE", "10");
    rb.set("DISABILIT2", ""); // blank is not a code
    validate_record(rb.record(), hc, l, out);
    CHECK(out.code_warnings.empty());
}

TEST(validate_problems_ordered_by_column)
{
    const Layout l = table_a();
    Strings h = table_a_headers();
    std::reverse(h.begin(), h.end()); // file order differs from layout order
    HeaderCheck hc = check_headers(views(h), l);
    RecordBuilder rb;
    rb.headers = h;
    rb.set("REPT_DATE", "garbage");
    rb.set("IN_REGCLS", "x");
    rb.set("BIRTHDATE", "13/13/2013");
    rb.set("EXIT_DATE", "2016-02-30");
    ValidatedRecord out;
    validate_record(rb.record(), hc, l, out);
    CHECK_EQ(out.problems.size(), 4);
    std::vector<int> cols;
    Strings fields;
    for (const Problem &p : out.problems)
        cols.push_back(p.column), fields.push_back(p.field);
    CHECK(std::is_sorted(cols.begin(), cols.end()));
    CHECK_EQ(fields, (Strings{"EXIT_DATE", "IN_REGCLS", "BIRTHDATE", "REPT_DATE"}));
}

TEST(validate_values_trimmed_and_nulls)
{
    const Layout l = table_a();
    Strings h = table_a_headers();
    h.push_back("EXTRA_NOTE");
    HeaderCheck hc = check_headers(views(h), l);
    RecordBuilder rb;
    rb.headers = h;
    rb.values.push_back("");
    rb.set("LAST_NAME", "  N\xfa\xf1" "ez \t");
    rb.set("FIRST_NAME", "\t");
    rb.set("GRADE", "01");
    rb.set("EXTRA_NOTE", " kept ");
    rb.set("BIRTHDATE", "02292016");
    ValidatedRecord out;
    validate_record(rb.record(), hc, l, out);
    CHECK(out.ok());
    CHECK_EQ(out.values.size(), 68);
    CHECK_EQ(out.values[7], "N\xfa\xf1" "ez"); // bytes >= 0x80 untouched
    CHECK(!out.null[7]);
    CHECK(out.null[8]);
    CHECK_EQ(out.values[8], "");
    CHECK_EQ(out.values[45], "01"); // codes keep leading zeros
    CHECK_EQ(out.values[67], "kept");
    CHECK_EQ(out.values[12], "2016-02-29");
    CHECK(out.null[1]);
}

TEST(validate_unterminated_quote_named_before_field_count)
{
    // The quote swallowed the rest of the file: the count is only a consequence.
    const Layout l = table_a();
    const Strings h = table_a_headers();
    HeaderCheck hc = check_headers(views(h), l);
    CsvRecord rec;
    rec.line = 3;
    rec.fields = {"1000000002", "S-2", "Nunez,Jose,01/02/2009\r\n1000000003,S-3"};
    rec.problem = "unterminated quoted field";
    ValidatedRecord out;
    validate_record(rec, hc, l, out);
    CHECK_EQ(out.problems.size(), 1);
    CHECK(!out.problems.empty() && out.problems[0].column == -1 &&
          contains(out.problems[0].problem, "unterminated quoted field: a quote opened in this record is never closed"));
}

TEST(layout_header_lists_capped_at_100_names)
{
    // 100,000 columns must not make a message of megabytes.
    const Layout l = table_b();
    Strings h = {"SSID", "SERVICE"};
    for (int i = 0; i < 100000; ++i)
        h.push_back("C" + std::to_string(i));
    HeaderCheck hc = check_headers(views(h), l);
    CHECK(!hc.fatal());
    auto w = hc.warnings();
    CHECK(!w.empty() && contains(w[0], ", C99 and 99900 more."));
    CHECK(!w.empty() && w[0].size() < 1000);

    Strings e = {"SSID", "SERVICE"};
    for (int i = 0; i < 5000; ++i)
        e.push_back(i % 2 ? "" : "X");
    HeaderCheck he = check_headers(views(e), l);
    CHECK(he.fatal());
    const std::string m = he.fatal_message(l);
    CHECK(contains(m, "X (columns 3, 5, 7"));
    CHECK(contains(m, " and 2400 more)"));
    CHECK(contains(m, " and 2400 more."));
    CHECK(m.size() < 4000);
}
