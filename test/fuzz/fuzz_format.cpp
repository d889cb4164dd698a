// fuzz_format.cpp -- libFuzzer target for the format layer: arbitrary bytes through
// TextScanner, CsvReader, check_headers and validate_record. Besides sanitizer
// findings it checks invariants and aborts on a violation:
//   * TextScanner agrees with a reference UTF-8 validator, fed whole or in pieces;
//   * CsvReader gives the same records (or the same CsvFatal) read whole or in small chunks;
//   * validate_record's output is shaped as promised (one value per column, problems
//     ordered by column, a wrong field count is exactly one problem);
//   * a date that parses prints as ISO and parses back to itself.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "format/csv_reader.hpp"
#include "format/dates.hpp"
#include "format/family.hpp"
#include "format/layout.hpp"
#include "format/text.hpp"
#include "reference.hpp"

using namespace casemis::format;

namespace {

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            invariant_failed(#cond, __LINE__);                                                     \
    } while (0)

[[noreturn]] void invariant_failed(const char *what, int line)
{
    std::fprintf(stderr, "invariant failed at fuzz_format.cpp:%d: %s\n", line, what);
    std::abort();
}

class ChunkSource : public ByteSource {
  public:
    ChunkSource(std::string_view d, size_t chunk) : d_(d), chunk_(chunk) {}
    size_t read(char *buf, size_t cap) override
    {
        size_t n = d_.size() - pos_;
        if (n > cap)
            n = cap;
        if (n > chunk_)
            n = chunk_;
        if (n)
            std::memcpy(buf, d_.data() + pos_, n);
        pos_ += n;
        return n;
    }

