// csv_test.cpp -- CsvReader: RFC 4180 quoting, line ends, line numbers, limits.
#include <unistd.h>

#include <algorithm>

#include <string>
#include <vector>

#include "format/csv_reader.hpp"
#include "harness.hpp"
#include "reference.hpp"

using reference::Rec;

namespace reference {
// How CHECK_EQ prints a record (found by argument-dependent lookup).
std::ostream &operator<<(std::ostream &os, const Rec &r)
{
    os << "line " << r.line << " " << harness::show(r.fields);
    if (!r.problem.empty())
        os << " problem " << harness::quote(r.problem);
    return os;
}
} // namespace reference

using namespace casemis::format;

namespace {

// Hands out at most `chunk` bytes per read, so records straddle every refill.
class ChunkSource : public ByteSource {
  public:
    ChunkSource(std::string_view data, size_t chunk) : data_(data), chunk_(chunk) {}
    size_t read(char *buf, size_t cap) override
    {
        size_t n = std::min({chunk_, cap, data_.size() - pos_});
        std::copy(data_.begin() + static_cast<long>(pos_),
                  data_.begin() + static_cast<long>(pos_ + n), buf);
        pos_ += n;
        return n;
    }

  private:
    std::string_view data_;
    size_t chunk_, pos_ = 0;
};

std::vector<Rec> read_all(ByteSource &src, CsvLimits lim = {}, size_t block = 0)
{
    CsvReader reader = block ? CsvReader(src, lim, block) : CsvReader(src, lim);
    std::vector<Rec> out;
    CsvRecord rec;
    while (reader.next(rec))
        out.push_back({rec.line, std::vector<std::string>(rec.fields.begin(), rec.fields.end()),
                       rec.problem});
    CHECK(!reader.next(rec)); // stays at end
    return out;
}

// Parses in one piece, from a source that hands out 1, 2, 3 or 7 bytes per read,
// and with the reader's own block only 4, 5 or 16 bytes long: all must agree.
std::vector<Rec> parse(std::string_view data, CsvLimits lim = {})
{
    MemorySource whole(data);
    std::vector<Rec> expected = read_all(whole, lim);
    for (size_t chunk : {1, 2, 3, 7}) {
        ChunkSource src(data, chunk);
        CHECK_EQ(read_all(src, lim), expected);
    }
    for (size_t block : {4, 5, 16}) {
        MemorySource src(data);
        CHECK_EQ(read_all(src, lim, block), expected);
    }
    return expected;
}

using Fields = std::vector<std::string>;

// The i-th record, or an empty one (line 0) so a short result fails a check, not the run.
Rec at(const std::vector<Rec> &r, size_t i)
{
    if (i < r.size())
        return r[i];
    harness::fail(__FILE__, __LINE__, "record " + std::to_string(i) + " missing");
    return Rec{0, {}, ""};
}

} // namespace

TEST(csv_simple_fields)
{
    auto r = parse("a,b,c\n1,,3\n");
    CHECK_EQ(r.size(), 2);
    CHECK_EQ(at(r, 0), (Rec{1, {"a", "b", "c"}, ""}));
    CHECK_EQ(at(r, 1), (Rec{2, {"1", "", "3"}, ""}));
}

TEST(csv_quoted_commas)
{
    auto r = parse("a,\"b,c\",d\n\",\",\"x,,y\"\n");
    CHECK_EQ(r.size(), 2);
    CHECK_EQ(at(r, 0).fields, (Fields{"a", "b,c", "d"}));
    CHECK_EQ(at(r, 1).fields, (Fields{",", "x,,y"}));
}

TEST(csv_doubled_quotes)
{
    auto r = parse("\"he said \"\"hi\"\"\",x\n\"\"\"\",\"\"\n");
    CHECK_EQ(r.size(), 2);
    CHECK_EQ(at(r, 0).fields, (Fields{"he said \"hi\"", "x"}));
    CHECK_EQ(at(r, 1).fields, (Fields{"\"", ""}));
    CHECK_EQ(at(r, 1).problem, "");
}

