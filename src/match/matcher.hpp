// pure C++ -- (marker read by test/unit/Makefile)
// matcher.hpp -- which roster student each record belongs to. Pure C++: the
// roster and the keys are handed in; PostgreSQL-side case folding is done by
// the caller (so the file's names and the roster's fold the same way).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace casemis::match {

// Name-match key: first 15 characters (not bytes) of the trimmed last and first
// names, already lower-cased, and the ISO birthdate. Empty if any part is empty.
std::string name_key(std::string_view last_lower, std::string_view first_lower,
                     std::string_view birthdate_iso);
// The first n characters of a UTF-8 string (never splits a character).
std::string_view utf8_prefix(std::string_view s, size_t n);

class Roster {
  public:
    void reserve(size_t n);
    // ssid: trimmed (empty = none); key: name_key() or empty.
    void add(int64_t student_id, std::string ssid, std::string key);
    size_t size() const { return ids_.size(); }
    int64_t student_id(int32_t idx) const { return ids_[idx]; }
    // Roster indexes holding this SSID / name key (empty if none).
    const std::vector<int32_t> &by_ssid(const std::string &ssid) const;
    const std::vector<int32_t> &by_name(const std::string &key) const;

  private:
    std::vector<int64_t> ids_;
    std::unordered_map<std::string, std::vector<int32_t>> ssid_, name_;
    static const std::vector<int32_t> none_;
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
    std::unordered_map<std::string, uint32_t> ssid_count_;
    std::vector<const std::string *> rec_ssid_; // per record: its SSID key in ssid_count_ (or null)
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
    struct AKey {
        std::string selpa;
        uint32_t index;
    };
    const Roster &roster_;
    const std::vector<ARecord> &a_;
    std::unordered_map<std::string, std::vector<AKey>> by_student_id_;
};

} // namespace casemis::match
