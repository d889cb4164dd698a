// text.hpp -- what a file's bytes are: UTF-8 or Windows-1252, text or binary.
// Pure C++ (no PostgreSQL): fed incrementally while the file is spooled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace casemis::format {

enum class Encoding { Utf8, Windows1252 };

// Scans a byte stream in pieces of any size (sequences may straddle pieces).
class TextScanner {
  public:
    void feed(const char *data, size_t n);
    void finish();                     // call once after the last piece
    bool has_bom() const { return bom_; }          // starts with EF BB BF
    bool valid_utf8() const { return utf8_ok_; }   // whole stream (after finish())
    bool has_nul() const { return nul_; }          // any 0x00 byte
    // bytes 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in Windows-1252
    bool cp1252_undefined() const { return cp1252_bad_; }
    uint64_t first_bad_utf8_offset() const { return bad_off_; } // valid only if !valid_utf8()
    uint64_t bytes() const { return total_; }
    // Utf8 if valid UTF-8, Windows1252 otherwise.
    Encoding encoding() const { return utf8_ok_ ? Encoding::Utf8 : Encoding::Windows1252; }

  private:
    void note_head(const unsigned char *p, size_t n);
    void utf8_step(unsigned char c, uint64_t off);
    uint64_t total_ = 0, bad_off_ = 0;
    bool bom_ = false, utf8_ok_ = true, nul_ = false, cp1252_bad_ = false;
    int pending_ = 0;           // continuation bytes still expected
    unsigned char lead_ = 0;    // lead byte of the pending sequence (for overlong/surrogate checks)
    int seen_ = 0;              // continuation bytes seen of the pending sequence
    unsigned char head_[3] = {0, 0, 0};
};

// Trim ASCII spaces and tabs at both ends. (Inline: it runs for every field.)
inline std::string_view trim(std::string_view s)
{
    size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t'))
        ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
        --e;
    return s.substr(b, e - b);
}
// Has any byte >= 0x80.
bool has_high_bytes(std::string_view s);

} // namespace casemis::format
