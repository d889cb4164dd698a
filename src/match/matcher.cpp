// pure C++ -- (marker read by test/unit/Makefile)
// matcher.cpp -- Table A and Table B matching rules (README, "What one run does", steps 5 and 7).
#include "match/matcher.hpp"
#include "pg/cpp_only_file.hpp" // last: no PostgreSQL header above

#include <algorithm>
#include <stdexcept>

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
    k.append(utf8_prefix(last, kNameChars));
    k.push_back('\x1f');
    k.append(utf8_prefix(first, kNameChars));
    k.push_back('\x1f');
    k.append(birthdate);
    return k;
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

void Roster::add(int64_t student_id, std::string_view ssid, std::string_view key, std::string_view grade)
{
    const int32_t idx = static_cast<int32_t>(ids_.size());
    ids_.push_back(student_id);
    by_id_.clear();
    if (!grade.empty() || !grade_of_.empty()) {
        grade_of_.resize(ids_.size() - 1, KeyTable::npos);
        grade_of_.push_back(grade.empty() ? KeyTable::npos : grades_.insert(grade));
    }
    if (!ssid.empty())
        note(ssid_keys_, ssid_hits_, ssid, idx);
    if (!key.empty())
        note(name_keys_, name_hits_, key, idx);
}

std::string_view Roster::grade(int32_t idx) const
{
    if (idx < 0 || static_cast<size_t>(idx) >= grade_of_.size() || grade_of_[idx] == KeyTable::npos)
        return {};
    return grades_.key(grade_of_[idx]);
}

void Roster::finish()
{
    by_id_.resize(ids_.size());
    for (size_t k = 0; k < ids_.size(); ++k)
        by_id_[k] = static_cast<int32_t>(k);
    std::stable_sort(by_id_.begin(), by_id_.end(), [&](int32_t a, int32_t b) { return ids_[a] < ids_[b]; });
}

Hits Roster::by_student_id(std::string_view text) const
{
    Hits h;
    // decimal digits only (an optional leading '-'), as student_id::text prints it
    int64_t v = 0;
    size_t i = text.size() > 1 && text[0] == '-' ? 1 : 0;
    if (i == text.size() || text.size() > 19)
        return h;
    for (size_t j = i; j < text.size(); ++j) {
        if (text[j] < '0' || text[j] > '9')
            return h;
        v = v * 10 + (text[j] - '0');
    }
    if (i)
        v = -v;
    return by_id(v);
}

Hits Roster::by_id(int64_t v) const
{
    Hits h;
    if (by_id_.size() != ids_.size())
        throw std::logic_error("Roster::by_id before Roster::finish()");
    auto lo = std::lower_bound(by_id_.begin(), by_id_.end(), v, [&](int32_t a, int64_t x) { return ids_[a] < x; });
    if (lo == by_id_.end() || ids_[*lo] != v)
        return h;
    h.first = *lo;
    h.several = lo + 1 != by_id_.end() && ids_[*(lo + 1)] == v;
    return h;
}

