// dates.hpp -- the date forms CASEMIS files use. Pure C++ (no PostgreSQL).
#pragma once

#include <string>
#include <string_view>

namespace casemis::format {

struct Date {
    int year = 0, month = 0, day = 0;
    std::string iso() const;           // YYYY-MM-DD
    void iso(std::string &out) const;  // the same into out (reuses its buffer)
};

enum class DateStatus { Ok, Blank, Unreadable, Impossible, OutOfRange };

// Accepts (after trimming) YYYYMMDD, MMDDYYYY, MM/DD/YYYY, M/D/YYYY and
// YYYY-MM-DD. An 8-digit date is YYYYMMDD when it starts with 19 or 20, else
// MMDDYYYY. Impossible: no such day (02/30/2016, month 13). OutOfRange: a real
// date whose year is outside 1900..2099.
DateStatus parse_date(std::string_view s, Date &out);

// Plain-English problem text for a non-Ok, non-Blank status.
const char *date_problem(DateStatus st);

bool is_leap(int year);
int days_in_month(int year, int month);

} // namespace casemis::format
