// calpads_test.cpp -- CALPADS SPED/SSRV (README "CALPADS files"): family
// detection, the '^' separator, the positional form, Record and Transaction
// Type Codes, loose header names, SPED matching, duplicates by meeting
// identifier, the latest record, and the SSRV linkage.
#include <string>
#include <vector>

#include "format/csv_reader.hpp"
#include "format/family.hpp"
#include "format/layout.hpp"
#include "harness.hpp"
#include "match/matcher.hpp"

using namespace casemis::format;
using namespace casemis::match;

namespace {

// A SPED-like layout: the fields the rules use, at their SPED positions.
Layout sped()
{
    Layout l;
    l.table = 'A';
    l.family = Family::Calpads;
    l.name = "SPED";
    auto add = [&](int pos, const char *h, DataType t, Role r, bool key, std::vector<std::string> codes = {}) {
        FieldDef f;
        f.position = pos;
        f.header = h;
        f.type = t;
        f.role = r;
        f.key = key;
        f.codes = std::move(codes);
        l.fields.push_back(f);
    };
    add(1, "Record Type Code", DataType::Code, Role::RecordType, false, {"SPED"});
    add(2, "Transaction Type Code", DataType::Code, Role::TransactionType, false, {"A"});
    add(8, "SSID", DataType::Text, Role::Ssid, true);
    add(9, "Local Student ID", DataType::Text, Role::LocalStudentId, true);
    add(11, "Student Legal First Name", DataType::Text, Role::FirstName, true);
    add(12, "Student Legal Last Name", DataType::Text, Role::LastName, true);
    add(13, "Student Birth Date", DataType::Date, Role::Birthdate, true);
    add(21, "Special Education Meeting Date", DataType::Date, Role::MeetingDate, false);
    l.fields.back().aliases = {"MTG DATE"};
    add(49, "Special Education Program Exit Reason Code", DataType::Text, Role::None, false, {"70", "71"});
    return l;
}

std::vector<std::string_view> views(const std::vector<std::string> &v)
{
    return std::vector<std::string_view>(v.begin(), v.end());
}

std::vector<std::string> read_one(const std::string &data, char sep)
{
    MemorySource src(data);
    CsvReader r(src, CsvLimits{}, 7, sep);
    CsvRecord rec;
    std::vector<std::string> out;
    if (r.next(rec))
        for (auto f : rec.fields)
            out.emplace_back(f);
    return out;
}

// A positional SPED record with 49 fields, some set.
std::string record(const std::vector<std::pair<int, std::string>> &set, char sep = '^', int n = 49)
{
    std::vector<std::string> f(static_cast<size_t>(n));
    f[0] = "SPED";
    for (const auto &p : set)
        f[static_cast<size_t>(p.first - 1)] = p.second;
    std::string s;
    for (int i = 0; i < n; ++i)
        s += (i ? std::string(1, sep) : std::string()) + f[static_cast<size_t>(i)];
    return s;
}

} // namespace

TEST(caret_separator_splits_fields_and_keeps_commas)
{
    const auto f = read_one("SPED^^R1^Smith, Jr.^\"a^b\"\r\nnext", '^');
    CHECK_EQ(f.size(), size_t(5));
    CHECK_EQ(f[3], std::string("Smith, Jr."));
    CHECK_EQ(f[4], std::string("a^b"));
    CHECK_EQ(read_one("a,b^c", ',').size(), size_t(2)); // the default separator is unchanged
}

TEST(separator_guess_and_first_line)
{
    CHECK_EQ(guess_separator("SPED^^^0117879^x,y"), '^');
    CHECK_EQ(guess_separator("REPT_DATE,SELPA_CODE,STUDENT_ID"), ',');
    CHECK_EQ(guess_separator("SPED,,,0117879"), ',');
    CHECK_EQ(std::string(first_line("\xEF\xBB\xBFSPED^A\r\nSPED^B\n")), std::string("SPED^A"));
    CHECK_EQ(std::string(first_line("one line, no end")), std::string("one line, no end"));
    CHECK_EQ(std::string(first_line("\r\n  \t\nSPED^x\r\n")), std::string("SPED^x")); // blank lines skipped
    CHECK_EQ(std::string(first_line("\r\n\r\n")), std::string(""));
}

