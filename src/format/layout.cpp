// layout.cpp -- resolve a file's header row against a layout; validate records.
#include "format/layout.hpp"

#include <algorithm>
#include <unordered_map>

#include "format/dates.hpp"
#include "format/text.hpp"
#include "pg/cpp_only_file.hpp" // last: no PostgreSQL header above

namespace casemis::format {

namespace {

std::string upper(std::string_view s)
{
    std::string u(s);
    for (char &c : u)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    return u;
}

std::string join(const std::vector<std::string> &items, const char *sep)
{
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i)
            out += sep;
        out += items[i];
    }
    return out;
}

// At most `shown` names, then "and N more": a file with 100,000 columns must
// not make a run message (and its email) of megabytes.
std::string capped_list(const std::vector<std::string> &items, size_t shown = 100)
{
    if (items.size() <= shown)
        return join(items, ", ");
    std::vector<std::string> head(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(shown));
    return join(head, ", ") + " and " + std::to_string(items.size() - shown) + " more";
}

// "3 and 9", "3, 5 and 9" (1-based column numbers); past 100, "and N more".
std::string column_list(const std::vector<int> &cols)
{
    const size_t shown = cols.size() > 100 ? 100 : cols.size();
    std::string out;
    for (size_t i = 0; i < shown; ++i) {
        if (i)
            out += i + 1 == cols.size() ? " and " : ", ";
        out += std::to_string(cols[i] + 1);
    }
    if (shown < cols.size())
        out += " and " + std::to_string(cols.size() - shown) + " more";
    return out;
}

// "SERVICE (or SERV_CODE, SERVICE_CODE)": a field and the other names it answers to.
std::string with_aliases(const FieldDef &f)
{
    if (f.aliases.empty())
        return f.header;
    return f.header + " (or " + join(f.aliases, ", ") + ")";
}

// The layout's key fields as the spec names them: roles in their declared order
// (SSID, STUDENT_ID, LAST_NAME, FIRST_NAME, BIRTHDATE), then other keys by position.
std::vector<int> table_a_keys(const Layout &layout)
{
    std::vector<int> keys;
    for (size_t i = 0; i < layout.fields.size(); ++i)
        if (layout.fields[i].key)
            keys.push_back(static_cast<int>(i));
    auto rank = [&](int i) {
        Role r = layout.fields[static_cast<size_t>(i)].role;
        return r == Role::None ? 1000 : static_cast<int>(r);
    };
    std::stable_sort(keys.begin(), keys.end(), [&](int a, int b) { return rank(a) < rank(b); });
    return keys;
}

bool is_code(const FieldDef &f, std::string_view v)
{
    for (const std::string &c : f.codes)
        if (c == v)
            return true;
    return false;
}

// Why a value of a Code field is not imported (text kept in `buf`).
const char *code_problem(const FieldDef &f, std::string_view v, std::string &buf)
{
    if (f.role == Role::TransactionType && (v == "D" || v == "d"))
        buf = "D (delete) transactions are not imported";
    else
        buf = "not imported: expected " + std::string(f.role == Role::TransactionType ? "blank or " : "") +
              join(f.codes, " or ");
    return buf.c_str();
}

// Whole number 0..100, digits only (leading zeros allowed); writes it without them.
bool parse_percent(std::string_view v, std::string &out)
{
    size_t i = 0;
    while (i < v.size() && v[i] == '0')
        ++i;
    int n = 0;
    for (size_t j = i; j < v.size(); ++j) {
        if (v[j] < '0' || v[j] > '9')
            return false;
        n = n * 10 + (v[j] - '0');
        if (n > 100)
            return false;
    }
    if (v.empty())
        return false;
    char buf[4];
    int len = 0;
    if (n == 100) {
        buf[len++] = '1', buf[len++] = '0', buf[len++] = '0';
    } else {
        if (n >= 10)
            buf[len++] = static_cast<char>('0' + n / 10);
        buf[len++] = static_cast<char>('0' + n % 10);
    }
    out.assign(buf, static_cast<size_t>(len));
    return true;
}

} // namespace

int Layout::find_role(Role r) const
{
    for (size_t i = 0; i < fields.size(); ++i)
        if (fields[i].role == r)
            return static_cast<int>(i);
    return -1;
}

int HeaderCheck::column_of(const Layout &layout, Role r) const
{
    int f = layout.find_role(r);
    if (f < 0 || static_cast<size_t>(f) >= field_column.size())
        return -1;
    return field_column[static_cast<size_t>(f)];
}

