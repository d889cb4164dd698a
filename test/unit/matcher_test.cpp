// matcher_test.cpp -- the matching rules of README "What one run does", steps 5 and 7.
#include "harness.hpp"
#include "match/matcher.hpp"

using namespace casemis::match;

namespace {

// Roster keys are built as the engine builds them (already lower-cased).
Roster small_roster()
{
    Roster r;
    r.add(1001, "1000000001", name_key("garcia", "maria", "2008-05-14"));
    r.add(1003, "1000000003", name_key("smith", "john", "2010-03-03"));
    r.add(1004, "1000000004", name_key("smith", "john", "2010-03-03")); // namesake
    r.add(1005, "1000000005", name_key("lee", "kim", "2007-07-07"));
    r.add(1006, "", name_key("washington-mont", "alexandrina-lou", "2011-11-11"));
    r.add(1010, "1000000010", "");
    r.add(1011, "1000000010", ""); // an SSID twice on the roster
    r.finish();
    return r;
}

} // namespace

TEST(utf8_prefix_counts_characters_not_bytes)
{
    CHECK_EQ(std::string(utf8_prefix("Núñez-Rodríguez-García", 15)), std::string("Núñez-Rodríguez"));
    CHECK_EQ(std::string(utf8_prefix("abc", 15)), std::string("abc"));
    CHECK_EQ(std::string(utf8_prefix("", 15)), std::string(""));
    CHECK_EQ(std::string(utf8_prefix("ÀÉÎÕÜ", 2)), std::string("ÀÉ"));
}

TEST(name_key_empty_when_a_part_is_missing)
{
    CHECK(name_key("", "maria", "2008-05-14").empty());
    CHECK(name_key("garcia", "", "2008-05-14").empty());
    CHECK(name_key("garcia", "maria", "").empty());
    CHECK(name_key("washington-montgomery", "alexandrina-louisa", "2011-11-11") ==
          name_key("washington-mont", "alexandrina-lou", "2011-11-11"));
}

TEST(ssid_match_and_no_fallback_when_ssid_unknown)
{
    Roster r = small_roster();
    TableAMatcher m(r);
    m.add(2, "1000000001", "");
    // an SSID not on the roster is unmatched even if the name would match
    m.add(3, "9999999999", name_key("lee", "kim", "2007-07-07"));
    m.finish();
    CHECK(m.records()[0].outcome == Outcome::Imported);
    CHECK_EQ(r.student_id(m.records()[0].roster), 1001);
    CHECK(m.records()[1].outcome == Outcome::Unmatched);
    CHECK(m.records()[1].reason == Reason::SsidNotOnRoster);
}

TEST(name_match_only_without_ssid_and_never_guessed)
{
    Roster r = small_roster();
    TableAMatcher m(r);
    m.add(2, "", name_key("lee", "kim", "2007-07-07"));
    m.add(3, "", name_key("smith", "john", "2010-03-03"));
    m.add(4, "", name_key("nobody", "here", "2010-01-01"));
    m.add(5, "", "");
    m.add(6, "1000000010", "");
    m.finish();
    CHECK(m.records()[0].outcome == Outcome::Imported);
    CHECK(m.records()[1].outcome == Outcome::Unmatched);
    CHECK(m.records()[1].reason == Reason::NameAmbiguous);
    CHECK(m.records()[2].reason == Reason::NoNameMatch);
    CHECK(m.records()[3].reason == Reason::NoIdentity);
    CHECK(m.records()[4].reason == Reason::SsidAmbiguous);
}

