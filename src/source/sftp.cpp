// sftp.cpp -- SFTP download with libssh2 (1.10 on Debian 12) over a non-blocking
// socket: our own poll() loop, so the caller's interrupt check runs at least every
// 100 ms and may throw without ever unwinding through libssh2.
#include "pg/base64.hpp"
#include "pg/boundary.hpp"
#include "source/sftp.hpp"

#include <libssh2.h>
#include <libssh2_sftp.h>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

namespace casemis::source {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kPollSliceMs = 100;     // longest wait between two interrupt checks
constexpr int kCheckEveryMs = 50;     // interrupt checks while data keeps flowing
constexpr int kCleanupStepMs = 500;   // each graceful-close step after an error
constexpr size_t kReadChunk = 256 * 1024;
constexpr int kGreetingWaitMs = 2000; // silence after a non-SSH greeting before giving up

// Host key algorithms, ed25519 first: the fingerprint a DBA pins (and checks with
// ssh-keygen on the server) is then the ed25519 key's whenever the server has one,
// instead of depending on libssh2's default order (which prefers ECDSA).
constexpr const char *kHostKeyPrefs =
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,ssh-rsa";

const char *kRsaNote =
    "libssh2 1.10 (Debian 12) signs with SHA-1 \"ssh-rsa\" only, which OpenSSH 8.8 and later "
    "refuse by default. Use an ed25519 key (ssh-keygen -t ed25519) and add its public key to the "
    "server's authorized_keys.";

void ensure_libssh2_init()
{
    static bool done = false; // a backend is single-threaded
    if (done)
        return;
    if (libssh2_init(0) != 0)
        throw Error(ERRCODE_INTERNAL_ERROR, "could not initialize libssh2");
    done = true;
}

// --- small text helpers ----------------------------------------------------------------


std::string errno_text(int e)
{
    switch (e) {
    case ECONNREFUSED:
        return "connection refused (nothing listens on that port, or a firewall rejects it)";
    case ETIMEDOUT:
        return "connection timed out";
    case EHOSTUNREACH:
        return "host unreachable";
    case ENETUNREACH:
        return "network unreachable";
    case ECONNRESET:
        return "connection reset by the server";
    case EACCES:
    case EPERM:
        return "connection not permitted (a local firewall rule?)";
    case EADDRNOTAVAIL:
        return "address not available";
    default:
        return "connection failed (system error " + std::to_string(e) + ")";
    }
}

std::string hostkey_type_name(int type)
{
    switch (type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA:
        return "ssh-rsa";
    case LIBSSH2_HOSTKEY_TYPE_DSS:
        return "ssh-dss";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
        return "ecdsa-sha2-nistp256";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
        return "ecdsa-sha2-nistp384";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
        return "ecdsa-sha2-nistp521";
    case LIBSSH2_HOSTKEY_TYPE_ED25519:
        return "ssh-ed25519";
    default:
        return "unknown";
    }
}

// The file ssh-keygen -lf should be run on, on the server, for a host key type.
std::string hostkey_file_hint(const std::string &type)
{
    std::string base = type == "ssh-ed25519" ? "ed25519"
                       : type == "ssh-rsa"   ? "rsa"
                       : type == "ssh-dss"   ? "dsa"
                                             : "ecdsa";
    return "ssh-keygen -lf /etc/ssh/ssh_host_" + base + "_key.pub";
}

// What a private key text is, read without libssh2 (to give a useful error, and
// to refuse a passphrase-protected key before connecting).
struct KeyInfo {
    std::string type; // "ssh-ed25519", "ssh-rsa", "ecdsa", ... or "" when unknown
    bool encrypted = false;
};

uint32_t be32(const std::string &b, size_t at)
{
    return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
           (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
}

// Reads an SSH "string" (uint32 length + bytes) at pos; false when out of bounds.
bool ssh_string(const std::string &b, size_t &pos, std::string &out)
{
    if (pos + 4 > b.size())
        return false;
    uint32_t len = be32(b, pos);
    if (len > b.size() - pos - 4)
        return false;
    out.assign(b, pos + 4, len);
    pos += 4 + len;
    return true;
}

KeyInfo key_info(const std::string &text)
{
    KeyInfo k;
    if (text.find("ENCRYPTED") != std::string::npos)
        k.encrypted = true;
    if (text.find("BEGIN RSA PRIVATE KEY") != std::string::npos)
        k.type = "ssh-rsa";
    else if (text.find("BEGIN DSA PRIVATE KEY") != std::string::npos)
        k.type = "ssh-dss";
    else if (text.find("BEGIN EC PRIVATE KEY") != std::string::npos)
        k.type = "ecdsa";
    const std::string begin = "-----BEGIN OPENSSH PRIVATE KEY-----";
    size_t b = text.find(begin);
    if (b == std::string::npos)
        return k;
    size_t e = text.find("-----END", b + begin.size());
    std::string blob = pg::b64_decode(text.substr(b + begin.size(), e - b - begin.size()));
    static const char magic[] = "openssh-key-v1"; // followed by a NUL
    if (blob.size() < sizeof magic || blob.compare(0, sizeof magic, magic, sizeof magic) != 0)
        return k;
    size_t pos = sizeof magic;
    std::string cipher, kdf, kdfopts, pub, type;
    if (!ssh_string(blob, pos, cipher) || !ssh_string(blob, pos, kdf) ||
        !ssh_string(blob, pos, kdfopts) || pos + 4 > blob.size())
        return k;
    k.encrypted = cipher != "none";
    pos += 4; // number of keys
    size_t ppos = 0;
    if (ssh_string(blob, pos, pub) && ssh_string(pub, ppos, type))
        k.type = type;
    return k;
}

// libssh2's PEM reader wants LF line ends and a final newline; keys pasted into a
// settings row often have CRLF or lose the last newline.
std::string normalize_key(const std::string &text)
{
    std::string out;
    out.reserve(text.size() + 1);
    for (char c : text)
        if (c != '\r')
            out += c;
    size_t first = out.find_first_not_of(" \t\n");
    out.erase(0, first == std::string::npos ? out.size() : first);
    while (!out.empty() && (out.back() == ' ' || out.back() == '\t' || out.back() == '\n'))
        out.pop_back();
    out += '\n';
    return out;
}

std::string trim(const std::string &s)
{
    size_t a = s.find_first_not_of(" \t\r\n");
    if (a == std::string::npos)
        return {};
    size_t b = s.find_last_not_of(" \t\r\n");
    return s.substr(a, b - a + 1);
}

// At most max characters of untrusted text, control characters replaced.
std::string printable(const char *text, size_t max)
{
    std::string out;
    for (const char *p = text; *p != '\0' && out.size() < max; ++p)
        out += (static_cast<unsigned char>(*p) < 0x20 || *p == 0x7F) ? '?' : *p;
    return out;
}

int ms_left(Clock::time_point deadline)
{
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() < 0 ? 0 : int(std::min<long long>(left.count(), 1 << 30));
}

std::string seconds_text(int ms)
{
    if (ms % 1000 == 0)
        return std::to_string(ms / 1000) + " s";
    return std::to_string(ms) + " ms";
}

// --- one SSH connection ------------------------------------------------------------------

class Connection {
  public:
    Connection(std::string context, const std::function<void()> &check)
        : context_(std::move(context)), check_(check)
    {
    }
    ~Connection() { close(); }
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    [[noreturn]] void fail(int code, const std::string &cause, const std::string &detail = {},
                           const std::string &hint = {}) const
    {
        throw Error(code, context_ + ": " + cause, detail, hint);
    }

    void check_interrupts()
    {
        last_check_ = Clock::now();
        if (check_)
            check_();
    }

    // TCP connection to host:port, each address in turn, within the deadline.
    void connect_tcp(const std::string &host, int port, Clock::time_point deadline, int timeout_ms)
    {
        check_interrupts();
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo *res = nullptr;
        // getaddrinfo blocks; it is bounded by the resolver's own timeouts.
        int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
        if (rc != 0) {
            if (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_FAIL)
                fail(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                     "unknown host (the name \"" + host + "\" does not resolve)", {},
                     "Check sftp_host.");
            if (rc == EAI_AGAIN)
                fail(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                     "the host name could not be resolved now (temporary DNS failure)");
            fail(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                 std::string("the host name could not be resolved: ") + gai_strerror(rc));
        }
        std::unique_ptr<addrinfo, void (*)(addrinfo *)> list(res, freeaddrinfo);
        int last_err = 0;
        for (addrinfo *a = res; a != nullptr; a = a->ai_next) {
            fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                           a->ai_protocol);
            if (fd_ < 0) {
                last_err = errno;
                continue;
            }
            if (::connect(fd_, a->ai_addr, a->ai_addrlen) == 0)
                return;
            int err = errno;
            while (err == EINPROGRESS) {
                pollfd p{fd_, POLLOUT, 0};
                int n = ::poll(&p, 1, std::min(kPollSliceMs, ms_left(deadline)));
                check_interrupts();
                if (n > 0) {
                    socklen_t len = sizeof err;
                    if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
                        err = errno;
                    break;
                }
                if (Clock::now() >= deadline)
                    fail(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                         "timed out after " + seconds_text(timeout_ms) + " connecting", {},
                         "Check sftp_host, sftp_port and the firewall; connect_timeout sets the "
                         "limit.");
            }
            if (err == 0)
                return;
            last_err = err;
            ::close(fd_);
            fd_ = -1;
        }
        fail(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION, errno_text(last_err));
    }

    // Waits until the socket is ready in the direction libssh2 is blocked on, at
    // most kPollSliceMs; checks for interrupts and the deadline.
    void wait(Clock::time_point deadline, const std::string &during, int timeout_ms)
    {
        int dir = libssh2_session_block_directions(ssh_);
        short events = 0;
        if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
            events |= POLLIN;
        if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
            events |= POLLOUT;
        if (events == 0)
            events = POLLIN;
        pollfd p{fd_, events, 0};
        int n = ::poll(&p, 1, std::min(kPollSliceMs, ms_left(deadline)));
        if (n <= 0 || Clock::now() - last_check_ >= std::chrono::milliseconds(kCheckEveryMs))
            check_interrupts();
        if (Clock::now() >= deadline)
            fail(ERRCODE_CONNECTION_FAILURE,
                 "timed out after " + seconds_text(timeout_ms) + " " + during);
    }

    // Calls f (a libssh2 function returning int) until it does not say EAGAIN.
    template <typename F>
    int retry(F &&f, Clock::time_point deadline, const std::string &during, int timeout_ms)
    {
        for (;;) {
            int rc = f();
            if (rc != LIBSSH2_ERROR_EAGAIN)
                return rc;
            wait(deadline, during, timeout_ms);
        }
    }

    // Same for a libssh2 function returning a pointer (NULL + last_errno EAGAIN).
    template <typename F>
    auto retry_ptr(F &&f, Clock::time_point deadline, const std::string &during, int timeout_ms)
    {
        for (;;) {
            auto p = f();
            if (p != nullptr || libssh2_session_last_errno(ssh_) != LIBSSH2_ERROR_EAGAIN)
                return p;
            wait(deadline, during, timeout_ms);
        }
    }

    std::string last_error() const
    {
        char *msg = nullptr;
        int len = 0;
        libssh2_session_last_error(ssh_, &msg, &len, 0);
        return msg != nullptr && len > 0 ? std::string(msg, size_t(len)) : "unknown error";
    }

    void handshake(Clock::time_point deadline, int timeout_ms)
    {
        ssh_ = libssh2_session_init();
        if (ssh_ == nullptr)
            throw Error(ERRCODE_OUT_OF_MEMORY, context_ + ": could not create an SSH session");
        libssh2_session_set_blocking(ssh_, 0);
        libssh2_session_method_pref(ssh_, LIBSSH2_METHOD_HOSTKEY, kHostKeyPrefs);
        int rc;
        std::string greeting; // the last non-SSH line the server sent
        auto greeting_at = Clock::now();
        for (;;) {
            rc = libssh2_session_handshake(ssh_, fd_);
            if (rc != LIBSSH2_ERROR_EAGAIN)
                break;
            // Lines before "SSH-..." are allowed (libssh2 skips them), but a
            // non-SSH greeting followed by silence is another protocol's port
            // (SMTP, FTP): say so instead of waiting for the timeout.
            const char *banner = libssh2_session_banner_get(ssh_);
            if (banner != nullptr && std::strncmp(banner, "SSH-", 4) != 0) {
                if (greeting != banner) {
                    greeting = banner;
                    greeting_at = Clock::now();
                } else if (Clock::now() - greeting_at >= std::chrono::milliseconds(kGreetingWaitMs)) {
                    fail(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                         "the server on that port does not speak SSH (it said \"" +
                             printable(greeting.c_str(), 80) + "\")",
                         {}, "Check sftp_host and sftp_port (SFTP uses the SSH port, usually 22).");
                }
            }
            wait(deadline, "during the SSH handshake", timeout_ms);
        }
        if (rc == 0)
            return;
        switch (rc) {
        case LIBSSH2_ERROR_KEX_FAILURE:
        case LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE:
        case LIBSSH2_ERROR_METHOD_NONE:
            fail(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                 "the SSH key exchange failed (" + last_error() + ")",
                 "The server and libssh2 " LIBSSH2_VERSION
                 " share no key exchange, cipher or host key algorithm.",
                 "A server running OpenSSH 8.8 or later with only an RSA host key cannot talk to "
                 "libssh2 1.10, which supports only SHA-1 \"ssh-rsa\" host keys: give the server "
                 "an ed25519 host key.");
        case LIBSSH2_ERROR_BANNER_RECV:
        case LIBSSH2_ERROR_SOCKET_DISCONNECT:
        case LIBSSH2_ERROR_SOCKET_RECV:
        case LIBSSH2_ERROR_SOCKET_SEND:
            fail(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                 "the server closed the connection during the SSH handshake", last_error(),
                 "Check that sftp_port is the SSH port and that the server accepts this "
                 "database server's address.");
        default:
            fail(ERRCODE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                 "the SSH handshake failed: " + last_error());
        }
    }

    std::string fingerprint(std::string *type_out)
    {
        const char *raw = libssh2_hostkey_hash(ssh_, LIBSSH2_HOSTKEY_HASH_SHA256);
        if (raw == nullptr)
            fail(ERRCODE_INTERNAL_ERROR, "libssh2 gave no SHA-256 host key hash");
        size_t len = 0;
        int type = LIBSSH2_HOSTKEY_TYPE_UNKNOWN;
        libssh2_session_hostkey(ssh_, &len, &type);
        key_type_ = hostkey_type_name(type);
        if (type_out != nullptr)
            *type_out = key_type_;
        return "SHA256:" + pg::b64_encode(std::string_view(raw, 32), false);
    }

    // Before any credential leaves this process.
    void verify_pin(const std::string &pin_setting)
    {
        std::string got = fingerprint(nullptr);
        std::string pin = trim(pin_setting);
        while (!pin.empty() && pin.back() == '=')
            pin.pop_back();
        const std::string verify = "Verify it out of band before pinning it: on the server, run " +
                                   hostkey_file_hint(key_type_) + ".";
        // The key the server presented is not printed: whoever redirected
        // sftp_host would have it pinned by a DBA copying it from here. The
        // fingerprint to pin comes from the server itself (README.md, "Security").
        if (pin.empty())
            fail(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
                 "no host key is pinned (sftp_host_key is not set), so the server is not trusted",
                 "The server presented an " + key_type_ + " host key. No credential was sent.",
                 verify + " Then UPDATE casemis.import_settings SET sftp_host_key = 'SHA256:...' with the "
                          "fingerprint it prints.");
        if (pin != got)
            fail(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
                 "host key mismatch: the server's " + key_type_ + " host key is not the pinned " + pin,
                 "No credential was sent. The server's host key is not the pinned one: the server "
                 "was reinstalled or replaced, or someone is intercepting the connection.",
                 "Find out why the key changed. " + verify);
    }

    void authenticate(const SftpSettings &s, const KeyInfo &key, Clock::time_point deadline)
    {
        const char *methods = retry_ptr(
            [&] { return libssh2_userauth_list(ssh_, s.user.data(), unsigned(s.user.size())); },
            deadline, "during authentication", s.connect_timeout_ms);
        if (methods == nullptr) {
            if (libssh2_userauth_authenticated(ssh_))
                return; // the server let us in with "none"
            fail(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION,
                 "the server closed the connection before authentication (" + last_error() + ")");
        }
        const std::string offered = methods;
        auto offers = [&](const std::string &m) {
            return ("," + offered + ",").find("," + m + ",") != std::string::npos;
        };
        std::vector<std::string> why; // why each method configured failed
        bool rsa_rejected = false;
        if (!s.private_key.empty()) {
            if (!offers("publickey"))
                why.push_back("the server does not accept public key authentication");
            else if (by_public_key(s, key, deadline, why, rsa_rejected))
                return;
        }
        if (!s.password.empty()) {
            if (!offers("password"))
                why.push_back("the server does not accept password authentication");
            else if (by_password(s, deadline, why))
                return;
        }
        std::string cause = "authentication failed for user \"" + s.user + "\": ";
        for (size_t i = 0; i < why.size(); ++i)
            cause += (i ? "; " : "") + why[i];
        std::string hint = rsa_rejected ? std::string(kRsaNote)
                                        : "Check sftp_user and sftp_password or sftp_private_key "
                                          "(the server offers: " +
                                              offered + ").";
        fail(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION, cause, {}, hint);
    }

    // Public key authentication with sftp_private_key: true when the server
    // accepted it; a key that cannot be used, or a dropped connection, fails.
    bool by_public_key(const SftpSettings &s, const KeyInfo &key, Clock::time_point deadline,
                       std::vector<std::string> &why, bool &rsa_rejected)
    {
        const std::string pem = normalize_key(s.private_key);
        int rc = retry(
            [&] {
                return libssh2_userauth_publickey_frommemory(ssh_, s.user.data(), s.user.size(), nullptr, 0,
                                                             pem.data(), pem.size(), "");
            },
            deadline, "during authentication", s.connect_timeout_ms);
        if (rc == 0)
            return true;
        if (rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_RECV ||
            rc == LIBSSH2_ERROR_SOCKET_SEND)
            fail(ERRCODE_CONNECTION_FAILURE, "the server closed the connection during authentication");
        // -18/-19: the server said no; anything else: libssh2 could not
        // read or use the key (its messages name no key material).
        if (rc != LIBSSH2_ERROR_AUTHENTICATION_FAILED && rc != LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED)
            fail(ERRCODE_INVALID_PARAMETER_VALUE,
                 "the private key in sftp_private_key could not be used (" +
                     std::string(key.type.empty() ? "unrecognized key" : key.type) + ": " + last_error() + ")",
                 {},
                 "Store an unencrypted private key in OpenSSH or PEM format, such as "
                 "the file ssh-keygen -t ed25519 -N '' writes.");
        rsa_rejected = key.type == "ssh-rsa";
        why.push_back("the server did not accept the private key (" +
                      (key.type.empty() ? std::string("unknown type") : key.type) + ")");
        return false;
    }

    // Password authentication with sftp_password: true when accepted.
    bool by_password(const SftpSettings &s, Clock::time_point deadline, std::vector<std::string> &why)
    {
        int rc = retry(
            [&] {
                return libssh2_userauth_password_ex(ssh_, s.user.data(), unsigned(s.user.size()), s.password.data(),
                                                    unsigned(s.password.size()), nullptr);
            },
            deadline, "during authentication", s.connect_timeout_ms);
        if (rc == 0)
            return true;
        if (rc == LIBSSH2_ERROR_PASSWORD_EXPIRED)
            why.push_back("the password has expired");
        else if (rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_RECV ||
                 rc == LIBSSH2_ERROR_SOCKET_SEND)
            why.push_back("the server closed the connection during password "
                          "authentication");
        else
            why.push_back("the password was not accepted");
        return false;
    }

    // Opens the remote file and returns its size as the server reports it.
    uint64_t open_remote(const std::string &path, uint64_t max_size, Clock::time_point deadline,
                         int tmo)
    {
        sftp_ = retry_ptr([&] { return libssh2_sftp_init(ssh_); }, deadline,
                          "starting the SFTP session", tmo);
        if (sftp_ == nullptr)
            fail(ERRCODE_CONNECTION_FAILURE,
                 "the server did not start an SFTP session (" + last_error() + ")", {},
                 "The server must offer the SFTP subsystem to this user.");
        file_ = retry_ptr(
            [&] {
                return libssh2_sftp_open_ex(sftp_, path.data(), unsigned(path.size()),
                                            LIBSSH2_FXF_READ, 0, LIBSSH2_SFTP_OPENFILE);
            },
            deadline, "opening the file", tmo);
        if (file_ == nullptr)
            fail_sftp("could not open the file");
        LIBSSH2_SFTP_ATTRIBUTES attrs{};
        int rc = retry([&] { return libssh2_sftp_fstat_ex(file_, &attrs, 0); }, deadline,
                       "reading the file's size", tmo);
        if (rc != 0)
            fail_sftp("could not read the file's size");
        if ((attrs.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) &&
            !LIBSSH2_SFTP_S_ISREG(attrs.permissions))
            fail(ERRCODE_WRONG_OBJECT_TYPE, "not a regular file (a directory?)");
        if (!(attrs.flags & LIBSSH2_SFTP_ATTR_SIZE))
            fail(ERRCODE_CONNECTION_FAILURE,
                 "the server did not report the file's size, so a complete download cannot be "
                 "verified");
        if (attrs.filesize > max_size)
            fail(ERRCODE_PROGRAM_LIMIT_EXCEEDED,
                 "the file is " + std::to_string(attrs.filesize) + " bytes, more than the limit of " +
                     std::to_string(max_size) + " bytes",
                 {}, "Raise max_file_size in casemis.import_settings if the file is right.");
        return attrs.filesize;
    }

    [[noreturn]] void fail_sftp(const std::string &what)
    {
        int err = libssh2_session_last_errno(ssh_);
        if (err != LIBSSH2_ERROR_SFTP_PROTOCOL)
            fail(ERRCODE_CONNECTION_FAILURE, what + ": " + last_error());
        unsigned long fx = libssh2_sftp_last_error(sftp_);
        switch (fx) {
        case LIBSSH2_FX_NO_SUCH_FILE:
        case LIBSSH2_FX_NO_SUCH_PATH:
            fail(ERRCODE_UNDEFINED_FILE, "no such file on the server", {},
                 "Check sftp_directory and the file name (students_file, services_file). A "
                 "directory that does not start with / is relative to the user's login "
                 "directory.");
        case LIBSSH2_FX_PERMISSION_DENIED:
            fail(ERRCODE_INSUFFICIENT_PRIVILEGE,
                 "permission denied (the SFTP user may not read that file)", {},
                 "Ask the server's administrator to let sftp_user read the file.");
        case LIBSSH2_FX_NOT_A_DIRECTORY:
            fail(ERRCODE_UNDEFINED_FILE, "a part of sftp_directory is not a directory");
        default:
            fail(ERRCODE_CONNECTION_FAILURE,
                 what + " (SFTP status " + std::to_string(fx) + ")");
        }
    }

    // Reads the open remote file to EOF into fd (each block also to on_bytes);
    // returns the bytes received.
    uint64_t download(int fd, const std::string &local_path, uint64_t expected, uint64_t max_size,
                      Clock::time_point deadline, int tmo,
                      const std::function<void(const char *, size_t)> &on_bytes)
    {
        std::vector<char> buf(kReadChunk);
        uint64_t total = 0;
        for (;;) {
            if (Clock::now() >= deadline)
                fail(ERRCODE_CONNECTION_FAILURE,
                     "the transfer timed out after " + seconds_text(tmo) + " (" +
                         std::to_string(total) + " of " + std::to_string(expected) +
                         " bytes received)",
                     {}, "transfer_timeout in casemis.import_settings sets the limit.");
            ssize_t n = libssh2_sftp_read(file_, buf.data(), buf.size());
            if (n == LIBSSH2_ERROR_EAGAIN) {
                wait(deadline, "during the transfer", tmo);
                continue;
            }
            if (n < 0)
                fail(ERRCODE_CONNECTION_FAILURE,
                     "the transfer failed after " + std::to_string(total) + " of " +
                         std::to_string(expected) + " bytes: " + last_error());
            if (n == 0)
                break;
            total += uint64_t(n);
            if (total > max_size)
                fail(ERRCODE_PROGRAM_LIMIT_EXCEEDED,
                     "the file grew beyond the limit of " + std::to_string(max_size) +
                         " bytes while it was downloaded");
            write_all(fd, buf.data(), size_t(n), local_path);
            if (on_bytes) on_bytes(buf.data(), size_t(n));
            if (Clock::now() - last_check_ >= std::chrono::milliseconds(kCheckEveryMs))
                check_interrupts();
        }
        if (total != expected)
            fail(ERRCODE_IO_ERROR,
                 "incomplete download: received " + std::to_string(total) +
                     " bytes, but the server reports " + std::to_string(expected),
                 {}, "The file may have been changing while it was read; run the import again "
                     "once the export is complete.");
        return total;
    }

    void write_all(int fd, const char *p, size_t n, const std::string &local_path)
    {
        while (n > 0) {
            ssize_t w = ::write(fd, p, n);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                fail(ERRCODE_IO_ERROR, "could not write the local file \"" + local_path +
                                           "\" (system error " + std::to_string(errno) + ")");
            p += w;
            n -= size_t(w);
        }
    }

    // Graceful close, never throws and never checks for interrupts: each step is
    // bounded by kCleanupStepMs (libssh2's own wait in blocking mode), so a hung
    // server delays an error or a cancel by about two seconds at most.
    void close() noexcept
    {
        if (ssh_ != nullptr) {
            libssh2_session_set_blocking(ssh_, 1);
            libssh2_session_set_timeout(ssh_, kCleanupStepMs);
            if (file_ != nullptr)
                libssh2_sftp_close_handle(file_);
            if (sftp_ != nullptr)
                libssh2_sftp_shutdown(sftp_);
            libssh2_session_disconnect_ex(ssh_, SSH_DISCONNECT_BY_APPLICATION, "done", "");
            libssh2_session_free(ssh_);
        }
        file_ = nullptr;
        sftp_ = nullptr;
        ssh_ = nullptr;
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }

  private:
    std::string context_;
    const std::function<void()> &check_;
    Clock::time_point last_check_ = Clock::now();
    int fd_ = -1;
    LIBSSH2_SESSION *ssh_ = nullptr;
    LIBSSH2_SFTP *sftp_ = nullptr;
    LIBSSH2_SFTP_HANDLE *file_ = nullptr;
    std::string key_type_ = "unknown";
};

// The local copy: removed unless the download completed.
class LocalFile {
  public:
    LocalFile(const std::string &path, const std::string &context) : path_(path)
    {
        fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd_ < 0)
            throw Error(ERRCODE_IO_ERROR, context + ": could not create the local file \"" + path +
                                              "\" (system error " + std::to_string(errno) + ")");
        ::fchmod(fd_, 0600); // also when the file existed
    }
    ~LocalFile()
    {
        if (fd_ >= 0)
            ::close(fd_);
        if (!kept_)
            ::unlink(path_.c_str());
    }
    int fd() const { return fd_; }
    void keep(const std::string &context)
    {
        int rc = ::close(fd_);
        fd_ = -1;
        if (rc != 0)
            throw Error(ERRCODE_IO_ERROR, context + ": could not write the local file \"" + path_ +
                                              "\" (system error " + std::to_string(errno) + ")");
        kept_ = true;
    }