  private:
    std::string_view d_;
    size_t chunk_, pos_ = 0;
};


void check_text(std::string_view in)
{
    TextScanner whole;
    whole.feed(in.data(), in.size());
    whole.finish();
    TextScanner pieces; // split at varying points
    size_t at = 0, step = 1;
    while (at < in.size()) {
        size_t n = std::min(in.size() - at, step);
        pieces.feed(in.data() + at, n);
        at += n;
        step = step % 5 + 1;
    }
    pieces.finish();
    const long want = reference::bad_utf8_offset(in);
    REQUIRE(whole.valid_utf8() == (want < 0));
    REQUIRE(want < 0 || whole.first_bad_utf8_offset() == static_cast<uint64_t>(want));
    REQUIRE(pieces.valid_utf8() == whole.valid_utf8());
    REQUIRE(pieces.valid_utf8() || pieces.first_bad_utf8_offset() == whole.first_bad_utf8_offset());
    REQUIRE(pieces.has_bom() == whole.has_bom());
    REQUIRE(whole.has_bom() == (in.size() >= 3 && in.substr(0, 3) == "\xEF\xBB\xBF"));
    REQUIRE(pieces.has_nul() == whole.has_nul());
    REQUIRE(whole.has_nul() == (in.find('\0') != std::string_view::npos));
    REQUIRE(pieces.cp1252_undefined() == whole.cp1252_undefined());
    REQUIRE(whole.bytes() == in.size() && pieces.bytes() == in.size());
    bool high = false;
    for (char c : in)
        high = high || static_cast<unsigned char>(c) >= 0x80;
    REQUIRE(has_high_bytes(in) == high);
    const std::string_view t = trim(in);
    REQUIRE(t.empty() || (t.front() != ' ' && t.front() != '\t' && t.back() != ' ' && t.back() != '\t'));
}

// All records, and the CsvFatal message/line if one stopped the reading.
struct Parsed {
    std::vector<reference::Rec> recs;
    std::string fatal;
    uint64_t fatal_line = 0;
};

Parsed parse(ByteSource &src, const CsvLimits &lim, size_t block, char sep = ',')
{
    Parsed p;
    CsvReader reader(src, lim, block, sep);
    CsvRecord rec;
    uint64_t last_line = 0;
    try {
        while (reader.next(rec)) {
            REQUIRE(rec.line > last_line); // lines strictly increase
            REQUIRE(!rec.fields.empty() && rec.fields.size() <= lim.max_columns);
            last_line = rec.line;
            p.recs.push_back({rec.line, {rec.fields.begin(), rec.fields.end()}, rec.problem});
        }
    } catch (const CsvFatal &e) {
        p.fatal = e.what();
        p.fatal_line = e.line;
    }
    return p;
}

Layout small_table_a()
{
    Layout l;
    l.table = 'A';
    auto add = [&](const char *h, DataType t, Role r, bool key) -> FieldDef & {
        FieldDef f;
        f.header = h;
        f.position = static_cast<int>(l.fields.size()) + 1;
        f.type = t;
        f.role = r;
        f.key = key;
        f.target = h;
        l.fields.push_back(f);
        return l.fields.back();
    };
    add("SSID", DataType::Text, Role::Ssid, true);
    add("STUDENT_ID", DataType::Text, Role::StudentId, true).aliases = {"STU_ID"};
    add("LAST_NAME", DataType::Text, Role::LastName, true);
    add("FIRST_NAME", DataType::Text, Role::FirstName, true);
    add("BIRTHDATE", DataType::Date, Role::Birthdate, true).aliases = {"DOB", "B"};
    add("GRADE", DataType::Text, Role::Grade, false).codes = {"KN", "01", "02", "12"};
    add("IN_REGCLS", DataType::Percent, Role::None, false).aliases = {"P"};
    add("PLAN_TYPE", DataType::Text, Role::None, false).codes = {"10", "15", "20"};
    add("EXIT_DATE", DataType::Date, Role::None, false).aliases = {"D"};
    add("FILLER1", DataType::Text, Role::Filler, false);
    return l;
}

Layout small_table_b()
{
    Layout l;
    l.table = 'B';
    auto add = [&](const char *h, DataType t, Role r) -> FieldDef & {
        FieldDef f;
        f.header = h;
        f.type = t;
        f.role = r;
        f.key = r == Role::Ssid || r == Role::StudentId || r == Role::Service;
        l.fields.push_back(f);
        return l.fields.back();
    };
    add("STUDENT_ID", DataType::Text, Role::StudentId);
    add("SSID", DataType::Text, Role::Ssid);
    add("SERVICE", DataType::Text, Role::Service).aliases = {"SERV_CODE", "S"};
    add("START_DATE", DataType::Date, Role::None).aliases = {"D"};
    return l;
}

void check_dates(std::string_view v)
{
    Date d;
    const DateStatus st = parse_date(v, d);
    if (st == DateStatus::Ok) {
        const std::string iso = d.iso();
        Date again;
        REQUIRE(iso.size() == 10);
        REQUIRE(parse_date(iso, again) == DateStatus::Ok);
        REQUIRE(again.year == d.year && again.month == d.month && again.day == d.day);
        REQUIRE(d.year >= 1900 && d.year <= 2099 && d.day <= days_in_month(d.year, d.month));
    } else if (st == DateStatus::Blank) {
        REQUIRE(trim(v).empty());
    } else {
        REQUIRE(std::strlen(date_problem(st)) > 0);
    }
}

void check_layout(const std::vector<reference::Rec> &recs, const Layout &layout)
{
    if (recs.empty())
        return;
    std::vector<std::string_view> headers(recs[0].fields.begin(), recs[0].fields.end());
    const HeaderCheck hc = check_headers(headers, layout);
    REQUIRE(hc.columns.size() == headers.size());
    REQUIRE(hc.field_column.size() == layout.fields.size());
    const std::string msg = hc.fatal_message(layout);
    REQUIRE(hc.fatal() == !msg.empty());
    (void)hc.warnings();
    for (int r : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
        (void)hc.column_of(layout, static_cast<Role>(r));

    ValidatedRecord out;
    for (size_t i = 1; i < recs.size(); ++i) {
        CsvRecord rec;
        rec.line = recs[i].line;
        rec.fields.assign(recs[i].fields.begin(), recs[i].fields.end());
        rec.problem = recs[i].problem;
        validate_record(rec, hc, layout, out);
        REQUIRE(out.values.size() == hc.columns.size() && out.null.size() == hc.columns.size());
        if (rec.fields.size() != hc.columns.size() || !rec.problem.empty()) {
            REQUIRE(out.problems.size() == 1 && out.problems[0].column == -1);
            continue;
        }
        int last = -1;
        for (const Problem &p : out.problems) {
            REQUIRE(p.column > last && p.column < static_cast<int>(hc.columns.size()));
            REQUIRE(p.field == hc.columns[static_cast<size_t>(p.column)].header);
            REQUIRE(p.value == trim(rec.fields[static_cast<size_t>(p.column)]) && !p.value.empty());
            last = p.column;
        }
        for (size_t c = 0; c < out.values.size(); ++c)
            REQUIRE(out.null[c] == trim(rec.fields[c]).empty());
        for (int f : out.code_warnings)
            REQUIRE(f >= 0 && static_cast<size_t>(f) < layout.fields.size() &&
                    !layout.fields[static_cast<size_t>(f)].codes.empty());
    }
}

// A small CALPADS SPED layout: Record and Transaction Type Codes, keys, a date.
Layout small_sped()
{
    Layout l;
    l.table = 'A';
    l.family = Family::Calpads;
    l.name = "SPED";
    auto add = [&](int pos, const char *h, DataType t, Role r, bool key, std::vector<std::string> codes) {
        FieldDef f;
        f.position = pos;
        f.header = h;
        f.type = t;
        f.role = r;
        f.key = key;
        f.codes = std::move(codes);
        l.fields.push_back(std::move(f));
    };
    add(1, "Record Type Code", DataType::Code, Role::RecordType, false, {"SPED"});
    add(2, "Transaction Type Code", DataType::Code, Role::TransactionType, false, {"A"});
    add(3, "SSID", DataType::Text, Role::Ssid, true, {});
    add(4, "Local Student ID", DataType::Text, Role::LocalStudentId, true, {});
    add(5, "Student Legal First Name", DataType::Text, Role::FirstName, true, {});
    add(6, "Student Legal Last Name", DataType::Text, Role::LastName, true, {});
    add(7, "Student Birth Date", DataType::Date, Role::Birthdate, true, {});
    add(9, "Disability 1 Code", DataType::Text, Role::None, false, {"210", "240"});
    return l;
}

// CALPADS: the separator guess, the reader with that separator (whole = pieces),
// classify(), and for a positional file every record validated by position.
void check_calpads(std::string_view in, const CsvLimits &lim)
{
    const char sep = guess_separator(first_line(in));
    REQUIRE(sep == '^' || sep == ',');
    MemorySource mem(in);
    const Parsed whole = parse(mem, lim, in.size() + 1, sep);
    ChunkSource chunks(in, 1 + in.size() % 7);
    const Parsed pieces = parse(chunks, lim, 4 + in.size() % 11, sep);
    REQUIRE(whole.recs == pieces.recs);
    REQUIRE(whole.fatal == pieces.fatal && whole.fatal_line == pieces.fatal_line);
    if (whole.recs.empty())
        return;
    const Layout sped = small_sped();
    const std::vector<std::string_view> first(whole.recs[0].fields.begin(), whole.recs[0].fields.end());
    const FileShape shape = classify(first, sep, sped);
    if (shape.header) {
        check_layout(whole.recs, sped);
        return;
    }
    REQUIRE(shape.family == Family::Calpads && shape.separator == sep);
    const HeaderCheck hc = positional_columns(sped, first.size());
    REQUIRE(hc.positional && hc.columns.size() == std::max<size_t>(9, first.size()) && !hc.fatal());
    ValidatedRecord out;
    for (const reference::Rec &r : whole.recs) {
        CsvRecord rec;
        rec.line = r.line;
        rec.fields.assign(r.fields.begin(), r.fields.end());
        rec.problem = r.problem;
        validate_record(rec, hc, sped, out);
        REQUIRE(out.values.size() == hc.columns.size());
        if (rec.fields.size() != hc.columns.size() || !rec.problem.empty()) {
            REQUIRE(out.problems.size() == 1 && out.problems[0].column == -1);
            continue;
        }
        // a record with a blank or other Record Type Code is never good
        if (trim(rec.fields[0]) != "SPED")
            REQUIRE(!out.ok() && out.problems[0].column == 0);
        int last = -1;
        for (const Problem &p : out.problems) {
            REQUIRE(p.column > last && p.field == hc.columns[static_cast<size_t>(p.column)].header);
            last = p.column;
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view in(reinterpret_cast<const char *>(data), size);
    check_text(in);

    CsvLimits lim;
    lim.max_record_bytes = 512;
    lim.max_columns = 16;
    // One block for everything, versus short reads into a tiny block (records straddle refills).
    MemorySource mem(in);
    const Parsed whole = parse(mem, lim, size + 1); // all of it in one read
    ChunkSource chunks(in, 1 + size % 5);
    const Parsed pieces = parse(chunks, lim, 4 + size % 13);
    REQUIRE(whole.recs == pieces.recs);
    REQUIRE(whole.fatal == pieces.fatal && whole.fatal_line == pieces.fatal_line);

    for (const reference::Rec &r : whole.recs)
        for (const std::string &f : r.fields)
            check_dates(f);
    check_layout(whole.recs, small_table_a());
    check_layout(whole.recs, small_table_b());
    check_calpads(in, lim);
    return 0;
}