TEST(csv_embedded_crlf_line_numbers)
{
    auto r = parse("H1,H2\r\n1,\"line one\r\nline two\r\nline three\"\r\n2,x\r\n\"a\nb\",y\n3,z\n");
    CHECK_EQ(r.size(), 5);
    CHECK_EQ(at(r, 0), (Rec{1, {"H1", "H2"}, ""}));
    CHECK_EQ(at(r, 1), (Rec{2, {"1", "line one\r\nline two\r\nline three"}, ""}));
    CHECK_EQ(at(r, 2), (Rec{5, {"2", "x"}, ""}));
    CHECK_EQ(at(r, 3), (Rec{6, {"a\nb", "y"}, ""}));
    CHECK_EQ(at(r, 4), (Rec{8, {"3", "z"}, ""}));
}

TEST(csv_embedded_lone_cr_counts_a_line)
{
    auto r = parse("\"a\rb\",1\nc,2\n");
    CHECK_EQ(r.size(), 2);
    CHECK_EQ(at(r, 0), (Rec{1, {"a\rb", "1"}, ""}));
    CHECK_EQ(at(r, 1), (Rec{3, {"c", "2"}, ""}));
}

TEST(csv_line_ends_crlf_lf_cr)
{
    auto r = parse("a,1\r\nb,2\nc,3\rd,4\r\n");
    CHECK_EQ(r.size(), 4);
    CHECK_EQ(at(r, 0), (Rec{1, {"a", "1"}, ""}));
    CHECK_EQ(at(r, 1), (Rec{2, {"b", "2"}, ""}));
    CHECK_EQ(at(r, 2), (Rec{3, {"c", "3"}, ""}));
    CHECK_EQ(at(r, 3), (Rec{4, {"d", "4"}, ""}));
    // CR CR is two line ends (the second line is blank); LF CR likewise.
    auto s = parse("a\r\rb\n\rc");
    CHECK_EQ(s.size(), 3);
    CHECK_EQ(at(s, 0), (Rec{1, {"a"}, ""}));
    CHECK_EQ(at(s, 1), (Rec{3, {"b"}, ""}));
    CHECK_EQ(at(s, 2), (Rec{5, {"c"}, ""}));
}

TEST(csv_bom_skipped)
{
    auto r = parse("\xEF\xBB\xBFSSID,NAME\n1,x\n");
    CHECK_EQ(r.size(), 2);
    CHECK_EQ(at(r, 0), (Rec{1, {"SSID", "NAME"}, ""}));
    CHECK_EQ(at(r, 1), (Rec{2, {"1", "x"}, ""}));
    // Only at the very start.
    auto s = parse("a\n\xEF\xBB\xBF" "b\n");
    CHECK_EQ(at(s, 1).fields, (Fields{"\xEF\xBB\xBF" "b"}));
    // A file that is only a BOM (or part of one) has no records / one record.
    CHECK_EQ(parse("\xEF\xBB\xBF").size(), 0);
    CHECK_EQ(parse("\xEF\xBB").size(), 1);
}

TEST(csv_blank_lines_skipped_and_counted)
{
    auto r = parse("\n\nH\n\n  \n\t \r\nx\n\r\n,\n");
    CHECK_EQ(r.size(), 3);
    CHECK_EQ(at(r, 0), (Rec{3, {"H"}, ""}));
    CHECK_EQ(at(r, 1), (Rec{7, {"x"}, ""}));
    CHECK_EQ(at(r, 2), (Rec{9, {"", ""}, ""})); // a lone comma is a record of two empty fields
}

TEST(csv_trailing_blank_lines)
{
    auto r = parse("a,b\n1,2\n\n\r\n  \n\n");
    CHECK_EQ(r.size(), 2);
    CHECK_EQ(at(r, 1), (Rec{2, {"1", "2"}, ""}));
    CHECK_EQ(parse("a\n   ").size(), 1); // whitespace after the last line end
}