TEST(classify_positional_header_and_casemis)
{
    const Layout l = sped();
    const auto pos = read_one(record({{8, "1"}}), '^');
    FileShape s = classify(views(pos), '^', l);
    CHECK(s.family == Family::Calpads);
    CHECK(!s.header);
    CHECK_EQ(s.separator, '^');
    // lower case "sped" and spaces around it still name the record type
    s = classify(views(std::vector<std::string>{" sped ", "", ""}), ',', l);
    CHECK(s.family == Family::Calpads && !s.header && s.separator == ',');
    // a header row with the key headers, loosely spelled
    s = classify(views({"ssid", "LOCAL_STUDENT-ID", "Student.Legal.First.Name", "student legal last name",
                        "STUDENT_BIRTH_DATE", "Other"}),
                 ',', l);
    CHECK(s.family == Family::Calpads && s.header);
    // one key header short: not CALPADS
    s = classify(views({"SSID", "Local Student ID", "Student Legal First Name", "Student Legal Last Name"}), ',', l);
    CHECK(s.family == Family::Casemis);
    // a CASEMIS Table A header
    s = classify(views({"REPT_DATE", "SSID", "STUDENT_ID", "LAST_NAME", "FIRST_NAME", "BIRTHDATE"}), ',', l);
    CHECK(s.family == Family::Casemis && s.header && s.separator == ',');
}

FileShape table_b0()
{
    FileShape s;
    s.casemis_keys = true; // a Table B header row
    return s;
}

TEST(choose_family_rules)
{
    const FileShape casemis{}, sped_pos{Family::Calpads, false, '^'}, sped_hdr{Family::Calpads, true, ','};
    FamilyChoice c = choose_family(FormatSetting::Auto, sped_pos, "a.txt", true, sped_pos, "b.txt");
    CHECK(c.failure.empty() && c.family == Family::Calpads);
    c = choose_family(FormatSetting::Auto, casemis, "a.csv", true, casemis, "b.csv");
    CHECK(c.failure.empty() && c.family == Family::Casemis);
    c = choose_family(FormatSetting::Auto, sped_hdr, "a.csv", false, casemis, "b.csv");
    CHECK(c.failure.empty() && c.family == Family::Calpads); // no Services file: nothing to compare
    c = choose_family(FormatSetting::Auto, sped_pos, "a.txt", true, table_b0(), "b.csv");
    CHECK(c.failure.find("a.txt") != std::string::npos && c.failure.find("b.csv") != std::string::npos);
    CHECK(c.failure.find("CASEMIS Table B") != std::string::npos);
    CHECK(c.hint.empty()); // two families: no setting fixes that
    FileShape table_b = casemis;
    table_b.casemis_keys = true;
    c = choose_family(FormatSetting::Auto, sped_pos, "a.txt", true, table_b, "b.csv");
    CHECK(!c.failure.empty());
    // beside SPED, a header row with neither family's keys is an SSRV file missing a key header
    c = choose_family(FormatSetting::Auto, sped_pos, "a.txt", true, casemis, "b.csv");
    CHECK(c.failure.empty() && c.family == Family::Calpads);
    c = choose_family(FormatSetting::Casemis, sped_pos, "a.txt", false, casemis, "");
    CHECK(c.failure.find("looks like a CALPADS SPED file without a header row") != std::string::npos);
    // the advice is the error's hint, not part of its message
    CHECK(c.failure.find("file_format to 'auto'") == std::string::npos);
    CHECK(c.hint.find("Set import_settings.file_format to 'auto'") == 0);
    FileShape table_a = casemis;
    table_a.casemis_keys = true;
    c = choose_family(FormatSetting::Calpads, table_a, "a.csv", false, casemis, "");
    CHECK(c.failure.find("looks like a CASEMIS Table A file") != std::string::npos);
    CHECK(c.hint.find("Set import_settings.file_format to 'auto'") == 0);
    // under 'calpads', a header row with neither family's keys is read as SPED (its check says what is missing)
    c = choose_family(FormatSetting::Calpads, casemis, "a.csv", false, casemis, "");
    CHECK(c.failure.empty() && c.family == Family::Calpads);
    CHECK(format_setting("calpads") == FormatSetting::Calpads && format_setting("auto") == FormatSetting::Auto);
}

TEST(loose_header_names_only_for_calpads)
{
    CHECK_EQ(header_name(" Student_Legal-Last.Name ", Family::Calpads), std::string("STUDENTLEGALLASTNAME"));
    CHECK_EQ(header_name("STUDENT_ID", Family::Casemis), std::string("STUDENT_ID"));
    const Layout l = sped();
    HeaderCheck hc = check_headers(views({"S.S.I.D", "Local Student ID", "Student Legal First Name",
                                          "Student Legal Last Name", "Student Birth Date", "mtg_date"}),
                                   l);
    CHECK(!hc.fatal());
    CHECK_EQ(hc.columns[5].field, 7); // the alias, loosely spelled
}

