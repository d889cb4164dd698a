// mail.hpp -- send one email (plain text, HTML, attachments) over SMTP with libcurl.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace casemis::notify {

struct SmtpSettings {
    std::string url; // smtp://host[:port] (STARTTLS when offered) or smtps://host[:port]
    std::string user, password; // SMTP AUTH when user is not empty
    std::string from;
    std::vector<std::string> to;
    bool require_tls = false; // smtp://: refuse to send unless STARTTLS succeeds
    int timeout_ms = 60000;   // the whole exchange with the server
};

struct Attachment {
    std::string filename, content; // content: the file's bytes
    std::string content_type = "text/csv; charset=utf-8";
};

struct Message {
    std::string subject, body; // UTF-8; body is plain text with LF or CRLF line ends
    std::string html;          // UTF-8; when not empty, body and html are alternatives
    std::vector<Attachment> attachments;
};

// Sends m to every address of s.to in one SMTP transaction. Waits on the network
// in slices of at most 100 ms and stops when interrupted() (noexcept; called only
// from this function's own loop, never from a libcurl callback) returns true.
// Throws casemis::Error naming the server (url without credentials) and the cause;
// never the password. An interrupted send throws with ERRCODE_QUERY_CANCELED, and
// the caller then runs CHECK_FOR_INTERRUPTS.
void send_mail(const SmtpSettings &s, const Message &m, const std::function<bool()> &interrupted);
// The same, releasing m's attachments once the message text is composed (it
// holds them base64-encoded): the attachments are not held twice while sending.
void send_mail(const SmtpSettings &s, Message &&m, const std::function<bool()> &interrupted);

// The size in bytes of the message send_mail(s, m) sends (its Message-ID and
// MIME boundary are random but of fixed length).
size_t message_size(const SmtpSettings &s, const Message &m);

// "smtp://host:port" of an SMTP url: user info, path and query removed.
std::string smtp_server_text(const std::string &url);

} // namespace casemis::notify