namespace {

// Name -> field; a field's own header wins over another field's alias.
std::unordered_map<std::string, int> layout_names(const Layout &layout)
{
    std::unordered_map<std::string, int> names;
    for (size_t i = 0; i < layout.fields.size(); ++i)
        names.emplace(header_name(layout.fields[i].header, layout.family), static_cast<int>(i));
    for (size_t i = 0; i < layout.fields.size(); ++i)
        for (const std::string &a : layout.fields[i].aliases)
            names.emplace(header_name(a, layout.family), static_cast<int>(i));
    return names;
}

// Each file column bound to its field, or noted as empty, unknown or a duplicate.
void bind_columns(const std::vector<std::string_view> &file_headers, const Layout &layout, HeaderCheck &hc)
{
    const std::unordered_map<std::string, int> names = layout_names(layout);
    std::unordered_map<std::string, int> unknown_seen; // upper name -> first column
    auto add_duplicate = [&](const std::string &name) {
        if (std::find(hc.duplicate_headers.begin(), hc.duplicate_headers.end(), name) ==
            hc.duplicate_headers.end())
            hc.duplicate_headers.push_back(name);
    };

    for (size_t col = 0; col < file_headers.size(); ++col) {
        ColumnBinding cb;
        cb.header = std::string(trim(file_headers[col]));
        if (cb.header.empty()) {
            hc.empty_headers.push_back("column " + std::to_string(col + 1));
            hc.columns.push_back(std::move(cb));
            continue;
        }
        const std::string key = header_name(cb.header, layout.family);
        auto it = names.find(key);
        if (it != names.end()) {
            cb.field = it->second;
            int &fc = hc.field_column[static_cast<size_t>(cb.field)];
            if (fc >= 0)
                add_duplicate(layout.fields[static_cast<size_t>(cb.field)].header);
            else
                fc = static_cast<int>(col);
        } else if (unknown_seen.count(key)) {
            add_duplicate(hc.columns[static_cast<size_t>(unknown_seen[key])].header);
        } else {
            unknown_seen.emplace(key, static_cast<int>(col));
            hc.unknown_headers.push_back(cb.header);
        }
        hc.columns.push_back(std::move(cb));
    }
}

// The key fields and the other fields no column is bound to.
void note_missing(const Layout &layout, HeaderCheck &hc)
{
    auto missing = [&](int f) { return f < 0 || hc.field_column[static_cast<size_t>(f)] < 0; };
    if (layout.table == 'B') {
        // Keys by role: the student (STUDENT_ID or SSID) and the service code.
        const int sid = layout.find_role(Role::StudentId), ssid = layout.find_role(Role::Ssid);
        const int svc = layout.find_role(Role::Service);
        if (missing(sid) && missing(ssid)) {
            hc.missing_keys.push_back(
                (sid >= 0 ? layout.fields[static_cast<size_t>(sid)].header : "STUDENT_ID") +
                " or " + (ssid >= 0 ? layout.fields[static_cast<size_t>(ssid)].header : "SSID"));
        }
        if (missing(svc))
            hc.missing_keys.push_back(svc >= 0 ? layout.fields[static_cast<size_t>(svc)].header
                                               : "SERVICE");
        for (size_t i = 0; i < layout.fields.size(); ++i) {
            const int f = static_cast<int>(i);
            if (hc.field_column[i] < 0 && f != svc &&
                !((f == sid || f == ssid) && missing(sid) && missing(ssid)))
                hc.missing_fields.push_back(layout.fields[i].header);
        }
    } else {
        for (int f : table_a_keys(layout))
            if (missing(f))
                hc.missing_keys.push_back(layout.fields[static_cast<size_t>(f)].header);
        for (size_t i = 0; i < layout.fields.size(); ++i)
            if (hc.field_column[i] < 0 && !layout.fields[i].key)
                hc.missing_fields.push_back(layout.fields[i].header);
    }
}

} // namespace

HeaderCheck check_headers(const std::vector<std::string_view> &file_headers, const Layout &layout)
{
    HeaderCheck hc;
    hc.field_column.assign(layout.fields.size(), -1);
    bind_columns(file_headers, layout, hc);
    note_missing(layout, hc);
    return hc;
}

