// mime.cpp -- RFC 5322 / MIME composition of the completion email (pure C++:
// no PostgreSQL header; base64 comes through pg/base64.hpp's plain interface).
#include "notify/mime.hpp"
#include "pg/base64.hpp"

#include <random>
#include "pg/cpp_only_file.hpp" // last: no PostgreSQL header above

namespace casemis::notify {
namespace {

const char kHex[] = "0123456789ABCDEF";

bool printable_ascii(const std::string &s)
{
    for (unsigned char c : s)
        if (c < 0x20 || c > 0x7E)
            return false;
    return true;
}

// Length of the UTF-8 sequence starting with lead byte c (1 for stray bytes).
size_t utf8_len(unsigned char c)
{
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    if (c >= 0xE0)
        return c <= 0xEF ? 3 : 1;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    return 1;
}

// A filename parameter: quoted when plain ASCII, else RFC 2231 (UTF-8, percent-encoded).
std::string filename_param(const std::string &name, const char *param)
{
    bool plain = printable_ascii(name) && name.find_first_of("\"\\") == std::string::npos;
    if (plain)
        return std::string(param) + "=\"" + name + "\"";
    std::string out = std::string(param) + "*=UTF-8''";
    for (unsigned char c : name) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '-' || c == '_') {
            out += char(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

// "To: a@x, b@y" folded before an address that would pass 78 characters.
std::string address_header(const std::string &name, const std::vector<std::string> &addrs)
{
    std::string out = name + ":";
    size_t line = out.size();
    for (size_t i = 0; i < addrs.size(); ++i) {
        std::string item = " " + addrs[i] + (i + 1 < addrs.size() ? "," : "");
        if (line + item.size() > 78 && line > name.size() + 1) {
            out += "\r\n";
            line = 0;
        }
        out += item;
        line += item.size();
    }
    return out + "\r\n";
}

std::string domain_of(const std::string &address)
{
    size_t at = address.rfind('@');
    return at == std::string::npos || at + 1 == address.size() ? "localhost"
                                                               : address.substr(at + 1);
}

} // namespace

bool valid_address(const std::string &a)
{
    if (a.empty() || a.size() > 254)
        return false;
    size_t at = a.find('@');
    if (at == 0 || at == std::string::npos || at + 1 == a.size() || a.find('@', at + 1) != std::string::npos)
        return false;
    for (unsigned char c : a)
        if (c <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' ||
            c == '(' || c == ')' || c == '\\')
            return false;
    return true;
}

std::string encode_header_text(const std::string &utf8)
{
    std::string clean;
    clean.reserve(utf8.size());
    for (unsigned char c : utf8)
        clean += (c < 0x20 || c == 0x7F) ? ' ' : char(c);
    // An ASCII value that itself looks like an encoded word is encoded too.
    if (printable_ascii(clean) && clean.find("=?") == std::string::npos)
        return clean;
    // Encoded words of at most 75 characters: "=?UTF-8?B?" + 60 base64 + "?=",
    // i.e. 45 bytes each, never splitting a UTF-8 sequence.
    std::string out;
    size_t i = 0;
    while (i < clean.size()) {
        size_t end = i;
        while (end < clean.size()) {
            size_t len = std::min(utf8_len(static_cast<unsigned char>(clean[end])),
                                  clean.size() - end);
            if (end + len - i > 45)
                break;
            end += len;
        }
        if (!out.empty())
            out += "\r\n ";
        out += "=?UTF-8?B?" + pg::b64_encode(clean.substr(i, end - i)) + "?=";
        i = end;
    }
    return out;
}

std::string quoted_printable(const std::string &text)
{
    std::string out;
    size_t col = 0; // characters on the current output line
    auto put = [&](const std::string &tok) {
        if (col + tok.size() > 75) { // room for a soft break "=" within 76
            out += "=\r\n";
            col = 0;
        }
        out += tok;
        col += tok.size();
    };
    for (size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
            continue; // CRLF: handled at the LF
        if (c == '\n') {
            out += "\r\n";
            col = 0;
            continue;
        }
        bool line_end = i + 1 == text.size() || text[i + 1] == '\n' ||
                        (text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n');
        bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !line_end);
        if (c == '.' && col == 0)
            literal = false; // a lone "." line would end the SMTP DATA
        if (literal) {
            put(std::string(1, char(c)));
        } else {
            std::string tok = "=";
            tok += kHex[c >> 4];
            tok += kHex[c & 15];
            put(tok);
        }
    }
    return out;
}

std::string rfc5322_date(std::time_t t)
{
    static const char *days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    gmtime_r(&t, &tm);
    auto two = [](int v) { return std::string(1, char('0' + v / 10)) + char('0' + v % 10); };
    return std::string(days[tm.tm_wday]) + ", " + two(tm.tm_mday) + " " + months[tm.tm_mon] + " " +
           std::to_string(tm.tm_year + 1900) + " " + two(tm.tm_hour) + ":" + two(tm.tm_min) + ":" +
           two(tm.tm_sec) + " +0000";
}

std::string random_hex(size_t bytes)
{
    std::random_device rd;
    std::string out;
    for (size_t i = 0; i < bytes; ++i) {
        unsigned v = rd() & 0xFF;
        out += "0123456789abcdef"[v >> 4];
        out += "0123456789abcdef"[v & 15];
    }
    return out;
}

namespace {

std::string attachment_headers(const Attachment &a, const std::string &boundary)
{
    return "\r\n--" + boundary + "\r\n" + "Content-Type: " + a.content_type + "; " +
           filename_param(a.filename, "name") + "\r\n" +
           "Content-Transfer-Encoding: base64\r\n" + "Content-Disposition: attachment; " +
           filename_param(a.filename, "filename") + "\r\n\r\n";
}

// pg::b64_append_lines(data) without its last CRLF (which the boundary line
// after it supplies).
size_t base64_body_size(size_t n)
{
    return n == 0 ? 0 : pg::b64_lines_size(n) - 2;
}

void text_part(std::string &out, const char *subtype, const std::string &text)
{
    out += std::string("Content-Type: text/") + subtype + "; charset=utf-8\r\n";
    out += "Content-Transfer-Encoding: quoted-printable\r\n";
    out += "\r\n";
    out += quoted_printable(text); // the CRLF before each "--boundary" belongs to it
}

} // namespace

size_t attachment_part_size(const Attachment &a, const std::string &boundary)
{
    return attachment_headers(a, boundary).size() + base64_body_size(a.content.size());
}

std::string compose_message(const std::string &from, const std::vector<std::string> &to,
                            const Message &m, std::time_t date, const std::string &message_id,
                            const std::string &boundary)
{
    // The attachments are encoded straight into the message, whose size is
    // known up to the headers and text parts: no second copy of any of them.
    size_t attached = 0;
    for (const Attachment &a : m.attachments)
        attached += attachment_part_size(a, boundary);
    std::string out;
    out.reserve(attached + 2 * (m.body.size() + m.html.size()) + 4096);
    out += "Date: " + rfc5322_date(date) + "\r\n";
    out += "From: CASEMIS import <" + from + ">\r\n";
    out += address_header("To", to);
    out += "Subject: " + encode_header_text(m.subject) + "\r\n";
    out += "Message-ID: <" + message_id + "@" + domain_of(from) + ">\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n";
    out += "\r\n";
    out += "This is a multi-part message in MIME format.\r\n";

    out += "\r\n--" + boundary + "\r\n";
    if (m.html.empty()) {
        text_part(out, "plain", m.body);
    } else {
        // the same content twice: the reader shows the last form it can display
        const std::string alt = "alt-" + boundary;
        out += "Content-Type: multipart/alternative; boundary=\"" + alt + "\"\r\n\r\n";
        out += "--" + alt + "\r\n";
        text_part(out, "plain", m.body);
        out += "\r\n--" + alt + "\r\n";
        text_part(out, "html", m.html);
        out += "\r\n--" + alt + "--\r\n";
    }

    for (const Attachment &a : m.attachments) {
        out += attachment_headers(a, boundary);
        pg::b64_append_lines(out, a.content);
        if (!a.content.empty()) out.resize(out.size() - 2); // the CRLF before "--boundary" follows
    }
    out += "\r\n--" + boundary + "--\r\n";
    return out;
}

} // namespace casemis::notify
