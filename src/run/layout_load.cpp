// layout_load.cpp -- see layout_load.hpp.
#include "run/layout_load.hpp"

#include <string>
#include <vector>

#include "run/import.hpp"
#include "run/table_file.hpp"

namespace casemis::run {

using namespace casemis::format;

namespace {

std::vector<std::string> split(const std::string &s, char sep)
{
    std::vector<std::string> out;
    if (s.empty())
        return out;
    size_t start = 0;
    for (;;) {
        size_t p = s.find(sep, start);
        out.push_back(s.substr(start, p == std::string::npos ? p : p - start));
        if (p == std::string::npos)
            break;
        start = p + 1;
    }
    return out;
}

Role role_of(const std::string &r)
{
    if (r == "ssid") return Role::Ssid;
    if (r == "student_id") return Role::StudentId;
    if (r == "last_name") return Role::LastName;
    if (r == "first_name") return Role::FirstName;
    if (r == "birthdate") return Role::Birthdate;
    if (r == "grade") return Role::Grade;
    if (r == "selpa_code") return Role::SelpaCode;
    if (r == "service") return Role::Service;
    if (r == "filler") return Role::Filler;
    if (r == "record_type") return Role::RecordType;
    if (r == "transaction_type") return Role::TransactionType;
    if (r == "local_student_id") return Role::LocalStudentId;
    if (r == "meeting_id") return Role::MeetingId;
    if (r == "meeting_date") return Role::MeetingDate;
    if (r == "amendment_date") return Role::AmendmentDate;
    return Role::None;
}

} // namespace

Layout load_layout(pg::Spi &spi, char table)
{
    return load_layout(spi, std::string(1, table));
}

Layout load_layout(pg::Spi &spi, const std::string &t)
{
    Layout l;
    const bool calpads = t == "SPED" || t == "SSRV";
    l.table = t == "B" || t == "SSRV" ? 'B' : 'A';
    l.family = calpads ? Family::Calpads : Family::Casemis;
    l.name = calpads ? t : "Table " + t;
    const char table = l.table;
    auto rows = spi.query(
        "SELECT f.header, f.position::text, f.data_type, coalesce(f.target_column, ''), coalesce(f.role, ''), "
        "f.is_key::text, coalesce(array_to_string(f.codes, E'\\x1f'), ''), "
        "coalesce((SELECT string_agg(a.alias, E'\\x1f' ORDER BY a.alias) FROM casemis.layout_alias a "
        "          WHERE a.layout = f.layout AND a.header = f.header), '') "
        "FROM casemis.layout_field f WHERE f.layout = $1 ORDER BY f.position, f.header",
        {t});
    for (auto &r : rows) {
        FieldDef f;
        f.header = *r[0];
        f.position = std::stoi(*r[1]);
        f.type = *r[2] == "date"      ? DataType::Date
                 : *r[2] == "percent" ? DataType::Percent
                 : *r[2] == "code"    ? DataType::Code
                                      : DataType::Text;
        f.target = *r[3];
        f.role = role_of(*r[4]);
        f.key = *r[5] == "true";
        f.codes = split(*r[6], '\x1f');
        f.aliases = split(*r[7], '\x1f');
        l.fields.push_back(std::move(f));
    }
    const char *rel = table == 'A' ? "casemis.cse" : "casemis.csv";
    for (const auto &f : l.fields) {
        if (f.target.empty())
            continue;
        auto ok = spi.scalar("SELECT count(*)::text FROM pg_catalog.pg_attribute WHERE attrelid = $1::regclass "
                             "AND attname = $2 AND attnum > 0 AND NOT attisdropped",
                             {std::string(rel), f.target});
        if (ok.value_or("0") == "0")
            throw Error(ERRCODE_UNDEFINED_COLUMN,
                        "layout " + t + " field " + f.header + " names target column \"" + f.target + "\", which " +
                            rel + " does not have",
                        "", std::string("Fix casemis.layout_field, or ALTER TABLE ") + rel + " ADD COLUMN " + f.target + " text.");
    }
    return l;
}

RunLayouts run_layouts(pg::Spi &spi, const std::string &file_format, const source::FileInfo &students,
                       bool with_services, const source::FileInfo &services, const CsvLimits &limits)
{
    RunLayouts rl;
    Layout sped = load_layout(spi, std::string("SPED"));
    Layout table_a = load_layout(spi, 'A');
    rl.students_shape = file_shape(students, limits, sped, &table_a);
    Layout ssrv, table_b;
    if (with_services) {
        ssrv = load_layout(spi, std::string("SSRV"));
        table_b = load_layout(spi, 'B');
        rl.services_shape = file_shape(services, limits, ssrv, &table_b);
    }
    const FamilyChoice c = choose_family(format_setting(file_format), rl.students_shape, students.label,
                                         with_services, rl.services_shape, services.label);
    if (!c.failure.empty())
        throw RunFailure(c.failure, "", c.hint);
    rl.family = c.family;
    if (c.family == Family::Calpads) {
        rl.students_shape.family = Family::Calpads;
        rl.services_shape.family = Family::Calpads;
        rl.students = std::move(sped);
        rl.services = std::move(ssrv);
    } else {
        rl.students_shape = FileShape{}; // CASEMIS: a header row, ','
        rl.services_shape = FileShape{};
        rl.students = std::move(table_a);
        if (with_services)
            rl.services = std::move(table_b);
    }
    return rl;
}

} // namespace casemis::run
