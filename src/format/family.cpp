// family.cpp -- see family.hpp.
#include "format/family.hpp"
#include "pg/cpp_only_file.hpp" // last: no PostgreSQL header above

namespace casemis::format {

FormatSetting format_setting(std::string_view s)
{
    if (s == "casemis")
        return FormatSetting::Casemis;
    if (s == "calpads")
        return FormatSetting::Calpads;
    return FormatSetting::Auto;
}

std::string_view first_line(std::string_view head)
{
    if (head.size() >= 3 && head.substr(0, 3) == "\xEF\xBB\xBF")
        head.remove_prefix(3);
    for (;;) { // blank lines are skipped, as the reader skips them
        const size_t end = head.find_first_of("\r\n");
        const std::string_view line = end == std::string_view::npos ? head : head.substr(0, end);
        if (end == std::string_view::npos || line.find_first_not_of(" \t") != std::string_view::npos)
            return line;
        head.remove_prefix(end + 1);
    }
}

char guess_separator(std::string_view line)
{
    size_t carets = 0, commas = 0;
    for (char c : line) {
        carets += c == '^';
        commas += c == ',';
    }
    return carets > commas ? '^' : ',';
}

namespace {

// The layout's key fields all named in the header (by header or alias).
bool keys_named(const std::vector<std::string_view> &header, const Layout &layout)
{
    const HeaderCheck hc = check_headers(header, layout);
    return hc.missing_keys.empty();
}

std::string record_type(const Layout &l)
{
    const int f = l.find_role(Role::RecordType);
    if (f < 0 || l.fields[static_cast<size_t>(f)].codes.empty())
        return l.title();
    return l.fields[static_cast<size_t>(f)].codes.front();
}

} // namespace

FileShape classify(const std::vector<std::string_view> &first_record, char separator, const Layout &calpads,
                   const Layout *casemis)
{
    FileShape s;
    s.casemis_keys = casemis && keys_named(first_record, *casemis);
    if (!first_record.empty() && header_name(first_record[0], Family::Casemis) == record_type(calpads)) {
        s.family = Family::Calpads;
        s.header = false;
        s.separator = separator;
    } else if (keys_named(first_record, calpads)) {
        s.family = Family::Calpads;
        s.separator = separator;
    }
    return s;
}

std::string describe(const FileShape &shape, bool services)
{
    if (shape.family == Family::Casemis)
        return std::string("a CASEMIS Table ") + (services ? "B" : "A") + " file";
    return std::string("a CALPADS ") + (services ? "SSRV" : "SPED") + " file " +
           (shape.header ? "with a header row" : "without a header row");
}

FamilyChoice choose_family(FormatSetting setting, const FileShape &students, const std::string &students_label,
                           bool has_services, const FileShape &services, const std::string &services_label)
{
    FamilyChoice c;
    const char *wrong_setting = "Set import_settings.file_format to 'auto' (or to the family of the files), or "
                                "replace the file.";
    if (setting == FormatSetting::Casemis && students.family == Family::Calpads) {
        c.failure = "file_format is 'casemis', but the Student Data file " + students_label + " looks like " +
                    describe(students, false) + ".";
        c.hint = wrong_setting;
        return c;
    }
    // Under 'calpads', a header row without Table A's keys is a SPED header row
    // missing a key header: read as one, its check says which.
    const bool sped_header = setting == FormatSetting::Calpads && students.family == Family::Casemis &&
                             students.header && !students.casemis_keys;
    if (setting == FormatSetting::Calpads && students.family == Family::Casemis && !sped_header) {
        c.failure = "file_format is 'calpads', but the Student Data file " + students_label +
                    " is not a CALPADS SPED file (its first field is not SPED, and its header row has the key "
                    "headers of CASEMIS Table A, not those of SPED): it looks like " + describe(students, false) + ".";
        c.hint = wrong_setting;
        return c;
    }
    c.family = sped_header ? Family::Calpads : students.family;
    // Likewise beside a SPED file: a header row with neither family's keys is an
    // SSRV header row missing a key header.
    const bool ssrv_header = c.family == Family::Calpads && services.family == Family::Casemis &&
                             services.header && !services.casemis_keys;
    if (has_services && services.family != c.family && !ssrv_header)
        c.failure = "the Student Data file " + students_label + " looks like " + describe(students, false) +
                    ", but the Services file " + services_label + " looks like " + describe(services, true) +
                    ": both files must be of the same family (CASEMIS Table A and B, or CALPADS SPED and SSRV).";
    return c;
}

} // namespace casemis::format