TEST(duplicates_by_ssid_even_off_roster_and_by_resolved_student)
{
    Roster r = small_roster();
    TableAMatcher m(r);
    m.add(2, "1000000005", "");                                // same SSID ...
    m.add(3, "1000000005", "");                                // ... twice
    m.add(4, "7777777777", "");                                // off-roster SSID ...
    m.add(5, "7777777777", "");                                // ... twice: duplicates, not unmatched
    m.add(6, "1000000001", "");                                // resolves to 1001 by SSID
    m.add(7, "", name_key("garcia", "maria", "2008-05-14"));   // resolves to 1001 by name
    m.add(8, "1000000003", "");                                // single: imported
    m.finish();
    for (int i : {0, 1, 2, 3, 4, 5})
        CHECK(m.records()[i].outcome == Outcome::Duplicate);
    CHECK(m.records()[6].outcome == Outcome::Imported);
    CHECK_EQ(m.count(Outcome::Duplicate), size_t(6));
    CHECK_EQ(m.count(Outcome::Imported), size_t(1));
}

TEST(error_records_take_no_part)
{
    Roster r = small_roster();
    TableAMatcher m(r);
    m.add_error(2);            // say it had SSID 1000000001: it is not counted
    m.add(3, "1000000001", "");
    m.finish();
    CHECK(m.records()[0].outcome == Outcome::Error);
    CHECK(m.records()[1].outcome == Outcome::Imported);
}

TEST(services_follow_table_a_then_ssid)
{
    Roster r = small_roster();
    TableAMatcher m(r);
    m.add(2, "1000000001", "");   // S-1 imported (1001)
    m.add(3, "1000000005", "");   // S-5 duplicate
    m.add(4, "1000000005", "");   // S-6 duplicate
    m.add_error(5);               // S-7 error
    m.add(6, "9999999999", "");   // S-8 unmatched
    m.finish();
    ServiceMatcher s(r, m.records());
    s.add_a(0, "S-1", "3401");
    s.add_a(1, "S-5", "3401");
    s.add_a(2, "S-6", "3401");
    s.add_a(3, "S-7", "3401");
    s.add_a(4, "S-8", "3401");
    auto a = s.match("S-1", "3401", "");
    CHECK(a.matched);
    CHECK_EQ(r.student_id(a.roster), 1001);
    CHECK(s.match("S-1", "", "").matched);                       // SELPA_CODE only compared when both have one
    CHECK(!s.match("S-1", "9999", "").matched);                  // another SELPA's S-1
    CHECK(s.match("S-5", "3401", "1000000003").reason == Reason::ADuplicate); // never falls back to SSID
    CHECK(s.match("S-7", "3401", "1000000003").reason == Reason::AError);
    auto viassid = s.match("S-8", "3401", "1000000003");        // A unmatched: SSID path
    CHECK(viassid.matched);
    CHECK_EQ(r.student_id(viassid.roster), 1003);
    CHECK(s.match("S-99", "", "").reason == Reason::BNoKey);
    CHECK(s.match("S-99", "", "1234").reason == Reason::BSsidNotOnRoster);
    CHECK(s.match("S-99", "", "1000000010").reason == Reason::BSsidAmbiguous);
}

TEST(service_key_shared_by_two_imported_students_is_ambiguous)
{
    Roster r = small_roster();
    TableAMatcher m(r);
    m.add(2, "1000000001", "");
    m.add(3, "1000000003", "");
    m.finish();
    ServiceMatcher s(r, m.records());
    s.add_a(0, "S-1", "3401");
    s.add_a(1, "S-1", "3402");
    CHECK(s.match("S-1", "3401", "").matched);
    CHECK(s.match("S-1", "", "").reason == Reason::AAmbiguous);
}

TEST(reasons_are_plain_english)
{
    for (Reason r : {Reason::SsidNotOnRoster, Reason::SsidAmbiguous, Reason::NoNameMatch, Reason::NameAmbiguous,
                     Reason::NoIdentity, Reason::ADuplicate, Reason::AError, Reason::AAmbiguous,
                     Reason::BSsidNotOnRoster, Reason::BSsidAmbiguous, Reason::BNoKey})
        CHECK(std::string(reason_text(r)).size() > 10);
}
