// text_test.cpp -- TextScanner (UTF-8 / Windows-1252 / NUL / BOM), trim, has_high_bytes.
#include <random>
#include <string>

#include "format/text.hpp"
#include "harness.hpp"
#include "reference.hpp"

using namespace casemis::format;

namespace {

TextScanner scan(std::string_view s)
{
    TextScanner t;
    t.feed(s.data(), s.size());
    t.finish();
    return t;
}

// Feeds one byte at a time.
TextScanner scan_bytewise(std::string_view s)
{
    TextScanner t;
    for (char c : s)
        t.feed(&c, 1);
    t.finish();
    return t;
}

bool utf8(std::string_view s)
{
    bool a = scan(s).valid_utf8();
    CHECK_EQ(scan_bytewise(s).valid_utf8(), a);
    return a;
}


} // namespace

TEST(text_valid_utf8)
{
    CHECK(utf8(""));
    CHECK(utf8("plain ASCII, long enough for the 8-byte fast path\r\n"));
    CHECK(utf8("M\xc3\xbcller N\xc3\xba\xc3\xb1" "ez"));           // 2-byte
    CHECK(utf8("\xe2\x82\xac 100"));                               // 3-byte (euro)
    CHECK(utf8("smile \xf0\x9f\x98\x80 end"));                     // 4-byte
    CHECK(utf8("\xed\x9f\xbf"));                                   // U+D7FF, just below surrogates
    CHECK(utf8("\xee\x80\x80"));                                   // U+E000, just above
    CHECK(utf8("\xf4\x8f\xbf\xbf"));                               // U+10FFFF
    CHECK(scan("abc").encoding() == Encoding::Utf8);
}

TEST(text_invalid_sequences)
{
    CHECK(!utf8("\x80"));            // lone continuation byte
    CHECK(!utf8("ab\xc3("));         // lead byte without continuation
    CHECK(!utf8("\xff"));
    CHECK(!utf8("\xfe"));
    CHECK(!utf8("\xf5\x80\x80\x80")); // beyond U+10FFFF by lead byte
    CHECK(!utf8("\xf4\x90\x80\x80")); // U+110000
    TextScanner t = scan("0123456789abcdef\xc3(");
    CHECK(!t.valid_utf8());
    CHECK_EQ(t.first_bad_utf8_offset(), 16);
    CHECK(t.encoding() == Encoding::Windows1252);
}

TEST(text_overlong_encodings)
{
    CHECK(!utf8("\xc0\x80"));         // NUL, overlong
    CHECK(!utf8("\xc1\xbf"));
    CHECK(!utf8("\xe0\x80\x80"));
    CHECK(!utf8("\xe0\x9f\xbf"));     // U+07FF in 3 bytes
    CHECK(!utf8("\xf0\x80\x80\x80"));
    CHECK(!utf8("\xf0\x8f\xbf\xbf")); // U+FFFF in 4 bytes
    CHECK(utf8("\xe0\xa0\x80"));      // U+0800, the smallest 3-byte
    CHECK(utf8("\xf0\x90\x80\x80"));  // U+10000, the smallest 4-byte
    CHECK_EQ(scan("ok \xc0\x80").first_bad_utf8_offset(), 3);
}

TEST(text_surrogates_rejected)
{
    CHECK(!utf8("\xed\xa0\x80")); // U+D800
    CHECK(!utf8("\xed\xbf\xbf")); // U+DFFF
    CHECK(!utf8("\xed\xa0\xbd\xed\xb8\x80")); // a CESU-8 surrogate pair
    CHECK_EQ(scan("x\xed\xa0\x80").first_bad_utf8_offset(), 1);
}

TEST(text_truncated_at_end)
{
    TextScanner t;
    t.feed("ab\xe2\x82", 4);
    CHECK(t.valid_utf8()); // not known until the end
    t.finish();
    CHECK(!t.valid_utf8());
    CHECK_EQ(t.first_bad_utf8_offset(), 2);
    CHECK(!utf8("\xf0\x9f\x98"));
    CHECK(!utf8("\xc3"));
}