uint32_t later_date(std::string_view a, std::string_view b)
{
    auto num = [](std::string_view iso) -> uint32_t {
        if (iso.size() != 10)
            return 0;
        uint32_t n = 0;
        for (char c : iso)
            if (c >= '0' && c <= '9')
                n = n * 10 + static_cast<uint32_t>(c - '0');
        return n;
    };
    return std::max(num(a), num(b));
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
    case Reason::SsidLocalIdDisagree: return "SSID and Local Student ID name two different roster students (they disagree)";
    case Reason::LocalIdNotOnRoster: return "no SSID, and the Local Student ID is not a student_id on the roster";
    case Reason::SpedNoNameMatch: return "no SSID or Local Student ID, and no roster student has this last name, first name and birth date";
    case Reason::SpedNameAmbiguous: return "no SSID or Local Student ID, and the last name, first name and birth date match more than one roster student (ambiguous)";
    case Reason::SpedNoIdentity: return "no SSID or Local Student ID, and last name, first name or birth date is blank, so the record cannot be matched by name";
    case Reason::MeetingDuplicate: return "SPED record with this SSID and Meeting or Amendment Identifier was a duplicate";
    case Reason::MeetingError: return "SPED record with this SSID and Meeting or Amendment Identifier had errors";
    case Reason::LocalSpedDuplicate: return "SPED record with this Local Special Education Student ID was a duplicate";
    case Reason::LocalSpedError: return "SPED record with this Local Special Education Student ID had errors";
    case Reason::LocalSpedAmbiguous: return "Local Special Education Student ID matches SPED records of more than one student (ambiguous)";
    case Reason::SsrvSsidNotOnRoster: return "no imported SPED record has this SSID and Meeting or Amendment Identifier or this Local Special Education Student ID, and the SSID is not on the roster";
    case Reason::SsrvSsidAmbiguous: return "no imported SPED record has this SSID and Meeting or Amendment Identifier or this Local Special Education Student ID, and the SSID belongs to more than one roster student (ambiguous)";
    case Reason::SsrvNoKey: return "no imported SPED record has this Local Special Education Student ID, and the record has no SSID";
    }
    return "";
}

void TableAMatcher::add_error(uint32_t line)
{
    recs_.push_back(ARecord{line, Outcome::Error, Reason::None, false, -1});
    rec_ssid_.push_back(KeyTable::npos);
    if (calpads_) {
        rec_ssid_meet_.push_back(KeyTable::npos);
        rec_student_meet_.push_back(KeyTable::npos);
        rec_date_.push_back(0);
    }
}

namespace {

// Count one more record under key k (ids dense, counts grow with them).
uint32_t count_key(KeyTable &keys, std::vector<uint32_t> &counts, const std::string &k)
{
    bool added = false;
    const uint32_t id = keys.insert(k, &added);
    if (added)
        counts.push_back(0);
    ++counts[id];
    return id;
}

} // namespace

// SSID, else Local Student ID, else name + birth date (README "CALPADS files").
int32_t TableAMatcher::resolve_sped(const std::string &ssid, const std::string &key, const SpedKeys &sped,
                                    Reason &reason) const
{
    if (!ssid.empty()) {
        const Hits hits = roster_.by_ssid(ssid);
        if (hits.empty() || hits.several) {
            reason = hits.empty() ? Reason::SsidNotOnRoster : Reason::SsidAmbiguous;
            return -1;
        }
        if (!sped.local_id.empty()) {
            const Hits local = roster_.by_student_id(sped.local_id);
            if (!local.empty() && (local.several || local.first != hits.first)) {
                reason = Reason::SsidLocalIdDisagree;
                return -1;
            }
        }
        return hits.first;
    }
    if (!sped.local_id.empty()) {
        const Hits local = roster_.by_student_id(sped.local_id);
        if (local.empty() || local.several) {
            reason = Reason::LocalIdNotOnRoster;
            return -1;
        }
        return local.first;
    }
    if (key.empty()) {
        reason = Reason::SpedNoIdentity;
        return -1;
    }
    const Hits hits = roster_.by_name(key);
    if (hits.empty() || hits.several) {
        reason = hits.empty() ? Reason::SpedNoNameMatch : Reason::SpedNameAmbiguous;
        return -1;
    }
    return hits.first;
}

// CALPADS: a SPED record, with its (SSID, meeting) and (student, meeting) keys counted.
void TableAMatcher::add_sped(ARecord r, const std::string &ssid, const std::string &key, const SpedKeys &sped)
{
    r.roster = resolve_sped(ssid, key, sped, r.reason);
    if (r.roster >= 0)
        r.outcome = Outcome::Imported;
    std::string k;
    uint32_t sm = KeyTable::npos, stm = KeyTable::npos;
    if (!ssid.empty()) {
        k.assign(ssid).push_back('\x1f');
        k.append(sped.meeting_id);
        sm = count_key(ssid_meet_, ssid_meet_count_, k);
    }
    if (r.roster >= 0) {
        k.assign(std::to_string(r.roster)).push_back('\x1f');
        k.append(sped.meeting_id);
        stm = count_key(student_meet_, student_meet_count_, k);
    }
    recs_.push_back(r);
    rec_ssid_.push_back(KeyTable::npos);
    rec_ssid_meet_.push_back(sm);
    rec_student_meet_.push_back(stm);
    rec_date_.push_back(sped.plan_date);
}