  private:
    std::string path_;
    int fd_ = -1;
    bool kept_ = false;
};

std::string server_text(const std::string &host, int port)
{
    return "SFTP server " + host + " port " + std::to_string(port);
}

void check_port(const std::string &context, int port)
{
    if (port < 1 || port > 65535)
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
                    context + ": port " + std::to_string(port) + " is out of range (1-65535)");
}

} // namespace

std::string sftp_remote_path(const std::string &directory, const std::string &name)
{
    std::string dir = directory;
    while (dir.size() > 1 && dir.back() == '/')
        dir.pop_back();
    if (dir.empty())
        return name;
    if (dir == "/")
        return "/" + name;
    return dir + "/" + name;
}

FetchedFile sftp_fetch(const SftpSettings &s, const std::string &name,
                       const std::string &local_path, uint64_t max_size,
                       const std::function<void()> &check_interrupts,
                       const std::function<void(const char *, size_t)> &on_bytes)
{
    const std::string remote = sftp_remote_path(s.directory, name);
    const std::string context =
        "could not fetch \"" + remote + "\" from " + server_text(s.host, s.port);

    // Settings problems first: nothing goes on the network for those.
    if (s.host.empty())
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE, "could not fetch \"" + remote +
                                                         "\" by SFTP: sftp_host is not set");
    check_port(context, s.port);
    if (s.user.empty())
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE, context + ": sftp_user is not set");
    if (s.password.empty() && s.private_key.empty())
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
                    context + ": neither sftp_password nor sftp_private_key is set");
    KeyInfo key;
    if (!s.private_key.empty()) {
        key = key_info(s.private_key);
        if (key.encrypted)
            throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
                        context + ": the private key in sftp_private_key is protected by a "
                                  "passphrase, which is not supported",
                        {},
                        "Store an unencrypted copy of the key (ssh-keygen -p -N '' -f KEYFILE) "
                        "and protect the settings table instead.");
    }

    ensure_libssh2_init();
    Connection c(context, check_interrupts);
    const auto connect_deadline =
        Clock::now() + std::chrono::milliseconds(std::max(1, s.connect_timeout_ms));
    c.connect_tcp(s.host, s.port, connect_deadline, s.connect_timeout_ms);
    c.handshake(connect_deadline, s.connect_timeout_ms);
    c.verify_pin(s.host_key);
    c.authenticate(s, key, connect_deadline);

    const int tmo = std::max(1, s.transfer_timeout_ms);
    const auto transfer_deadline = Clock::now() + std::chrono::milliseconds(tmo);
    LocalFile out(local_path, context);
    uint64_t expected = c.open_remote(remote, max_size, transfer_deadline, tmo);
    uint64_t got =
        c.download(out.fd(), local_path, expected, max_size, transfer_deadline, tmo, on_bytes);
    c.close();
    out.keep(context);
    return FetchedFile{local_path, got};
}

std::string sftp_host_fingerprint(const std::string &host, int port, int timeout_ms,
                                  const std::function<void()> &check_interrupts,
                                  std::string *key_type)
{
    const std::string context = "could not read the host key of " + server_text(host, port);
    if (host.empty())
        throw Error(ERRCODE_INVALID_PARAMETER_VALUE,
                    "could not read the host key of the SFTP server: no host given");
    check_port(context, port);
    ensure_libssh2_init();
    Connection c(context, check_interrupts);
    const int tmo = std::max(1, timeout_ms);
    const auto deadline = Clock::now() + std::chrono::milliseconds(tmo);
    c.connect_tcp(host, port, deadline, tmo);
    c.handshake(deadline, tmo);
    std::string fp = c.fingerprint(key_type);
    c.close();
    return fp;
}

} // namespace casemis::source
