// mail.cpp -- one SMTP transaction with libcurl's multi interface: our own wait
// loop (100 ms slices) checks for interrupts between the waits, so nothing is ever
// thrown through libcurl and a cancel stops a stuck server promptly.
#include "pg/boundary.hpp"
#include "notify/mail.hpp"
#include "notify/mime.hpp"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <memory>
#include <vector>

#include <unistd.h>

namespace casemis::notify {
namespace {

void ensure_curl_init()
{
    static bool done = false; // a backend is single-threaded
    if (done)
        return;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        throw Error(ERRCODE_INTERNAL_ERROR, "could not initialize libcurl");
    done = true;
}

struct Upload {
    const std::string *data;
    size_t pos = 0;
};

size_t read_message(char *buf, size_t size, size_t nitems, void *userp)
{
    auto *u = static_cast<Upload *>(userp);
    size_t n = std::min(size * nitems, u->data->size() - u->pos);
    std::memcpy(buf, u->data->data() + u->pos, n);
    u->pos += n;
    return n;
}

// The sockets libcurl has open (created, not yet closed), so that an aborted
// send can end its connection. Only libcurl closes them.
struct Sockets {
    std::vector<curl_socket_t> open;
};

int socket_opened(void *clientp, curl_socket_t fd, curlsocktype)
{
    try {
        static_cast<Sockets *>(clientp)->open.push_back(fd);
    } catch (...) {
        return CURL_SOCKOPT_ERROR; // never throw through libcurl
    }
    return CURL_SOCKOPT_OK;
}

int socket_closing(void *clientp, curl_socket_t fd)
{
    auto &v = static_cast<Sockets *>(clientp)->open;
    v.erase(std::remove(v.begin(), v.end(), fd), v.end());
    return ::close(fd);
}

struct CurlDeleter {
    void operator()(CURL *c) const { curl_easy_cleanup(c); }
};
struct MultiDeleter {
    void operator()(CURLM *m) const { curl_multi_cleanup(m); }
};
struct SlistDeleter {
    void operator()(curl_slist *l) const { curl_slist_free_all(l); }
};

bool starts_with(const std::string &s, const char *prefix)
{
    return s.compare(0, std::strlen(prefix), prefix) == 0;
}

} // namespace

std::string smtp_server_text(const std::string &url)
{
    size_t scheme_end = url.find("://");
    if (scheme_end == std::string::npos)
        return "(invalid SMTP url)";
    std::string scheme = url.substr(0, scheme_end + 3);
    std::string rest = url.substr(scheme_end + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    size_t at = rest.rfind('@');
    if (at != std::string::npos)
        rest = rest.substr(at + 1); // never show user:password@
    return scheme + rest;
}

static std::string new_boundary() { return "=_casemis_" + random_hex(12); }

size_t message_size(const SmtpSettings &s, const Message &m)
{
    // the ids are random but of fixed length: any of that length gives the size
    Message bare;
    bare.subject = m.subject;
    bare.body = m.body;
    bare.html = m.html;
    const std::string boundary = new_boundary();
    size_t n = compose_message(s.from, s.to, bare, 0, random_hex(16), boundary).size();
    for (const Attachment &a : m.attachments)
        n += attachment_part_size(a, boundary);
    return n;
}

namespace {

// Refuses what can never be sent, before anything is composed or connected.
void check_envelope(const SmtpSettings &s, const std::string &context)
{
    if (!starts_with(s.url, "smtp://") && !starts_with(s.url, "smtps://"))
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
                    "could not send the email: smtp_url must start with smtp:// or smtps://");
    if (!valid_address(s.from))
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
                    context + ": invalid sender address \"" + s.from + "\"");
    if (s.to.empty())
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE, context + ": no recipient");
    for (const std::string &a : s.to)
        if (!valid_address(a))
            throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
                        context + ": invalid recipient address \"" + a + "\"");
}

std::string send_context(const SmtpSettings &s)
{
    return "could not send the email via " + smtp_server_text(s.url);
}