TEST(csv_final_record_without_newline)
{
    auto r = parse("a,b\nc,d");
    CHECK_EQ(r.size(), 2);
    CHECK_EQ(at(r, 1), (Rec{2, {"c", "d"}, ""}));
    auto s = parse("a,b\nc,");
    CHECK_EQ(at(s, 1).fields, (Fields{"c", ""}));
    auto t = parse("a,b\nc,\"d\"");
    CHECK_EQ(at(t, 1), (Rec{2, {"c", "d"}, ""}));
}

TEST(csv_empty_input)
{
    CHECK_EQ(parse("").size(), 0);
    CHECK_EQ(parse("\n\r\n\r").size(), 0);
    auto r = parse("\"\"");
    CHECK_EQ(r.size(), 1);
    CHECK_EQ(at(r, 0).fields, (Fields{""}));
}

TEST(csv_unterminated_quote)
{
    auto r = parse("a,b\n1,\"open\n2,x\n3,y\n");
    CHECK_EQ(r.size(), 2);
    CHECK_EQ(at(r, 1).line, 2);
    CHECK_EQ(at(r, 1).fields, (Fields{"1", "open\n2,x\n3,y\n"}));
    CHECK_EQ(at(r, 1).problem, "unterminated quoted field");
}

TEST(csv_stray_quote)
{
    auto r = parse("ab\"c,d\nx,y\n");
    CHECK_EQ(r.size(), 2);
    CHECK_EQ(at(r, 0).fields, (Fields{"ab\"c", "d"}));
    CHECK_EQ(at(r, 0).problem, "stray quote in unquoted field");
    CHECK_EQ(at(r, 1).problem, ""); // the next record is clean
    // A leading space makes the field unquoted.
    CHECK_EQ(at(parse("a, \"b\"\n"), 0).problem, "stray quote in unquoted field");
    auto s = parse("\"ab\"c,d\n");
    CHECK_EQ(at(s, 0).fields, (Fields{"abc", "d"}));
    CHECK_EQ(at(s, 0).problem, "text after closing quote");
}

TEST(csv_record_longer_than_limit)
{
    CsvLimits lim;
    lim.max_record_bytes = 10;
    auto ok = parse("0123456789\n\"01234567\"\n", lim); // exactly 10 bytes each, quotes counted
    CHECK_EQ(ok.size(), 2);
    for (size_t chunk : {size_t(1), size_t(1) << 20}) {
        ChunkSource src("a,b\n\n012345678,A\n", chunk);
        CsvReader reader(src, lim);
        CsvRecord rec;
        CHECK(reader.next(rec));
        bool thrown = false;
        try {
            reader.next(rec);
        } catch (const CsvFatal &e) {
            thrown = true;
            CHECK_EQ(e.line, 3);
            CHECK(std::string(e.what()).find("longer than 10 bytes") != std::string::npos);
        }
        CHECK(thrown);
    }
    MemorySource q("\"0123456789\"\n");
    CHECK_THROWS(read_all(q, lim), CsvFatal);
}

TEST(csv_too_many_columns)
{
    CsvLimits lim;
    lim.max_columns = 3;
    CHECK_EQ(parse("a,b,c\n,,\n", lim).size(), 2);
    MemorySource src("a,b,c\n1,2,3,4\n");
    CsvReader reader(src, lim);
    CsvRecord rec;
    CHECK(reader.next(rec));
    bool thrown = false;
    try {
        reader.next(rec);
    } catch (const CsvFatal &e) {
        thrown = true;
        CHECK_EQ(e.line, 2);
        CHECK(std::string(e.what()).find("more than 3 fields") != std::string::npos);
    }
    CHECK(thrown);
}

