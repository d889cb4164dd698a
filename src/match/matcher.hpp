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

// Name-match key: first 15 characters (not bytes) of the trimmed last and first
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
    void reserve(size_t n);
    // ssid: trimmed (empty = none); key: name_key() or empty.
    void add(int64_t student_id, std::string_view ssid, std::string_view key);
    size_t size() const { return ids_.size(); }
    int64_t student_id(int32_t idx) const { return ids_[idx]; }
    Hits by_ssid(std::string_view ssid) const { return lookup(ssid_keys_, ssid_hits_, ssid); }
    Hits by_name(std::string_view key) const { return lookup(name_keys_, name_hits_, key); }

  private:
    static constexpr int32_t kSeveral = -2;
    static void note(KeyTable &keys, std::vector<int32_t> &hits, std::string_view k, int32_t idx);
    static Hits lookup(const KeyTable &keys, const std::vector<int32_t> &hits, std::string_view k);
    std::vector<int64_t> ids_;
    // per key id: the roster index holding it, or kSeveral
    KeyTable ssid_keys_, name_keys_;
    std::vector<int32_t> ssid_hits_, name_hits_;
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
};
const char *reason_text(Reason r);

struct ARecord {
    uint32_t line = 0;
    Outcome outcome = Outcome::Error;
    Reason reason = Reason::None;
    int32_t roster = -1; // matched roster index (also for duplicates that resolved)
};

// Table A: SSID when the record has one, else name + birthdate; ambiguity is
// never guessed; records sharing an SSID or resolving to one student are all
// duplicates. Error records take no part.
class TableAMatcher {
  public:
    explicit TableAMatcher(const Roster &roster) : roster_(roster), per_student_(roster.size(), 0) {}
    void add_error(uint32_t line);
    void add(uint32_t line, const std::string &ssid, const std::string &key);
    void finish(); // marks duplicates; call once after the last add
    const std::vector<ARecord> &records() const { return recs_; }
    size_t count(Outcome o) const;

  private:
    const Roster &roster_;
    std::vector<ARecord> recs_;
    std::vector<uint16_t> per_student_;
    KeyTable ssids_;                  // the SSIDs of the file
    std::vector<uint32_t> ssid_count_;  // per SSID id: records carrying it
    std::vector<uint32_t> rec_ssid_;    // per record: its SSID id (or KeyTable::npos)
};

// Table B: the student of a service record.
class ServiceMatcher {
  public:
    ServiceMatcher(const Roster &roster, const std::vector<ARecord> &a) : roster_(roster), a_(a) {}
    // Register Table A record `index` (into the ARecord vector) with its file keys.
    void add_a(size_t index, const std::string &student_id, const std::string &selpa_code);
    struct Result {
        bool matched = false;
        int32_t roster = -1;
        Reason reason = Reason::None;
    };
    Result match(const std::string &student_id, const std::string &selpa_code,
                 const std::string &ssid) const;

  private:
    struct AKey { // one Table A record with a STUDENT_ID; a list per STUDENT_ID
        uint32_t index; // into the ARecord vector
        uint32_t selpa; // id in selpas_, or KeyTable::npos when blank
        uint32_t next;  // next AKey of the same STUDENT_ID, or KeyTable::npos
    };
    const Roster &roster_;
    const std::vector<ARecord> &a_;
    KeyTable student_ids_, selpas_;
    std::vector<uint32_t> head_; // per STUDENT_ID id: its first AKey
    std::vector<AKey> akeys_;
};

} // namespace casemis::match
