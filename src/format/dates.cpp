// dates.cpp -- parse the date forms of CASEMIS files without locale or regex.
#include "format/dates.hpp"

#include "format/text.hpp"
#include "pg/cpp_only_file.hpp" // last: no PostgreSQL header above

namespace casemis::format {

namespace {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// n digits at s[at..at+n) as a number; -1 if any is not a digit.
int digits(std::string_view s, size_t at, size_t n)
{
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool all_digits(std::string_view s)
{
    for (char c : s)
        if (!is_digit(c))
            return false;
    return true;
}

// M/D/YYYY or MM/DD/YYYY: one or two digits, '/', one or two digits, '/', four digits.
bool parse_slashed(std::string_view s, int &y, int &m, int &d)
{
    size_t s1 = s.find('/');
    if (s1 == std::string_view::npos || s1 < 1 || s1 > 2)
        return false;
    size_t s2 = s.find('/', s1 + 1);
    if (s2 == std::string_view::npos || s2 - s1 - 1 < 1 || s2 - s1 - 1 > 2)
        return false;
    if (s.size() - s2 - 1 != 4)
        return false;
    m = digits(s, 0, s1);
    d = digits(s, s1 + 1, s2 - s1 - 1);
    y = digits(s, s2 + 1, 4);
    return m >= 0 && d >= 0 && y >= 0;
}

} // namespace

void Date::iso(std::string &out) const
{
    char b[10];
    int y = year;
    for (int i = 3; i >= 0; --i, y /= 10)
        b[i] = static_cast<char>('0' + y % 10);
    b[4] = '-';
    b[5] = static_cast<char>('0' + month / 10 % 10);
    b[6] = static_cast<char>('0' + month % 10);
    b[7] = '-';
    b[8] = static_cast<char>('0' + day / 10 % 10);
    b[9] = static_cast<char>('0' + day % 10);
    out.assign(b, 10);
}

std::string Date::iso() const
{
    std::string s;
    iso(s);
    return s;
}

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

DateStatus parse_date(std::string_view raw, Date &out)
{
    const std::string_view s = trim(raw);
    if (s.empty())
        return DateStatus::Blank;

    int y = -1, m = -1, d = -1;
    if (s.size() == 8 && all_digits(s)) {
        if ((s[0] == '1' && s[1] == '9') || (s[0] == '2' && s[1] == '0')) { // YYYYMMDD
            y = digits(s, 0, 4);
            m = digits(s, 4, 2);
            d = digits(s, 6, 2);
        } else { // MMDDYYYY
            m = digits(s, 0, 2);
            d = digits(s, 2, 2);
            y = digits(s, 4, 4);
        }
    } else if (s.size() == 10 && s[4] == '-' && s[7] == '-') { // YYYY-MM-DD
        y = digits(s, 0, 4);
        m = digits(s, 5, 2);
        d = digits(s, 8, 2);
        if (y < 0 || m < 0 || d < 0)
            return DateStatus::Unreadable;
    } else if (!parse_slashed(s, y, m, d)) {
        return DateStatus::Unreadable;
    }

    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return DateStatus::Impossible;
    if (y < 1900 || y > 2099)
        return DateStatus::OutOfRange;
    out.year = y;
    out.month = m;
    out.day = d;
    return DateStatus::Ok;
}

const char *date_problem(DateStatus st)
{
    switch (st) {
    case DateStatus::Unreadable:
        return "unreadable date (expected YYYYMMDD, MMDDYYYY, MM/DD/YYYY or YYYY-MM-DD)";
    case DateStatus::Impossible:
        return "impossible date";
    case DateStatus::OutOfRange:
        return "date out of range (1900-2099)";
    case DateStatus::Ok:
    case DateStatus::Blank:
        break;
    }
    return "";
}

} // namespace casemis::format
