// pure C++ -- (marker read by test/unit/Makefile)
// matcher.cpp -- Table A and Table B matching rules (SPEC "What one run does", 3 and 5).
#include "match/matcher.hpp"

namespace casemis::match {

std::string_view utf8_prefix(std::string_view s, size_t n)
{
    size_t i = 0, chars = 0;
    while (i < s.size() && chars < n) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        i += len;
        ++chars;
    }
    return s.substr(0, i < s.size() ? i : s.size());
}

std::string name_key(std::string_view last, std::string_view first, std::string_view birthdate)
{
    if (last.empty() || first.empty() || birthdate.empty())
        return {};
    std::string k;
    k.reserve(last.size() + first.size() + birthdate.size() + 2);
    k.append(utf8_prefix(last, 15));
    k.push_back('\x1f');
    k.append(utf8_prefix(first, 15));
    k.push_back('\x1f');
    k.append(birthdate);
    return k;
}

void Roster::reserve(size_t n)
{
    ids_.reserve(n);
    ssid_keys_.reserve(n);
    name_keys_.reserve(n);
    ssid_hits_.reserve(n);
    name_hits_.reserve(n);
}

void Roster::note(KeyTable &keys, std::vector<int32_t> &hits, std::string_view k, int32_t idx)
{
    bool added = false;
    const uint32_t id = keys.insert(k, &added);
    if (added)
        hits.push_back(idx);
    else if (hits[id] != idx)
        hits[id] = kSeveral;
}

Hits Roster::lookup(const KeyTable &keys, const std::vector<int32_t> &hits, std::string_view k)
{
    Hits h;
    const uint32_t id = keys.find(k);
    if (id == KeyTable::npos)
        return h;
    if (hits[id] == kSeveral) {
        h.first = 0; // not empty; which student is never used
        h.several = true;
    } else {
        h.first = hits[id];
    }
    return h;
}

void Roster::add(int64_t student_id, std::string_view ssid, std::string_view key)
{
    const int32_t idx = static_cast<int32_t>(ids_.size());
    ids_.push_back(student_id);
    if (!ssid.empty())
        note(ssid_keys_, ssid_hits_, ssid, idx);
    if (!key.empty())
        note(name_keys_, name_hits_, key, idx);
}

const char *reason_text(Reason r)
{
    switch (r) {
    case Reason::None: return "";
    case Reason::SsidNotOnRoster: return "SSID not found on the roster";
    case Reason::SsidAmbiguous: return "SSID belongs to more than one roster student (ambiguous)";
    case Reason::NoNameMatch: return "no SSID, and no roster student has this last name, first name and birthdate";
    case Reason::NameAmbiguous: return "no SSID, and the last name, first name and birthdate match more than one roster student (ambiguous)";
    case Reason::NoIdentity: return "no SSID, and last name, first name or birthdate is blank, so the record cannot be matched by name";
    case Reason::ADuplicate: return "Table A record with this STUDENT_ID was a duplicate";
    case Reason::AError: return "Table A record with this STUDENT_ID had errors";
    case Reason::AAmbiguous: return "STUDENT_ID matches Table A records of more than one student (ambiguous)";
    case Reason::BSsidNotOnRoster: return "no imported Table A record has this STUDENT_ID, and the SSID is not on the roster";
    case Reason::BSsidAmbiguous: return "no imported Table A record has this STUDENT_ID, and the SSID belongs to more than one roster student (ambiguous)";
    case Reason::BNoKey: return "no imported Table A record has this STUDENT_ID, and the record has no SSID";
    }
    return "";
}

void TableAMatcher::add_error(uint32_t line)
{
    recs_.push_back(ARecord{line, Outcome::Error, Reason::None, -1});
    rec_ssid_.push_back(KeyTable::npos);
}

