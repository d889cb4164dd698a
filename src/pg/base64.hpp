// base64.hpp -- PostgreSQL's own base64 (common/base64.h) for C++ callers:
// MIME attachments, SSH key blobs and OpenSSH-style fingerprints.
#pragma once

#include <string>
#include <string_view>

extern "C" {
#include "postgres.h"
#include "common/base64.h"
}

namespace casemis::pg {

// Standard alphabet; pad = false drops the '=' padding (as OpenSSH prints SHA256 fingerprints).
inline std::string b64_encode(std::string_view in, bool pad = true)
{
    std::string out(static_cast<size_t>(pg_b64_enc_len(static_cast<int>(in.size()))), '\0');
    int n = pg_b64_encode(in.data(), static_cast<int>(in.size()), out.data(), static_cast<int>(out.size()));
    out.resize(n < 0 ? 0 : static_cast<size_t>(n));
    while (!pad && !out.empty() && out.back() == '=')
        out.pop_back();
    return out;
}

// Decodes, skipping ASCII whitespace (PEM bodies are wrapped); empty on bad input.
inline std::string b64_decode(std::string_view in)
{
    std::string clean;
    clean.reserve(in.size());
    for (char c : in)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            clean.push_back(c);
    std::string out(static_cast<size_t>(pg_b64_dec_len(static_cast<int>(clean.size()))), '\0');
    int n = pg_b64_decode(clean.data(), static_cast<int>(clean.size()), out.data(), static_cast<int>(out.size()));
    if (n < 0)
        return {};
    out.resize(static_cast<size_t>(n));
    return out;
}

} // namespace casemis::pg
