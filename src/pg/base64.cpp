// base64.cpp -- see base64.hpp. pg_b64_* neither allocate nor ereport: they
// write into the buffer given and return -1 when it is too small.
#include "pg/base64.hpp"

#include <algorithm>

extern "C" {
#include "postgres.h"
#include "common/base64.h"
}

namespace casemis::pg
{

namespace
{
constexpr size_t kLineBytes = 57; // input bytes of one 76-character line
}

std::string b64_encode(std::string_view in, bool pad)
{
    std::string out(static_cast<size_t>(pg_b64_enc_len(static_cast<int>(in.size()))), '\0');
    int n = pg_b64_encode(in.data(), static_cast<int>(in.size()), out.data(),
                          static_cast<int>(out.size()));
    out.resize(n < 0 ? 0 : static_cast<size_t>(n));
    while (!pad && !out.empty() && out.back() == '=')
        out.pop_back();
    return out;
}

size_t b64_lines_size(size_t n)
{
    const size_t lines = (n + kLineBytes - 1) / kLineBytes;
    return (n + 2) / 3 * 4 + lines * 2;
}

void b64_append_lines(std::string &out, std::string_view in)
{
    out.reserve(out.size() + b64_lines_size(in.size()));
    for (size_t i = 0; i < in.size(); i += kLineBytes) {
        const size_t len = std::min(kLineBytes, in.size() - i);
        const size_t at = out.size();
        out.resize(at + 76);
        int n = pg_b64_encode(in.data() + i, static_cast<int>(len), out.data() + at, 76);
        out.resize(at + (n < 0 ? 0 : static_cast<size_t>(n)));
        out += "\r\n";
    }
}

std::string b64_decode(std::string_view in)
{
    std::string clean;
    clean.reserve(in.size());
    for (char c : in)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') clean.push_back(c);
    std::string out(static_cast<size_t>(pg_b64_dec_len(static_cast<int>(clean.size()))), '\0');
    int n = pg_b64_decode(clean.data(), static_cast<int>(clean.size()), out.data(),
                          static_cast<int>(out.size()));
    if (n < 0) return {};
    out.resize(static_cast<size_t>(n));
    return out;
}

} // namespace casemis::pg