std::string header_name(std::string_view header, Family family)
{
    std::string u = upper(trim(header));
    if (family == Family::Calpads)
        u.erase(std::remove_if(u.begin(), u.end(), [](char c) { return c == ' ' || c == '_' || c == '-' || c == '.'; }),
                u.end());
    return u;
}

HeaderCheck positional_columns(const Layout &layout, size_t first_record_fields)
{
    HeaderCheck hc;
    hc.positional = true;
    hc.field_column.assign(layout.fields.size(), -1);
    size_t n = first_record_fields;
    for (const FieldDef &f : layout.fields)
        if (f.position > 0 && static_cast<size_t>(f.position) > n)
            n = static_cast<size_t>(f.position);
    hc.columns.resize(n);
    for (size_t i = 0; i < layout.fields.size(); ++i) {
        const int pos = layout.fields[i].position;
        if (pos <= 0)
            continue;
        ColumnBinding &cb = hc.columns[static_cast<size_t>(pos - 1)];
        if (cb.field >= 0) { // two fields at one position: the layout needs fixing
            hc.duplicate_headers.push_back("position " + std::to_string(pos) + " (" +
                                           layout.fields[static_cast<size_t>(cb.field)].header + ", " +
                                           layout.fields[i].header + ")");
            continue;
        }
        cb.field = static_cast<int>(i);
        cb.header = layout.fields[i].header;
        hc.field_column[i] = pos - 1;
    }
    for (size_t c = 0; c < n; ++c)
        if (hc.columns[c].field < 0)
            hc.columns[c].header = "field_" + std::to_string(c + 1);
    return hc;
}

namespace {

// The key headers a file of the layout must have, with their aliases.
std::string expected_key_headers(const Layout &layout)
{
    if (layout.table == 'B') {
        const int sid = layout.find_role(Role::StudentId), ssid = layout.find_role(Role::Ssid);
        const int svc = layout.find_role(Role::Service);
        return (sid >= 0 ? with_aliases(layout.fields[static_cast<size_t>(sid)]) : std::string("STUDENT_ID")) +
               " or " + (ssid >= 0 ? with_aliases(layout.fields[static_cast<size_t>(ssid)]) : std::string("SSID")) +
               ", and " + (svc >= 0 ? with_aliases(layout.fields[static_cast<size_t>(svc)]) : std::string("SERVICE"));
    }
    std::vector<std::string> names;
    for (int f : table_a_keys(layout))
        names.push_back(with_aliases(layout.fields[static_cast<size_t>(f)]));
    return join(names, ", ");
}

// The file's headers as found (the first 100, then how many more).
std::string found_headers(const HeaderCheck &hc)
{
    std::vector<std::string> found;
    const size_t shown = std::min<size_t>(hc.columns.size(), 100);
    for (size_t i = 0; i < shown; ++i)
        found.push_back(hc.columns[i].header.empty() ? "(empty)" : hc.columns[i].header);
    std::string found_text = found.empty() ? "(no headers)" : join(found, ", ");
    if (hc.columns.size() > shown)
        found_text += " and " + std::to_string(hc.columns.size() - shown) + " more";
    return found_text;
}

// Each duplicate header with the columns that carry it.
std::vector<std::string> duplicates_with_columns(const HeaderCheck &hc, const Layout &layout)
{
    std::vector<std::string> dups;
    for (const std::string &name : hc.duplicate_headers) {
        const std::string key = upper(name);
        std::vector<int> cols;
        for (size_t i = 0; i < hc.columns.size(); ++i) {
            const int f = hc.columns[i].field;
            const std::string &h = f >= 0 && static_cast<size_t>(f) < layout.fields.size()
                                       ? layout.fields[static_cast<size_t>(f)].header
                                       : hc.columns[i].header;
            if (!h.empty() && upper(h) == key)
                cols.push_back(static_cast<int>(i));
        }
        dups.push_back(cols.size() > 1 ? name + " (columns " + column_list(cols) + ")" : name);
    }
    return dups;
}

} // namespace

std::string HeaderCheck::fatal_message(const Layout &layout) const
{
    std::vector<std::string> parts;
    if (!missing_keys.empty())
        parts.push_back(layout.title() + " key header(s) missing or misnamed: " + join(missing_keys, ", ") +
                        ". Expected key headers: " + expected_key_headers(layout) + ". Found: " +
                        found_headers(*this) + ".");
    if (!duplicate_headers.empty())
        parts.push_back("Duplicate header(s): " + capped_list(duplicates_with_columns(*this, layout)) + ".");
    if (!empty_headers.empty()) {
        std::vector<std::string> empties;
        for (const std::string &c : empty_headers)
            empties.push_back(c + " has no header");
        parts.push_back("Header row incomplete: " + capped_list(empties) + ".");
    }
    return join(parts, " ");
}

