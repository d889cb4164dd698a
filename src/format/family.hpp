// family.hpp -- which family of files a run reads (CASEMIS Table A/B or CALPADS
// SPED/SSRV) and in which form (a header row, or CALPADS's positional form),
// decided from the first record of each file and the setting's file_format.
// Pure C++ (README "CALPADS files").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "format/layout.hpp"

namespace casemis::format {

// The setting's choice (import_settings.file_format).
enum class FormatSetting { Auto, Casemis, Calpads };
FormatSetting format_setting(std::string_view s); // "auto" (or anything else), "casemis", "calpads"

// What one file looks like.
struct FileShape {
    Family family = Family::Casemis;
    bool header = true; // false: CALPADS positional form (no header row)
    char separator = ',';
    bool casemis_keys = false; // a header row with the CASEMIS layout's key headers
};

// The separator of a first line: '^' when it holds more carets than commas.
char guess_separator(std::string_view first_line);

// The first non-blank line of a file's leading bytes (after a UTF-8 BOM; up to CR or LF).
std::string_view first_line(std::string_view head);

// A file's shape from its first record (split with `separator`), given the
// CALPADS layout it would be (SPED for the Student Data file, SSRV for the
// Services file): first field equal to the layout's Record Type Code =>
// positional; a header row holding all of the layout's key headers => CALPADS
// with a header; else CASEMIS (read with ',').
// With `casemis` (Table A or B), also whether the row holds its key headers.
FileShape classify(const std::vector<std::string_view> &first_record, char separator, const Layout &calpads,
                   const Layout *casemis = nullptr);

// The family a run reads, or why it cannot read these files. Under 'calpads'
// a Student Data file that is not CALPADS fails as CASEMIS only when it holds
// Table A's key headers; otherwise it is read as a SPED file with a header
// row, whose key-header check says what is missing.
struct FamilyChoice {
    Family family = Family::Casemis;
    std::string failure; // non-empty: the run fails with this message
    std::string hint;    // and this advice (the error's HINT), if any
};
// students/services: the shapes of the two files (services only when
// has_services); labels: their names for the messages.
FamilyChoice choose_family(FormatSetting setting, const FileShape &students, const std::string &students_label,
                           bool has_services, const FileShape &services, const std::string &services_label);

// "a CALPADS SPED file without a header row", "a CASEMIS Table B file", ...
std::string describe(const FileShape &shape, bool services);

} // namespace casemis::format