// A local record's student: by SSID (counted, for duplicates) when it has one,
// else by name key; sets r.roster or r.reason. Returns the SSID's id (or npos).
uint32_t TableAMatcher::resolve_local(const std::string &ssid, const std::string &key, ARecord &r)
{
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
    return ssid_id;
}

void TableAMatcher::add(uint32_t line, const std::string &ssid, const std::string &key, const SpedKeys &sped)
{
    ARecord r{line, Outcome::Unmatched, Reason::None, true, -1};
    if (calpads_) {
        add_sped(r, ssid, key, sped);
        return;
    }
    const uint32_t ssid_id = resolve_local(ssid, key, r);
    if (r.roster >= 0) {
        r.outcome = Outcome::Imported;
        if (per_student_[r.roster] < UINT16_MAX)
            ++per_student_[r.roster];
    }
    recs_.push_back(r);
    rec_ssid_.push_back(ssid_id);
}

// Duplicates by student + meeting identifier; then each student's latest
// imported record (plan date, then line) is the one that writes cse.
void TableAMatcher::finish_sped()
{
    std::vector<int32_t> latest(roster_.size(), -1);
    for (size_t i = 0; i < recs_.size(); ++i) {
        ARecord &r = recs_[i];
        if (r.outcome == Outcome::Error)
            continue;
        const bool dup = (rec_ssid_meet_[i] != KeyTable::npos && ssid_meet_count_[rec_ssid_meet_[i]] > 1) ||
                         (rec_student_meet_[i] != KeyTable::npos && student_meet_count_[rec_student_meet_[i]] > 1);
        if (dup) {
            r.outcome = Outcome::Duplicate;
            r.reason = Reason::None;
            r.writes_cse = false;
            continue;
        }
        if (r.outcome != Outcome::Imported)
            continue;
        int32_t &best = latest[r.roster];
        if (best < 0 || rec_date_[i] > rec_date_[best] ||
            (rec_date_[i] == rec_date_[best] && r.line > recs_[best].line))
            best = static_cast<int32_t>(i);
    }
    for (size_t i = 0; i < recs_.size(); ++i) {
        ARecord &r = recs_[i];
        r.writes_cse = r.outcome == Outcome::Imported && latest[r.roster] == static_cast<int32_t>(i);
    }
    ssid_meet_ = KeyTable();
    student_meet_ = KeyTable();
    for (auto *v : {&ssid_meet_count_, &student_meet_count_, &rec_ssid_meet_, &rec_student_meet_, &rec_date_})
        std::vector<uint32_t>().swap(*v);
}

