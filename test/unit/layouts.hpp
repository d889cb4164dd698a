// layouts.hpp -- test layouts shaped like the shipped ones (src/sql/10_layout.sql).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "format/layout.hpp"

namespace testlayouts {

using namespace casemis::format;

// Table A, 67 fields in TAG order. Aliases for tests: BIRTHDATE also "DOB".
inline Layout table_a()
{
    static const char *const headers[67] = {
        "REPT_DATE",  "SELPA_CODE", "SELPA_FROM", "DIST_SERV",  "DIST_RESI",  "SCH_CODE",
        "SCH_TYPE",   "LAST_NAME",  "FIRST_NAME", "STUDENT_ID", "SSID",       "FILLER",
        "BIRTHDATE",  "GENDER",     "ETHNICITY",  "RACE1",      "RACE2",      "RACE3",
        "EL",         "NATIVE_LANG", "EARLY_INT", "IN_RFRDATE", "IN_RFRBY",   "IN_PRNTCST",
        "IN_INTEVAL", "RFRDATE",    "REFR_BY",    "PRNT_CSNT",  "INITEVAL",   "EVLDLAY",
        "TBDLAY",     "PLAN_TYPE",  "MIGRANT",    "RESID_STAT", "ENTRY_DATE", "LAST_IEP",
        "LAST_EVAL",  "DISABILIT1", "DISABILIT2", "SOLE_LOW",   "INFANT_SET", "FEDSET_INF",
        "FEDSET_PRS", "FEDSET_SCH", "IN_REGCLS",  "GRADE",      "TRAN_REG1",  "TRAN_REG2",
        "TRAN_REG3",  "TRAN_REG4",  "TRAN_REG5",  "TRAN_REG6",  "TRAN_REG7",  "TRAN_REG8",
        "SPEC_TRANS", "PARINPUT",   "FILLER1",    "FILLER2",    "FILLER3",    "FILLER4",
        "FILLER5",    "FILLER6",    "GRAD_PLAN",  "EXIT_DATE",  "EXIT_RESON", "IEPDELAY",
        "TRIDELAY"};
    static const std::vector<std::string> dates = {
        "REPT_DATE", "IN_RFRDATE", "IN_PRNTCST", "IN_INTEVAL", "RFRDATE",   "PRNT_CSNT",
        "INITEVAL",  "ENTRY_DATE", "LAST_IEP",   "LAST_EVAL",  "BIRTHDATE", "EXIT_DATE"};
    const std::vector<std::string> disab = {"210", "220", "230", "240", "250", "260", "270",
                                            "280", "281", "290", "300", "310", "320", "330"};
    Layout l;
    l.table = 'A';
    for (int i = 0; i < 67; ++i) {
        FieldDef f;
        f.header = headers[i];
        f.position = i + 1;
        f.target = f.header;
        for (const std::string &d : dates)
            if (f.header == d)
                f.type = DataType::Date;
        if (f.header == "IN_REGCLS")
            f.type = DataType::Percent;
        if (f.header == "PLAN_TYPE")
            f.codes = {"10", "15", "20", "30", "70", "80", "90"};
        if (f.header == "DISABILIT1" || f.header == "DISABILIT2")
            f.codes = disab;
        struct RoleOf {
            const char *h;
            Role r;
            bool key;
        };
        for (RoleOf ro : {RoleOf{"SSID", Role::Ssid, true}, RoleOf{"STUDENT_ID", Role::StudentId, true},
                          RoleOf{"LAST_NAME", Role::LastName, true},
                          RoleOf{"FIRST_NAME", Role::FirstName, true},
                          RoleOf{"BIRTHDATE", Role::Birthdate, true},
                          RoleOf{"GRADE", Role::Grade, false},
                          RoleOf{"SELPA_CODE", Role::SelpaCode, false}})
            if (f.header == ro.h)
                f.role = ro.r, f.key = ro.key;
        if (f.header.rfind("FILLER", 0) == 0)
            f.role = Role::Filler;
        if (f.header == "BIRTHDATE")
            f.aliases = {"DOB"};
        l.fields.push_back(f);
    }
    return l;
}

inline Layout table_b()
{
    Layout l;
    l.table = 'B';
    auto add = [&](const char *h, Role r, bool key, DataType t = DataType::Text) {
        FieldDef f;
        f.header = h;
        f.position = static_cast<int>(l.fields.size()) + 1;
        f.role = r;
        f.key = key;
        f.type = t;
        l.fields.push_back(f);
    };
    add("SELPA_CODE", Role::SelpaCode, false);
    add("STUDENT_ID", Role::StudentId, true);
    add("SSID", Role::Ssid, true);
    add("SERVICE", Role::Service, true);
    add("PROVIDER", Role::None, false);
    add("START_DATE", Role::None, false, DataType::Date);
    l.fields[3].aliases = {"SERV_CODE", "SERVICE_CODE"};
    return l;
}

inline std::vector<std::string> table_a_headers()
{
    std::vector<std::string> h;
    for (const FieldDef &f : table_a().fields)
        h.push_back(f.header);
    return h;
}

inline std::vector<std::string_view> views(const std::vector<std::string> &v)
{
    return std::vector<std::string_view>(v.begin(), v.end());
}

} // namespace testlayouts