TEST(positional_columns_by_position_and_trailing_fields)
{
    const Layout l = sped();
    HeaderCheck hc = positional_columns(l, 51);
    CHECK(hc.positional && !hc.fatal());
    CHECK_EQ(hc.columns.size(), size_t(51));
    CHECK_EQ(hc.columns[7].header, std::string("SSID"));
    CHECK_EQ(hc.columns[7].field, 2);
    CHECK_EQ(hc.columns[2].header, std::string("field_3")); // a position the layout does not name
    CHECK_EQ(hc.columns[2].field, -1);
    CHECK_EQ(hc.columns[50].header, std::string("field_51"));
    CHECK_EQ(positional_columns(l, 10).columns.size(), size_t(49)); // at least the layout's last position
    Layout twice = l;
    twice.fields[3].position = 8; // two fields at one position
    CHECK(positional_columns(twice, 49).fatal());
}

TEST(positional_validation_codes_and_counts)
{
    const Layout l = sped();
    const HeaderCheck hc = positional_columns(l, 49);
    ValidatedRecord vr;
    auto check = [&](const std::string &line) {
        const auto f = read_one(line, '^');
        CsvRecord rec;
        rec.line = 1;
        for (const auto &s : f)
            rec.fields.emplace_back(s);
        validate_record(rec, hc, l, vr);
    };
    check(record({{8, "1000000001"}, {13, "20100115"}, {21, "20230115"}, {49, "99"}}));
    CHECK(vr.ok());
    CHECK_EQ(vr.values[12], std::string("2010-01-15")); // CCYYMMDD
    CHECK_EQ(vr.code_warnings.size(), size_t(1));      // known codes warn only
    check(record({{2, "A"}}));
    CHECK(vr.ok());
    check(record({{2, "D"}}));
    CHECK(!vr.ok());
    CHECK_EQ(vr.problems[0].field, std::string("Transaction Type Code"));
    CHECK_EQ(vr.problems[0].problem, std::string("D (delete) transactions are not imported"));
    check(record({{2, "R"}})); // R is not a SPED transaction
    CHECK(!vr.ok());
    check(record({{1, "SSRV"}}));
    CHECK(!vr.ok());
    CHECK_EQ(vr.problems[0].field, std::string("Record Type Code"));
    check(record({{1, ""}}));
    CHECK(!vr.ok()); // blank record type: required without a header
    check(record({{21, "20230230"}}));
    CHECK(!vr.ok());
    CHECK_EQ(vr.problems[0].field, std::string("Special Education Meeting Date"));
    check(record({}, '^', 48));
    CHECK(!vr.ok());
    CHECK_EQ(vr.problems[0].problem, std::string("expected 49 fields, found 48"));
}

namespace {

Roster calpads_roster()
{
    Roster r;
    r.add(2001, "S1", name_key("alvarez", "ana", "2010-01-15"), "07");
    r.add(2002, "S2", name_key("baker", "ben", "2011-02-20"), "06");
    r.add(2004, "", name_key("diaz", "diego", "2012-04-30"), "");
    r.finish();
    return r;
}

} // namespace

TEST(sped_matching_ssid_then_local_id_then_name)
{
    const Roster r = calpads_roster();
    CHECK_EQ(r.grade(0), std::string_view("07"));
    CHECK_EQ(r.grade(2), std::string_view(""));
    CHECK_EQ(r.by_student_id("2004").first, 2);
    CHECK(r.by_student_id("20x4").empty());
    TableAMatcher m(r, true);
    m.add(1, "S1", "", SpedKeys{"2001", "M1", 20230101});             // SSID
    m.add(2, "", "", SpedKeys{"2002", "M1", 0});                      // Local Student ID
    m.add(3, "", name_key("diaz", "diego", "2012-04-30"), SpedKeys{}); // name
    m.add(4, "S1", "", SpedKeys{"2002", "M9", 0});                    // they disagree
    m.add(5, "", "", SpedKeys{"9999", "M1", 0});                      // Local ID not on roster
    m.add(6, "S9", "", SpedKeys{"2001", "M1", 0});                    // SSID not on roster: no fallback
    m.finish();
    const auto &a = m.records();
    CHECK(a[0].outcome == Outcome::Imported && a[0].roster == 0);
    CHECK(a[1].outcome == Outcome::Imported && a[1].roster == 1);
    CHECK(a[2].outcome == Outcome::Imported && a[2].roster == 2);
    CHECK(a[3].outcome == Outcome::Unmatched && a[3].reason == Reason::SsidLocalIdDisagree);
    CHECK(a[4].outcome == Outcome::Unmatched && a[4].reason == Reason::LocalIdNotOnRoster);
    CHECK(a[5].outcome == Outcome::Unmatched && a[5].reason == Reason::SsidNotOnRoster);
}