// What one SMTP transaction holds for libcurl while it runs. Members end in
// the reverse order: the handles before `sockets`, since libcurl reports
// closing its sockets until the handles are gone.
struct Transfer {
    Sockets sockets;
    std::unique_ptr<CURL, CurlDeleter> easy{curl_easy_init()};
    std::unique_ptr<CURLM, MultiDeleter> multi{curl_multi_init()};
    std::unique_ptr<curl_slist, SlistDeleter> rcpt;
    Upload upload{nullptr};
    char errbuf[CURL_ERROR_SIZE] = "";
    std::string mail_from;
};

// The transfer's options: the envelope, the message, TLS, timeouts, login.
void configure(Transfer &t, const SmtpSettings &s, const std::string &context, const std::string &text)
{
    for (const std::string &a : s.to) {
        curl_slist *n = curl_slist_append(t.rcpt.get(), ("<" + a + ">").c_str());
        if (n == nullptr)
            throw Error(ERRCODE_OUT_OF_MEMORY, context + ": out of memory");
        t.rcpt.release();
        t.rcpt.reset(n);
    }
    t.upload = Upload{&text};
    t.mail_from = "<" + s.from + ">";
    const long timeout = std::max(1, s.timeout_ms);

    CURL *c = t.easy.get();
    CURLcode rc = CURLE_OK;
    auto set = [&](CURLoption opt, auto value) {
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(c, opt, value);
    };
    set(CURLOPT_ERRORBUFFER, t.errbuf);
    set(CURLOPT_URL, s.url.c_str());
    set(CURLOPT_PROTOCOLS_STR, "smtp,smtps"); // the url can reach nothing else
    set(CURLOPT_NOSIGNAL, 1L);                 // no SIGALRM in a PostgreSQL backend
    set(CURLOPT_MAIL_FROM, t.mail_from.c_str());
    set(CURLOPT_MAIL_RCPT, t.rcpt.get());
    set(CURLOPT_SOCKOPTFUNCTION, socket_opened);
    set(CURLOPT_SOCKOPTDATA, &t.sockets);
    set(CURLOPT_CLOSESOCKETFUNCTION, socket_closing);
    set(CURLOPT_CLOSESOCKETDATA, &t.sockets);
    set(CURLOPT_UPLOAD, 1L);
    set(CURLOPT_READFUNCTION, read_message);
    set(CURLOPT_READDATA, &t.upload);
    set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(text.size()));
    // A password is never sent over an unencrypted connection: with one,
    // smtp:// must upgrade with STARTTLS (README.md, "Security").
    const bool tls_required = s.require_tls || !s.password.empty();
    set(CURLOPT_USE_SSL, static_cast<long>(tls_required ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    set(CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout, 30000L));
    set(CURLOPT_TIMEOUT_MS, timeout);
    if (!s.user.empty()) {
        set(CURLOPT_USERNAME, s.user.c_str());
        set(CURLOPT_PASSWORD, s.password.c_str());
    }
    if (rc != CURLE_OK)
        throw Error(ERRCODE_INTERNAL_ERROR,
                    context + ": libcurl option not supported: " + curl_easy_strerror(rc));
}

// Runs the transfer in 100 ms slices, checking `interrupted` between them;
// returns its result.
CURLcode perform(Transfer &t, const std::string &context, const std::function<bool()> &interrupted)
{
    CURLM *multi = t.multi.get();
    int running = 1;
    for (;;) {
        CURLMcode mc = curl_multi_perform(multi, &running);
        if (mc != CURLM_OK)
            throw Error(ERRCODE_INTERNAL_ERROR, context + ": " + std::string(curl_multi_strerror(mc)));
        if (running == 0)
            break;
        if (interrupted && interrupted()) {
            // Closing the handles would send QUIT and wait for the reply (up to the
            // timeout): end the connection first so that the cleanup is immediate.
            for (curl_socket_t fd : t.sockets.open)
                ::shutdown(fd, SHUT_RDWR);
            throw Error(ERRCODE_QUERY_CANCELED, context + ": interrupted");
        }
        mc = curl_multi_poll(multi, nullptr, 0, 100, nullptr);
        if (mc != CURLM_OK)
            throw Error(ERRCODE_INTERNAL_ERROR, context + ": " + std::string(curl_multi_strerror(mc)));
    }
    CURLcode result = CURLE_FAILED_INIT;
    int left = 0;
    while (CURLMsg *msg = curl_multi_info_read(multi, &left))
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == t.easy.get())
            result = msg->data.result;
    return result;
}

