// pure C++ -- (marker read by test/unit/Makefile)
// matcher.hpp -- which roster student each record belongs to. Pure C++: the
// roster and the keys are handed in; PostgreSQL-side case folding is done by
// the caller (so the file's names and the roster's fold the same way).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "match/key_table.hpp"

namespace casemis::match {

// The name match compares the first kNameChars characters (not bytes) of the
// trimmed names, lower-cased by PostgreSQL's lower() -- the file's and the
// roster's alike (README, "What one run does", step 5). The one home of the rule:
// the roster query and the file side both take it from here.
constexpr size_t kNameChars = 15;

// Name-match key: first kNameChars characters of the trimmed last and first
// names, already lower-cased, and the ISO birthdate. Empty if any part is empty.
std::string name_key(std::string_view last_lower, std::string_view first_lower,
                     std::string_view birthdate_iso);
// The first n characters of a UTF-8 string (never splits a character).
std::string_view utf8_prefix(std::string_view s, size_t n);

// Roster indexes holding a key: none, exactly one (first), or several.
struct Hits {
    int32_t first = -1;
    bool several = false;
    bool empty() const { return first < 0; }
};

class Roster {
  public:
    // ssid: trimmed (empty = none); key: name_key() or empty; grade: the
    // roster's (CALPADS reports show it, since SPED carries none).
    void add(int64_t student_id, std::string_view ssid, std::string_view key, std::string_view grade = {});
    // After the last add, before by_student_id/by_id: builds the student_id
    // index; the roster is read-only from then on (a pass on the side thread
    // shares it).
    void finish();
    size_t size() const { return ids_.size(); }
    int64_t student_id(int32_t idx) const { return ids_[idx]; }
    std::string_view grade(int32_t idx) const;
    Hits by_ssid(std::string_view ssid) const { return lookup(ssid_keys_, ssid_hits_, ssid); }
    Hits by_name(std::string_view key) const { return lookup(name_keys_, name_hits_, key); }
    // The student whose student_id is this decimal text (a CALPADS Local Student ID).
    Hits by_student_id(std::string_view id_text) const;
    // The student with this student_id (first: the lowest roster index).
    Hits by_id(int64_t student_id) const;

  private:
    static constexpr int32_t kSeveral = -2;
    static void note(KeyTable &keys, std::vector<int32_t> &hits, std::string_view k, int32_t idx);
    static Hits lookup(const KeyTable &keys, const std::vector<int32_t> &hits, std::string_view k);
    std::vector<int64_t> ids_;
    // per key id: the roster index holding it, or kSeveral
    KeyTable ssid_keys_, name_keys_;
    std::vector<int32_t> ssid_hits_, name_hits_;
    KeyTable grades_;                   // the few distinct grades
    std::vector<uint32_t> grade_of_;    // per roster index: its grade's id, or npos
    std::vector<int32_t> by_id_; // roster indexes by student_id (finish())
};

enum class Outcome : uint8_t { Error, Imported, Unmatched, Duplicate };

enum class Reason : uint8_t {
    None,
    SsidNotOnRoster,
    SsidAmbiguous,
    NoNameMatch,
    NameAmbiguous,
    NoIdentity,        // no SSID and not enough to match by name
    ADuplicate,        // Table B: the Table A record with this STUDENT_ID was a duplicate
    AError,            // Table B: ... had errors
    AAmbiguous,        // Table B: STUDENT_ID matches several imported students
    BSsidNotOnRoster,  // Table B: no imported Table A record and SSID not on roster
    BSsidAmbiguous,
    BNoKey,            // Table B: no imported Table A record and no SSID
    // CALPADS (README "CALPADS files")
    SsidLocalIdDisagree,  // SPED: SSID and Local Student ID name two roster students
    LocalIdNotOnRoster,   // SPED: no SSID, Local Student ID is no roster student_id
    SpedNoNameMatch,
    SpedNameAmbiguous,
    SpedNoIdentity,
    MeetingDuplicate,     // SSRV: the SPED record with this SSID and meeting identifier was a duplicate
    MeetingError,         // ... had errors
    LocalSpedDuplicate,   // SSRV: the SPED record with this Local Special Education Student ID was a duplicate
    LocalSpedError,
    LocalSpedAmbiguous,
    SsrvSsidNotOnRoster,
    SsrvSsidAmbiguous,
    SsrvNoKey,
};
const char *reason_text(Reason r);

struct ARecord {
    uint32_t line = 0;
    Outcome outcome = Outcome::Error;
    Reason reason = Reason::None;
    bool writes_cse = true; // CALPADS: only the student's latest imported record writes cse
    int32_t roster = -1; // matched roster index (also for duplicates that resolved)
};

// What a CALPADS SPED record adds to matching: Local Student ID (14.09), the
// Meeting or Amendment Identifier (14.22, blank counts as a value), and the
// later of Meeting Date and Education Plan Amendment Date as CCYYMMDD (0: none).
struct SpedKeys {
    std::string_view local_id, meeting_id;
    uint32_t plan_date = 0;
};
// The later of two ISO dates (YYYY-MM-DD, or empty) as CCYYMMDD; 0 if both empty.
uint32_t later_date(std::string_view iso_a, std::string_view iso_b);

// Table A: SSID when the record has one, else name + birthdate; ambiguity is
// never guessed; records sharing an SSID or resolving to one student are all
// duplicates. Error records take no part.
// CALPADS SPED (calpads = true): SSID, else Local Student ID = the roster's
// student_id, else name + birth date; SSID and Local Student ID naming two
// students is unmatched. Duplicates are records of one student (same SSID or
// same roster student) with the same Meeting or Amendment Identifier; of one
// student's imported records only the latest (plan_date, then line) writes cse.
class TableAMatcher {
  public:
    explicit TableAMatcher(const Roster &roster, bool calpads = false)
        : roster_(roster), calpads_(calpads), per_student_(roster.size(), 0)
    {
    }
    void add_error(uint32_t line);
    void add(uint32_t line, const std::string &ssid, const std::string &key, const SpedKeys &sped = {});
    void finish(); // marks duplicates; call once after the last add
    const std::vector<ARecord> &records() const { return recs_; }
    size_t count(Outcome o) const;

