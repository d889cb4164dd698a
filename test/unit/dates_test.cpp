// dates_test.cpp -- parse_date: the accepted forms, 8-digit disambiguation, bad dates.
#include <string>

#include "format/dates.hpp"
#include "harness.hpp"

using namespace casemis::format;

namespace {

// "YYYY-MM-DD" for a good date, else the status name.
std::string parse(std::string_view s)
{
    Date d;
    switch (parse_date(s, d)) {
    case DateStatus::Ok: return d.iso();
    case DateStatus::Blank: return "blank";
    case DateStatus::Unreadable: return "unreadable";
    case DateStatus::Impossible: return "impossible";
    case DateStatus::OutOfRange: return "out of range";
    }
    return "?";
}

} // namespace

TEST(dates_accepted_forms)
{
    CHECK_EQ(parse("20160315"), "2016-03-15");   // YYYYMMDD
    CHECK_EQ(parse("03152016"), "2016-03-15");   // MMDDYYYY
    CHECK_EQ(parse("03/15/2016"), "2016-03-15"); // MM/DD/YYYY
    CHECK_EQ(parse("3/5/2016"), "2016-03-05");   // M/D/YYYY
    CHECK_EQ(parse("3/15/2016"), "2016-03-15");
    CHECK_EQ(parse("03/5/2016"), "2016-03-05");
    CHECK_EQ(parse("2016-03-15"), "2016-03-15"); // YYYY-MM-DD
    CHECK_EQ(parse("1900-01-01"), "1900-01-01");
    CHECK_EQ(parse("12/31/2099"), "2099-12-31");
}

TEST(dates_eight_digit_disambiguation)
{
    CHECK_EQ(parse("20160229"), "2016-02-29"); // starts with 20: YYYYMMDD
    CHECK_EQ(parse("02292016"), "2016-02-29"); // else MMDDYYYY
    CHECK_EQ(parse("19991231"), "1999-12-31");
    CHECK_EQ(parse("12311999"), "1999-12-31");
    CHECK_EQ(parse("01022003"), "2003-01-02");
    CHECK_EQ(parse("20011999"), "impossible"); // read as YYYYMMDD: month 19
}

TEST(dates_impossible)
{
    CHECK_EQ(parse("02/30/2016"), "impossible");
    CHECK_EQ(parse("2/29/2015"), "impossible");
    CHECK_EQ(parse("2/29/2016"), "2016-02-29");
    CHECK_EQ(parse("2/29/1900"), "impossible"); // not a leap year
    CHECK_EQ(parse("2/29/2000"), "2000-02-29"); // a leap year
    CHECK_EQ(parse("13/01/2016"), "impossible");
    CHECK_EQ(parse("2016-13-01"), "impossible");
    CHECK_EQ(parse("2016-00-10"), "impossible");
    CHECK_EQ(parse("2016-04-31"), "impossible");
    CHECK_EQ(parse("00002016"), "impossible");
    CHECK_EQ(parse("20160100"), "impossible");
}

TEST(dates_unreadable)
{
    CHECK_EQ(parse("abc"), "unreadable");
    CHECK_EQ(parse("2016/01/01"), "unreadable");
    CHECK_EQ(parse("1/1/16"), "unreadable");
    CHECK_EQ(parse("2016-1-1"), "unreadable");
    CHECK_EQ(parse("201601011"), "unreadable");
    CHECK_EQ(parse("2016010"), "unreadable");
    CHECK_EQ(parse("2016-01-0x"), "unreadable");
    CHECK_EQ(parse("1/1/2016/"), "unreadable");
    CHECK_EQ(parse("/1/2016"), "unreadable");
    CHECK_EQ(parse("001/1/2016"), "unreadable");
    CHECK_EQ(parse("1/001/2016"), "unreadable");
    CHECK_EQ(parse("1//2016"), "unreadable");
    CHECK_EQ(parse("1/1/+016"), "unreadable");
    CHECK_EQ(parse("2016 01 01"), "unreadable");
}

TEST(dates_out_of_range)
{
    CHECK_EQ(parse("12311899"), "out of range");
    CHECK_EQ(parse("18991231"), "impossible"); // starts with 18: MMDDYYYY, month 18
    CHECK_EQ(parse("12/31/1899"), "out of range");
    CHECK_EQ(parse("1899-12-31"), "out of range");
    CHECK_EQ(parse("01012100"), "out of range");
    CHECK_EQ(parse("2100-01-01"), "out of range");
    CHECK_EQ(parse("1/1/0000"), "out of range");
}

TEST(dates_blank_and_spaces_trimmed)
{
    CHECK_EQ(parse(""), "blank");
    CHECK_EQ(parse("   "), "blank");
    CHECK_EQ(parse(" \t20160315 "), "2016-03-15");
    CHECK_EQ(parse("  3/5/2016\t"), "2016-03-05");
}

TEST(dates_problem_texts_and_calendar)
{
    CHECK_EQ(std::string(date_problem(DateStatus::Impossible)), "impossible date");
    CHECK_EQ(std::string(date_problem(DateStatus::Unreadable)),
             "unreadable date (expected YYYYMMDD, MMDDYYYY, MM/DD/YYYY or YYYY-MM-DD)");
    CHECK_EQ(std::string(date_problem(DateStatus::OutOfRange)), "date out of range (1900-2099)");
    CHECK(is_leap(2016) && is_leap(2000) && !is_leap(1900) && !is_leap(2015));
    CHECK_EQ(days_in_month(2016, 2), 29);
    CHECK_EQ(days_in_month(2015, 2), 28);
    CHECK_EQ(days_in_month(2015, 4), 30);
    CHECK_EQ(days_in_month(2015, 13), 0);
    CHECK_EQ((Date{2016, 3, 5}).iso(), "2016-03-05");
}