// A failed transfer as an Error: libcurl's cause, the server's last reply, and
// what to check.
[[noreturn]] void throw_send_failure(const Transfer &t, CURLcode result, const SmtpSettings &s,
                                     const std::string &context)
{
    long code = 0;
    curl_easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &code);
    std::string cause = curl_easy_strerror(result);
    if (t.errbuf[0] != '\0' && cause != t.errbuf)
        cause += " (" + std::string(t.errbuf) + ")";
    if (code > 0)
        cause += ", last server reply " + std::to_string(code);
    std::string hint;
    if (result == CURLE_COULDNT_CONNECT || result == CURLE_COULDNT_RESOLVE_HOST ||
        result == CURLE_OPERATION_TIMEDOUT)
        hint = "Check smtp_url and that the mail server is reachable from the database server; "
               "resend with SELECT casemis.resend_email(run_id).";
    else if (result == CURLE_LOGIN_DENIED)
        hint = "Check smtp_user and smtp_password.";
    else if (result == CURLE_PEER_FAILED_VERIFICATION)
        hint = "The mail server's TLS certificate is not trusted by the database server's CA store "
               "(/etc/ssl/certs) or does not match the host name in smtp_url.";
    else if (result == CURLE_USE_SSL_FAILED)
        hint = s.password.empty() ? "The server does not offer STARTTLS; use smtps:// or set smtp_require_tls to false."
                                  : "The server does not offer STARTTLS, and a password (smtp_password) is never "
                                    "sent without it; use smtps:// or a server that offers STARTTLS.";
    throw Error(ERRCODE_CONNECTION_FAILURE, context + ": " + cause, {}, hint);
}

// One SMTP transaction sending the composed message text.
void transmit(const SmtpSettings &s, const std::string &context, const std::string &text,
              const std::function<bool()> &interrupted)
{
    ensure_curl_init();
    Transfer t;
    if (!t.easy || !t.multi)
        throw Error(ERRCODE_OUT_OF_MEMORY, context + ": could not create a libcurl handle");
    configure(t, s, context, text);
    if (curl_multi_add_handle(t.multi.get(), t.easy.get()) != CURLM_OK)
        throw Error(ERRCODE_INTERNAL_ERROR, context + ": curl_multi_add_handle failed");
    // The easy handle must leave the multi handle before either is cleaned up.
    struct Detach {
        CURLM *m;
        CURL *e;
        ~Detach() { curl_multi_remove_handle(m, e); }
    } detach{t.multi.get(), t.easy.get()};
    const CURLcode result = perform(t, context, interrupted);
    if (result != CURLE_OK)
        throw_send_failure(t, result, s, context);
}

} // namespace

void send_mail(const SmtpSettings &s, const Message &m, const std::function<bool()> &interrupted)
{
    const std::string context = send_context(s);
    check_envelope(s, context);
    transmit(s, context,
             compose_message(s.from, s.to, m, std::time(nullptr), random_hex(16), new_boundary()),
             interrupted);
}

void send_mail(const SmtpSettings &s, Message &&m, const std::function<bool()> &interrupted)
{
    const std::string context = send_context(s);
    check_envelope(s, context);
    const std::string text =
        compose_message(s.from, s.to, m, std::time(nullptr), random_hex(16), new_boundary());
    std::vector<Attachment>().swap(m.attachments);
    transmit(s, context, text, interrupted);
}

} // namespace casemis::notify