void TableAMatcher::finish()
{
    if (calpads_)
        return finish_sped();
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

void ServiceMatcher::add_a(size_t index, const std::string &student_id, const std::string &selpa_code,
                           std::string_view ssid, std::string_view meeting_id)
{
    if (calpads_ && !ssid.empty()) {
        std::string k(ssid);
        k.push_back('\x1f');
        k.append(meeting_id);
        bool added = false;
        const uint32_t id = ssid_meet_.insert(k, &added);
        if (added)
            meet_head_.push_back(KeyTable::npos);
        meet_links_.push_back(MeetLink{static_cast<uint32_t>(index), meet_head_[id]});
        meet_head_[id] = static_cast<uint32_t>(meet_links_.size() - 1);
    }
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

bool ServiceMatcher::by_meeting(std::string_view ssid, std::string_view meeting_id, Result &res) const
{
    if (ssid.empty())
        return false;
    std::string k(ssid);
    k.push_back('\x1f');
    k.append(meeting_id);
    const uint32_t id = ssid_meet_.find(k);
    if (id == KeyTable::npos)
        return false;
    bool dup = false, err = false;
    for (uint32_t l = meet_head_[id]; l != KeyTable::npos; l = meet_links_[l].next) {
        const ARecord &a = a_[meet_links_[l].index];
        if (a.outcome == Outcome::Imported) {
            res.matched = true;
            res.roster = a.roster;
            return true;
        }
        dup = dup || a.outcome == Outcome::Duplicate;
        err = err || a.outcome == Outcome::Error;
    }
    if (!dup && !err)
        return false; // unmatched SPED records: go on to the next rule
    res.reason = dup ? Reason::MeetingDuplicate : Reason::MeetingError;
    return true;
}

// The Table A records of the STUDENT_ID whose SELPA_CODE agrees (when both
// records have one): the imported student, or what the others were.
ServiceMatcher::IdHits ServiceMatcher::by_student_id(const std::string &student_id,
                                                     const std::string &selpa_code) const
{
    IdHits h;
    if (student_id.empty())
        return h;
    const uint32_t id = student_ids_.find(student_id);
    // A SELPA_CODE no Table A record has agrees with no record that has one.
    const uint32_t selpa = selpa_code.empty() ? KeyTable::npos : selpas_.find(selpa_code);
    for (uint32_t k = id == KeyTable::npos ? KeyTable::npos : head_[id]; k != KeyTable::npos; k = akeys_[k].next) {
        const AKey &ak = akeys_[k];
        // SELPA_CODE must agree when both records have one.
        if (!selpa_code.empty() && ak.selpa != KeyTable::npos && ak.selpa != selpa)
            continue;
        const ARecord &a = a_[ak.index];
        if (a.outcome == Outcome::Imported) {
            if (h.student >= 0 && h.student != a.roster)
                h.several = true;
            h.student = a.roster;
        } else if (a.outcome == Outcome::Duplicate) {
            h.dup = true;
        } else if (a.outcome == Outcome::Error) {
            h.err = true;
        }
    }
    return h;
}

// The last rule: the record's SSID on the roster.
ServiceMatcher::Result ServiceMatcher::by_roster_ssid(const std::string &ssid) const
{
    Result res;
    if (ssid.empty()) {
        res.reason = calpads_ ? Reason::SsrvNoKey : Reason::BNoKey;
        return res;
    }
    const Hits hits = roster_.by_ssid(ssid);
    if (hits.empty())
        res.reason = calpads_ ? Reason::SsrvSsidNotOnRoster : Reason::BSsidNotOnRoster;
    else if (hits.several)
        res.reason = calpads_ ? Reason::SsrvSsidAmbiguous : Reason::BSsidAmbiguous;
    else {
        res.matched = true;
        res.roster = hits.first;
    }
    return res;
}

ServiceMatcher::Result ServiceMatcher::match(const std::string &student_id,
                                             const std::string &selpa_code,
                                             const std::string &ssid, std::string_view meeting_id) const
{
    Result res;
    if (calpads_ && by_meeting(ssid, meeting_id, res))
        return res;
    const IdHits h = by_student_id(student_id, selpa_code);
    if (h.several) {
        res.reason = calpads_ ? Reason::LocalSpedAmbiguous : Reason::AAmbiguous;
    } else if (h.student >= 0) {
        res.matched = true;
        res.roster = h.student;
    } else if (h.dup) {
        res.reason = calpads_ ? Reason::LocalSpedDuplicate : Reason::ADuplicate;
    } else if (h.err) {
        res.reason = calpads_ ? Reason::LocalSpedError : Reason::AError;
    } else {
        res = by_roster_ssid(ssid);
    }
    return res;
}

} // namespace casemis::match