  private:
    int32_t resolve_sped(const std::string &ssid, const std::string &key, const SpedKeys &sped, Reason &reason) const;
    void add_sped(ARecord r, const std::string &ssid, const std::string &key, const SpedKeys &sped);
    uint32_t resolve_local(const std::string &ssid, const std::string &key, ARecord &r);
    void finish_sped();
    const Roster &roster_;
    const bool calpads_;
    std::vector<ARecord> recs_;
    std::vector<uint16_t> per_student_;
    // CALPADS: per record its (SSID, meeting) and (student, meeting) key ids, the
    // keys' record counts, and the record's plan date.
    KeyTable ssid_meet_, student_meet_;
    std::vector<uint32_t> ssid_meet_count_, student_meet_count_;
    std::vector<uint32_t> rec_ssid_meet_, rec_student_meet_, rec_date_;
    KeyTable ssids_;                  // the SSIDs of the file
    std::vector<uint32_t> ssid_count_;  // per SSID id: records carrying it
    std::vector<uint32_t> rec_ssid_;    // per record: its SSID id (or KeyTable::npos)
};

// Table B: the student of a service record.
// CALPADS SSRV (calpads = true): first the SPED record with the same SSID and
// Meeting or Amendment Identifier, then the SPED records with the same Local
// Special Education Student ID (student_id), then the roster's SSID; a SPED
// record pointed at that was a duplicate or an error makes it unmatched.
class ServiceMatcher {
  public:
    ServiceMatcher(const Roster &roster, const std::vector<ARecord> &a, bool calpads = false)
        : roster_(roster), a_(a), calpads_(calpads)
    {
    }
    // Register Table A record `index` (into the ARecord vector) with its file keys
    // (ssid and meeting_id: CALPADS only).
    void add_a(size_t index, const std::string &student_id, const std::string &selpa_code,
               std::string_view ssid = {}, std::string_view meeting_id = {});
    struct Result {
        bool matched = false;
        int32_t roster = -1;
        Reason reason = Reason::None;
    };
    Result match(const std::string &student_id, const std::string &selpa_code,
                 const std::string &ssid, std::string_view meeting_id = {}) const;

  private:
    struct AKey { // one Table A record with a STUDENT_ID; a list per STUDENT_ID
        uint32_t index; // into the ARecord vector
        uint32_t selpa; // id in selpas_, or KeyTable::npos when blank
        uint32_t next;  // next AKey of the same STUDENT_ID, or KeyTable::npos
    };
    // CALPADS: the SPED record of an (SSID, meeting) key, if exactly one had it.
    bool by_meeting(std::string_view ssid, std::string_view meeting_id, Result &res) const;
    struct IdHits { // the Table A records of a STUDENT_ID
        int32_t student = -1; // roster index of the imported one
        bool several = false, dup = false, err = false;
    };
    IdHits by_student_id(const std::string &student_id, const std::string &selpa_code) const;
    Result by_roster_ssid(const std::string &ssid) const;
    const Roster &roster_;
    const std::vector<ARecord> &a_;
    const bool calpads_;
    struct MeetLink { // one SPED record with an SSID; a list per (SSID, meeting) key
        uint32_t index, next;
    };
    KeyTable ssid_meet_;                // CALPADS: SSID + meeting identifier of the SPED records
    std::vector<uint32_t> meet_head_;   // per key: its first MeetLink
    std::vector<MeetLink> meet_links_;
    KeyTable student_ids_, selpas_;
    std::vector<uint32_t> head_; // per STUDENT_ID id: its first AKey
    std::vector<AKey> akeys_;
};

} // namespace casemis::match