TEST(csv_both_limits_the_first_passed_whatever_the_blocks)
{
    // Found by the fuzzer: past both limits, the reported one depended on the
    // block size (the length is checked at refills, the count at separators).
    CsvLimits lim;
    lim.max_record_bytes = 10;
    lim.max_columns = 3;
    const char *cases[][2] = {{"0123456789xyz,a,b,c,d\n", "longer than 10 bytes"}, // long before the 4th field ends
                              {"a,b,c,d,0123456789xyz\n", "more than 3 fields"}}; // 4th field ends before the length
    for (auto &c : cases) {
        for (size_t chunk : {size_t(1), size_t(3), size_t(1) << 20}) {
            for (size_t block : {size_t(4), size_t(7), size_t(1) << 20}) {
                ChunkSource src(c[0], chunk);
                CsvReader reader(src, lim, block);
                CsvRecord rec;
                std::string what;
                try {
                    reader.next(rec);
                } catch (const CsvFatal &e) {
                    what = e.what();
                }
                CHECK(what.find(c[1]) != std::string::npos);
            }
        }
    }
}

TEST(csv_high_bytes_kept)
{
    auto r = parse("N\xfa\xf1" "ez,\"M\xc3\xbcller, Anna\"\n");
    CHECK_EQ(at(r, 0).fields, (Fields{"N\xfa\xf1" "ez", "M\xc3\xbcller, Anna"}));
}

// Records across the reader's own 1 MiB block boundary, with quoted line ends.
TEST(csv_records_straddle_block_boundary)
{
    std::string data = "ID,TEXT,N\r\n";
    uint64_t line = 2;
    std::vector<uint64_t> lines;
    for (int i = 0; data.size() < (3u << 20); ++i) {
        lines.push_back(line);
        std::string id = std::to_string(i);
        if (i % 3 == 0) { // two physical lines
            data += id + ",\"first " + id + "\r\nsecond, \"\"q\"\"\"," + id + "\r\n";
            line += 2;
        } else {
            data += id + ",plain text " + std::string(static_cast<size_t>(i % 97), 'x') + "," + id + "\r\n";
            line += 1;
        }
    }
    MemorySource src(data);
    CsvReader reader(src);
    CsvRecord rec;
    CHECK(reader.next(rec));
    size_t n = 0;
    bool all_ok = true;
    while (reader.next(rec)) {
        std::string id = std::to_string(n);
        bool ok = n < lines.size() && rec.line == lines[n] && rec.fields.size() == 3 &&
                  rec.fields[0] == id && rec.fields[2] == id && rec.problem.empty();
        if (n % 3 == 0)
            ok = ok && rec.fields[1] == "first " + id + "\r\nsecond, \"q\"";
        if (!ok && all_ok) { // report the first bad record only
            CHECK_EQ(rec.line, n < lines.size() ? lines[n] : 0);
            CHECK_EQ(rec.fields.size(), 3);
            all_ok = false;
        }
        ++n;
    }
    CHECK(all_ok);
    CHECK_EQ(n, lines.size());
    CHECK_EQ(reader.bytes_read(), data.size());
}

TEST(csv_fd_source)
{
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    const std::string data = "a,b\n\"1\",2\n";
    CHECK_EQ(write(fds[1], data.data(), data.size()), static_cast<ssize_t>(data.size()));
    close(fds[1]);
    FdSource src(fds[0]);
    auto r = read_all(src);
    close(fds[0]);
    CHECK_EQ(r.size(), 2);
    CHECK_EQ(at(r, 1), (Rec{2, {"1", "2"}, ""}));
    FdSource bad(-1);
    CHECK_THROWS(read_all(bad), CsvFatal);
}

// A record bigger than the reader's block makes the block grow (up to the limit).
TEST(csv_record_bigger_than_block)
{
    const std::string big(1500000, 'x');
    const std::string data = "a,b\r\n\"" + big + "\"\"\",2\r\n3,4";
    CsvLimits lim;
    lim.max_record_bytes = 2000000;
    for (size_t block : {size_t(0), size_t(4096)}) {
        MemorySource src(data);
        auto r = read_all(src, lim, block);
        CHECK_EQ(r.size(), 3);
        CHECK(at(r, 1).fields.size() == 2 && at(r, 1).fields[0] == big + "\"");
        CHECK_EQ(at(r, 2), (Rec{3, {"3", "4"}, ""}));
    }
    lim.max_record_bytes = 1000000;
    MemorySource src(data);
    CHECK_THROWS(read_all(src, lim), CsvFatal);
}
