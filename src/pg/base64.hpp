// base64.hpp -- PostgreSQL's own base64 (common/base64.h) behind a pure C++
// interface: MIME attachments, SSH key blobs and OpenSSH-style fingerprints.
// No PostgreSQL header here, so pure C++ files (notify/mime.cpp) may use it;
// the implementation, base64.cpp, is the only file that sees common/base64.h.
#pragma once

#include <string>
#include <string_view>

namespace casemis::pg {

// Standard alphabet; pad = false drops the '=' padding (as OpenSSH prints SHA256 fingerprints).
std::string b64_encode(std::string_view in, bool pad = true);

// Appends the base64 of in to out in lines of 76 characters, each ending in
// CRLF (MIME, RFC 2045), encoded straight into out: no copy of the whole text.
void b64_append_lines(std::string &out, std::string_view in);

// The size b64_append_lines() adds for n input bytes.
size_t b64_lines_size(size_t n);

// Decodes, skipping ASCII whitespace (PEM bodies are wrapped); empty on bad input.
std::string b64_decode(std::string_view in);

} // namespace casemis::pg