TEST(sped_duplicates_by_meeting_and_the_latest_record)
{
    const Roster r = calpads_roster();
    TableAMatcher m(r, true);
    m.add(1, "S1", "", SpedKeys{"", "M1", 20230101});
    m.add(2, "S1", "", SpedKeys{"", "M1", 20230102}); // same meeting: both duplicates
    m.add(3, "S1", "", SpedKeys{"", "M2", 20220101});
    m.add(4, "S1", "", SpedKeys{"", "M3", 20230301}); // latest of S1's imported records
    m.add(5, "", "", SpedKeys{"2002", "", 20230101});
    m.add(6, "S2", "", SpedKeys{"", "", 20230101});   // blank = blank: duplicate of line 5 (same student)
    m.add(7, "S9", "", SpedKeys{"", "X", 0});
    m.add(8, "S9", "", SpedKeys{"", "X", 0});         // same SSID off the roster: duplicates too
    m.add_error(9);
    m.add(10, "", name_key("diaz", "diego", "2012-04-30"), SpedKeys{"", "A", 20230505});
    m.add(11, "", name_key("diaz", "diego", "2012-04-30"), SpedKeys{"", "B", 20230505}); // tie: later line
    m.finish();
    const auto &a = m.records();
    CHECK(a[0].outcome == Outcome::Duplicate && a[1].outcome == Outcome::Duplicate);
    CHECK(a[2].outcome == Outcome::Imported && !a[2].writes_cse);
    CHECK(a[3].outcome == Outcome::Imported && a[3].writes_cse);
    CHECK(a[4].outcome == Outcome::Duplicate && a[5].outcome == Outcome::Duplicate);
    CHECK(a[6].outcome == Outcome::Duplicate && a[7].outcome == Outcome::Duplicate);
    CHECK(a[8].outcome == Outcome::Error && !a[8].writes_cse);
    CHECK(a[9].outcome == Outcome::Imported && !a[9].writes_cse);
    CHECK(a[10].outcome == Outcome::Imported && a[10].writes_cse);
    CHECK_EQ(later_date("2023-01-05", "2023-03-01"), 20230301u);
    CHECK_EQ(later_date("", ""), 0u);
}

TEST(ssrv_linkage)
{
    const Roster r = calpads_roster();
    TableAMatcher m(r, true);
    ServiceMatcher s(r, m.records(), true);
    m.add(1, "S1", "", SpedKeys{"", "M1", 0});
    s.add_a(0, "SE1", "", "S1", "M1");
    m.add(2, "S2", "", SpedKeys{"", "D", 0});
    s.add_a(1, "SE2", "", "S2", "D");
    m.add(3, "S2", "", SpedKeys{"", "D", 0});
    s.add_a(2, "SE2", "", "S2", "D");
    m.add_error(4);
    s.add_a(3, "SE4", "", "S4", "E");
    m.finish();
    auto res = s.match("", "", "S1", "M1"); // SSID + meeting
    CHECK(res.matched && res.roster == 0);
    res = s.match("SE1", "", "", "");       // Local Special Education Student ID
    CHECK(res.matched && res.roster == 0);
    res = s.match("", "", "S2", "D");       // points at duplicates
    CHECK(!res.matched && res.reason == Reason::MeetingDuplicate);
    res = s.match("", "", "S4", "E");       // points at an error record
    CHECK(!res.matched && res.reason == Reason::MeetingError);
    res = s.match("SE2", "", "", "");
    CHECK(!res.matched && res.reason == Reason::LocalSpedDuplicate);
    res = s.match("", "", "S2", "OTHER");   // no such meeting: the roster's SSID
    CHECK(res.matched && res.roster == 1);
    res = s.match("", "", "S7", "M1");
    CHECK(!res.matched && res.reason == Reason::SsrvSsidNotOnRoster);
}
