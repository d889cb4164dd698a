// pure C++ -- (marker read by test/unit/Makefile)
// matcher.cpp -- Table A and Table B matching rules (SPEC "What one run does", 3 and 5).
#include "match/matcher.hpp"

namespace casemis::match {

const std::vector<int32_t> Roster::none_;

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
    ssid_.reserve(n);
    name_.reserve(n);
}

void Roster::add(int64_t student_id, std::string ssid, std::string key)
{
    int32_t idx = static_cast<int32_t>(ids_.size());
    ids_.push_back(student_id);
    if (!ssid.empty())
        ssid_[std::move(ssid)].push_back(idx);
    if (!key.empty())
        name_[std::move(key)].push_back(idx);
}

const std::vector<int32_t> &Roster::by_ssid(const std::string &ssid) const
{
    auto it = ssid_.find(ssid);
    return it == ssid_.end() ? none_ : it->second;
}

const std::vector<int32_t> &Roster::by_name(const std::string &key) const
{
    auto it = name_.find(key);
    return it == name_.end() ? none_ : it->second;
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
    rec_ssid_.push_back(nullptr);
}

void TableAMatcher::add(uint32_t line, const std::string &ssid, const std::string &key)
{
    ARecord r{line, Outcome::Unmatched, Reason::None, -1};
    const std::string *ssid_ref = nullptr;
    if (!ssid.empty()) {
        auto it = ssid_count_.try_emplace(ssid, 0).first;
        ++it->second;
        ssid_ref = &it->first; // node-based map: the key's address is stable
        const auto &hits = roster_.by_ssid(ssid);
        if (hits.empty())
            r.reason = Reason::SsidNotOnRoster;
        else if (hits.size() > 1)
            r.reason = Reason::SsidAmbiguous;
        else
            r.roster = hits[0];
    } else if (key.empty()) {
        r.reason = Reason::NoIdentity;
    } else {
        const auto &hits = roster_.by_name(key);
        if (hits.empty())
            r.reason = Reason::NoNameMatch;
        else if (hits.size() > 1)
            r.reason = Reason::NameAmbiguous;
        else
            r.roster = hits[0];
    }
    if (r.roster >= 0) {
        r.outcome = Outcome::Imported;
        if (per_student_[r.roster] < UINT16_MAX)
            ++per_student_[r.roster];
    }
    recs_.push_back(r);
    rec_ssid_.push_back(ssid_ref);
}

void TableAMatcher::finish()
{
    for (size_t i = 0; i < recs_.size(); ++i) {
        ARecord &r = recs_[i];
        if (r.outcome == Outcome::Error)
            continue;
        bool dup_ssid = rec_ssid_[i] != nullptr && ssid_count_[*rec_ssid_[i]] > 1;
        bool dup_student = r.roster >= 0 && per_student_[r.roster] > 1;
        if (dup_ssid || dup_student) {
            r.outcome = Outcome::Duplicate;
            r.reason = Reason::None;
        }
    }
    rec_ssid_.clear();
    rec_ssid_.shrink_to_fit();
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
    by_student_id_[student_id].push_back(AKey{selpa_code, static_cast<uint32_t>(index)});
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
        auto it = by_student_id_.find(student_id);
        if (it != by_student_id_.end()) {
            for (const AKey &k : it->second) {
                // SELPA_CODE must agree when both records have one.
                if (!selpa_code.empty() && !k.selpa.empty() && k.selpa != selpa_code)
                    continue;
                const ARecord &a = a_[k.index];
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
    const auto &hits = roster_.by_ssid(ssid);
    if (hits.empty())
        res.reason = Reason::BSsidNotOnRoster;
    else if (hits.size() > 1)
        res.reason = Reason::BSsidAmbiguous;
    else {
        res.matched = true;
        res.roster = hits[0];
    }
    return res;
}

} // namespace casemis::match