std::vector<std::string> HeaderCheck::warnings() const
{
    std::vector<std::string> w;
    if (!unknown_headers.empty())
        w.push_back("Unknown header(s), kept as extra data: " + capped_list(unknown_headers) + ".");
    if (!missing_fields.empty())
        w.push_back("Header(s) of the layout not found in the file: " + capped_list(missing_fields) +
                    ".");
    return w;
}

namespace {

// A problem of the record as a whole (an unterminated quote, a field count
// other than the header's, a stray quote): the record's only problem, with no
// values. False when there is none.
bool whole_record_problem(const CsvRecord &rec, size_t n, ValidatedRecord &out)
{
    std::string problem;
    // An unterminated quote swallows the rest of the file into this record, so
    // its field count is only a consequence: name the cause.
    if (rec.problem == "unterminated quoted field")
        problem = rec.problem + ": a quote opened in this record is never closed, so the rest of the file "
                                "was read into it";
    else if (rec.fields.size() != n)
        problem = "expected " + std::to_string(n) + " fields, found " + std::to_string(rec.fields.size());
    else if (!rec.problem.empty())
        problem = rec.problem;
    else
        return false;
    for (std::string &v : out.values)
        v.clear();
    Problem p;
    p.problem = std::move(problem);
    out.problems.push_back(std::move(p));
    return true;
}

// One non-blank value of a layout field, by its data type, into `value`
// (a date as ISO, a percent as digits); the problem, or nullptr. A text value
// outside its codes is a code warning (f is added to code_warnings).
inline const char *field_value(const FieldDef &def, int f, std::string_view v, std::string &value,
                               std::string &code_text, std::vector<int> &code_warnings)
{
    code_text.clear();
    switch (def.type) {
    case DataType::Text:
        value.assign(v.data(), v.size());
        if (!def.codes.empty() && !is_code(def, v))
            code_warnings.push_back(f);
        return nullptr;
    case DataType::Date: {
        Date d;
        DateStatus st = parse_date(v, d);
        if (st == DateStatus::Ok) {
            d.iso(value);
            return nullptr;
        }
        return date_problem(st);
    }
    case DataType::Percent:
        return parse_percent(v, value) ? nullptr : "not a whole percent from 0 to 100";
    case DataType::Code:
        value.assign(v.data(), v.size());
        return is_code(def, v) ? nullptr : code_problem(def, v, code_text);
    }
    return nullptr;
}

} // namespace

void validate_record(const CsvRecord &rec, const HeaderCheck &hc, const Layout &layout,
                     ValidatedRecord &out)
{
    const size_t n = hc.columns.size();
    out.values.resize(n);
    out.null.assign(n, true);
    out.problems.clear();
    out.code_warnings.clear();
    if (whole_record_problem(rec, n, out))
        return;

    std::string code_text;
    auto add_problem = [&](size_t i, std::string problem) {
        Problem p;
        p.column = static_cast<int>(i);
        p.field = hc.columns[i].header;
        p.value = out.values[i];
        p.problem = std::move(problem);
        out.problems.push_back(std::move(p));
    };
    for (size_t i = 0; i < n; ++i) {
        const std::string_view v = trim(rec.fields[i]);
        std::string &value = out.values[i];
        if (v.empty()) {
            value.clear();
            const int bf = hc.columns[i].field;
            if (hc.positional && bf >= 0 && layout.fields[static_cast<size_t>(bf)].role == Role::RecordType)
                add_problem(i, "blank: a record of a " + layout.title() + " file without a header row starts with " +
                                   join(layout.fields[static_cast<size_t>(bf)].codes, " or "));
            continue;
        }
        out.null[i] = false;
        const int f = hc.columns[i].field;
        if (f < 0 || static_cast<size_t>(f) >= layout.fields.size()) {
            value.assign(v.data(), v.size()); // unknown column: kept as text
            continue;
        }
        const char *problem =
            field_value(layout.fields[static_cast<size_t>(f)], f, v, value, code_text, out.code_warnings);
        if (problem) {
            value.assign(v.data(), v.size());
            add_problem(i, problem);
        }
    }
}

} // namespace casemis::format