TEST(text_sequence_split_across_feeds)
{
    TextScanner t;
    t.feed("a\xf0\x9f", 3);
    t.feed("\x98", 1);
    t.feed("\x80z", 2);
    t.finish();
    CHECK(t.valid_utf8());
    CHECK_EQ(t.bytes(), 6);
    TextScanner s; // the surrogate check needs the lead byte from the previous piece
    s.feed("abcdefghij\xed", 11);
    s.feed("\xa0\x80", 2);
    s.finish();
    CHECK(!s.valid_utf8());
    CHECK_EQ(s.first_bad_utf8_offset(), 10);
    TextScanner o; // overlong split after the lead byte
    o.feed("\xe0", 1);
    o.feed("\x80\x80", 2);
    o.finish();
    CHECK(!o.valid_utf8());
}

TEST(text_windows_1252_name)
{
    TextScanner t = scan("LAST_NAME\nN\xfa\xf1" "ez\n");
    CHECK(!t.valid_utf8());
    CHECK(t.encoding() == Encoding::Windows1252);
    CHECK_EQ(t.first_bad_utf8_offset(), 11);
    CHECK(!t.cp1252_undefined());
    CHECK(!t.has_nul());
}

TEST(text_cp1252_undefined_bytes)
{
    for (unsigned char c : {0x81, 0x8D, 0x8F, 0x90, 0x9D}) {
        std::string s = "abc";
        s += static_cast<char>(c);
        CHECK(scan(s).cp1252_undefined());
        CHECK(scan_bytewise(s).cp1252_undefined());
    }
    for (unsigned char c : {0x80, 0x82, 0x8E, 0x9F, 0xA0, 0xFF}) {
        std::string s = "abc";
        s += static_cast<char>(c);
        CHECK(!scan(s).cp1252_undefined());
    }
}

TEST(text_nul_flagged)
{
    CHECK(!scan("no nul here at all, long line").has_nul());
    CHECK(scan(std::string_view("a\0b", 3)).has_nul());
    CHECK(scan(std::string_view("abcdefghijklmnop\0qrstuvwxyz0123", 32)).has_nul()); // in the fast path
    TextScanner t = scan(std::string_view("abc\0", 4));
    CHECK(t.valid_utf8()); // NUL is valid UTF-8; it is flagged separately
}

TEST(text_bom)
{
    CHECK(scan("\xEF\xBB\xBFSSID").has_bom());
    CHECK(scan("\xEF\xBB\xBF").has_bom());
    CHECK(scan_bytewise("\xEF\xBB\xBFSSID").has_bom());
    CHECK(!scan("\xEF\xBB").has_bom());
    CHECK(!scan("SSID").has_bom());
    CHECK(!scan("a\xEF\xBB\xBF").has_bom());
    CHECK(scan("\xEF\xBB\xBFSSID").valid_utf8());
    TextScanner t;
    t.feed("\xEF", 1);
    t.feed("\xBB\xBF" "abc", 5);
    t.finish();
    CHECK(t.has_bom());
}

TEST(text_agrees_with_reference_on_random_bytes)
{
    std::mt19937 rng(12345);
    // Bytes biased toward the interesting ones.
    const unsigned char pool[] = {'a',  ',',  '\n', 0x00, 0x7F, 0x80, 0x81, 0x8F, 0x90, 0x9F,
                                  0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED,
                                  0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
    int mismatches = 0;
    for (int iter = 0; iter < 20000; ++iter) {
        std::string s(rng() % 24, 'x');
        for (char &c : s)
            c = static_cast<char>(pool[rng() % sizeof pool]);
        const long want = reference::bad_utf8_offset(s);
        TextScanner t;
        size_t at = 0;
        while (at < s.size()) { // random split points
            size_t n = std::min<size_t>(s.size() - at, rng() % 5);
            t.feed(s.data() + at, n);
            at += n;
        }
        t.finish();
        const long got = t.valid_utf8() ? -1 : static_cast<long>(t.first_bad_utf8_offset());
        if (got != want && mismatches++ < 5)
            CHECK_EQ(harness::quote(s) + " -> " + std::to_string(got), harness::quote(s) + " -> " + std::to_string(want));
    }
    CHECK_EQ(mismatches, 0);
}

TEST(text_trim_and_high_bytes)
{
    CHECK_EQ(trim("  a b \t"), "a b");
    CHECK_EQ(trim("\t\t"), "");
    CHECK_EQ(trim(""), "");
    CHECK_EQ(trim(" \xfa "), "\xfa");
    CHECK_EQ(trim("x\r"), "x\r"); // only spaces and tabs
    CHECK(!has_high_bytes("plain"));
    CHECK(has_high_bytes("N\xfa"));
    CHECK(has_high_bytes("\x80"));
}