void TableAMatcher::add(uint32_t line, const std::string &ssid, const std::string &key)
{
    ARecord r{line, Outcome::Unmatched, Reason::None, -1};
    uint32_t ssid_id = KeyTable::npos;
    if (!ssid.empty()) {
        bool added = false;
        ssid_id = ssids_.insert(ssid, &added);
        if (added)
            ssid_count_.push_back(0);
        ++ssid_count_[ssid_id];
        const Hits hits = roster_.by_ssid(ssid);
        if (hits.empty())
            r.reason = Reason::SsidNotOnRoster;
        else if (hits.several)
            r.reason = Reason::SsidAmbiguous;
        else
            r.roster = hits.first;
    } else if (key.empty()) {
        r.reason = Reason::NoIdentity;
    } else {
        const Hits hits = roster_.by_name(key);
        if (hits.empty())
            r.reason = Reason::NoNameMatch;
        else if (hits.several)
            r.reason = Reason::NameAmbiguous;
        else
            r.roster = hits.first;
    }
    if (r.roster >= 0) {
        r.outcome = Outcome::Imported;
        if (per_student_[r.roster] < UINT16_MAX)
            ++per_student_[r.roster];
    }
    recs_.push_back(r);
    rec_ssid_.push_back(ssid_id);
}

void TableAMatcher::finish()
{
    for (size_t i = 0; i < recs_.size(); ++i) {
        ARecord &r = recs_[i];
        if (r.outcome == Outcome::Error)
            continue;
        bool dup_ssid = rec_ssid_[i] != KeyTable::npos && ssid_count_[rec_ssid_[i]] > 1;
        bool dup_student = r.roster >= 0 && per_student_[r.roster] > 1;
        if (dup_ssid || dup_student) {
            r.outcome = Outcome::Duplicate;
            r.reason = Reason::None;
        }
    }
    // Only the outcomes are needed from here on.
    std::vector<uint32_t>().swap(rec_ssid_);
    std::vector<uint32_t>().swap(ssid_count_);
    ssids_ = KeyTable();
}

size_t TableAMatcher::count(Outcome o) const
{
    size_t n = 0;
    for (const auto &r : recs_)
        n += r.outcome == o;
    return n;
}

void ServiceMatcher::add_a(size_t index, const std::string &student_id, const std::string &selpa_code)
{
    if (student_id.empty())
        return;
    bool added = false;
    const uint32_t id = student_ids_.insert(student_id, &added);
    if (added)
        head_.push_back(KeyTable::npos);
    const uint32_t selpa = selpa_code.empty() ? KeyTable::npos : selpas_.insert(selpa_code);
    akeys_.push_back(AKey{static_cast<uint32_t>(index), selpa, head_[id]});
    head_[id] = static_cast<uint32_t>(akeys_.size() - 1);
}

ServiceMatcher::Result ServiceMatcher::match(const std::string &student_id,
                                             const std::string &selpa_code,
                                             const std::string &ssid) const
{
    Result res;
    bool saw_dup = false, saw_err = false;
    int32_t student = -1;
    bool several = false;
    if (!student_id.empty()) {
        const uint32_t id = student_ids_.find(student_id);
        // A SELPA_CODE no Table A record has agrees with no record that has one.
        const uint32_t selpa = selpa_code.empty() ? KeyTable::npos : selpas_.find(selpa_code);
        for (uint32_t k = id == KeyTable::npos ? KeyTable::npos : head_[id]; k != KeyTable::npos;
             k = akeys_[k].next) {
            const AKey &ak = akeys_[k];
            // SELPA_CODE must agree when both records have one.
            if (!selpa_code.empty() && ak.selpa != KeyTable::npos && ak.selpa != selpa)
                continue;
            const ARecord &a = a_[ak.index];
            if (a.outcome == Outcome::Imported) {
                if (student >= 0 && student != a.roster)
                    several = true;
                student = a.roster;
            } else if (a.outcome == Outcome::Duplicate) {
                saw_dup = true;
            } else if (a.outcome == Outcome::Error) {
                saw_err = true;
            }
        }
    }
    if (several) {
        res.reason = Reason::AAmbiguous;
        return res;
    }
    if (student >= 0) {
        res.matched = true;
        res.roster = student;
        return res;
    }
    if (saw_dup) {
        res.reason = Reason::ADuplicate;
        return res;
    }
    if (saw_err) {
        res.reason = Reason::AError;
        return res;
    }
    if (ssid.empty()) {
        res.reason = Reason::BNoKey;
        return res;
    }
    const Hits hits = roster_.by_ssid(ssid);
    if (hits.empty())
        res.reason = Reason::BSsidNotOnRoster;
    else if (hits.several)
        res.reason = Reason::BSsidAmbiguous;
    else {
        res.matched = true;
        res.roster = hits.first;
    }
    return res;
}

} // namespace casemis::match
