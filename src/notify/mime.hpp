// mime.hpp -- RFC 5322 / MIME composition of the completion email (pure C++).
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "notify/mail.hpp"

namespace casemis::notify {

// One plain address: local@domain, no spaces, quotes, angle brackets, commas or
// control characters (so it cannot inject a header or an extra recipient).
bool valid_address(const std::string &address);

// A header value: unchanged when it is printable ASCII, else RFC 2047 encoded
// words (UTF-8, base64), folded. CR, LF and other controls become spaces.
std::string encode_header_text(const std::string &utf8);

// Quoted-printable (RFC 2045) of UTF-8 text; line ends become CRLF.
std::string quoted_printable(const std::string &text);

// "Sat, 28 Nov 2026 12:00:00 +0000" (English names, independent of the locale).
std::string rfc5322_date(std::time_t t);

// The whole message: headers, multipart/mixed with the text/plain part (or,
// when m.html is set, a multipart/alternative of text/plain and text/html),
// then one base64 part per attachment. CRLF line ends throughout.
std::string compose_message(const std::string &from, const std::vector<std::string> &to,
                            const Message &m, std::time_t date, const std::string &message_id,
                            const std::string &boundary);

// The bytes attachment a adds to compose_message()'s result (exact), so that a
// size cap can be applied without composing the message again and again.
size_t attachment_part_size(const Attachment &a, const std::string &boundary);

// Random hex, for Message-ID and the MIME boundary.
std::string random_hex(size_t bytes);

} // namespace casemis::notify
