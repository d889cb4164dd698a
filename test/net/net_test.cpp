// net_test.cpp -- the SFTP and SMTP modules against real servers (a private sshd
// and an SMTP sink started by test/net/run.sh). No PostgreSQL server involved:
// the modules are linked directly, with casemis::Error from boundary.hpp.
//
// Environment: NET_ROOT, NET_SFTP_PORT, NET_SMTP_PORT, NET_DOWN_PORT, NET_SFTP_USER,
// NET_SFTP_PASSWORD, NET_FINGERPRINT (ed25519 host key), NET_ECDSA_FINGERPRINT.
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "notify/mail.hpp"
#include "notify/mime.hpp"
#include "notify/run_summary.hpp"
#include "source/sftp.hpp"

#include "pg/boundary.hpp" // casemis::Error and the ERRCODE_* values (after the std headers)

using namespace casemis;
using Clock = std::chrono::steady_clock;

static int passed = 0, failed = 0;

static void check(bool ok, const std::string &what, const std::string &info = {})
{
    if (ok) {
        ++passed;
        std::cout << "ok   " << what << "\n";
    } else {
        ++failed;
        std::cout << "FAIL " << what << (info.empty() ? "" : "\n     " + info) << "\n";
    }
}

static std::string env(const char *name)
{
    const char *v = std::getenv(name);
    if (v == nullptr) {
        std::cerr << "missing environment variable " << name << "\n";
        std::exit(2);
    }
    return v;
}

static std::string slurp(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

static bool exists(const std::string &path)
{
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}

static long file_size(const std::string &path)
{
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? long(st.st_size) : -1;
}

static bool contains(const std::string &hay, const std::string &needle)
{
    return hay.find(needle) != std::string::npos;
}

static std::string all_text(const Error &e) { return e.message + " | " + e.detail + " | " + e.hint; }

template <typename F> static std::optional<Error> error_of(F &&f)
{
    try {
        f();
    } catch (const Error &e) {
        return e;
    }
    return std::nullopt;
}

static double secs_since(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Records the time between interrupt checks.
struct Checker {
    Clock::time_point last = Clock::now();
    double max_gap = 0;
    int calls = 0;
    std::function<void()> extra;
    std::function<void()> fn()
    {
        return [this] {
            auto now = Clock::now();
            max_gap = std::max(max_gap, std::chrono::duration<double>(now - last).count());
            last = now;
            ++calls;
            if (extra)
                extra();
        };
    }
};

struct Interrupted {};

// A TCP port that accepts connections (kernel backlog) but never answers.
struct BlackHole {
    int fd = -1;
    int port = 0;
    BlackHole()
    {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
        ::listen(fd, 16);
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
        port = ntohs(a.sin_port);
    }
    ~BlackHole() { ::close(fd); }
};

// Children (and grandchildren) of a process, from /proc.
static std::vector<pid_t> descendants(pid_t root)
{
    std::vector<std::pair<pid_t, pid_t>> all;
    DIR *d = opendir("/proc");
    while (dirent *e = readdir(d)) {
        pid_t pid = atoi(e->d_name);
        if (pid <= 0)
            continue;
        std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
        size_t rp = stat.rfind(')');
        if (rp == std::string::npos)
            continue;
        std::istringstream ss(stat.substr(rp + 2));
        std::string state;
        pid_t ppid = 0;
        ss >> state >> ppid;
        all.push_back({pid, ppid});
    }
    closedir(d);
    std::vector<pid_t> out{root};
    for (size_t i = 0; i < out.size(); ++i)
        for (auto &p : all)
            if (p.second == out[i])
                out.push_back(p.first);
    out.erase(out.begin());
    return out;
}

int main()
{
    const std::string root = env("NET_ROOT");
    const int sftp_port = std::stoi(env("NET_SFTP_PORT"));
    const int smtp_port = std::stoi(env("NET_SMTP_PORT"));
    const int down_port = std::stoi(env("NET_DOWN_PORT"));
    const std::string user = env("NET_SFTP_USER");
    const std::string password = env("NET_SFTP_PASSWORD");
    const std::string fingerprint = env("NET_FINGERPRINT");
    const std::string ecdsa_fingerprint = env("NET_ECDSA_FINGERPRINT");
    const std::string upload = root + "/home/upload";
    const std::string dl = root + "/dl";
    const std::string sshd_log = root + "/sshd.log";
    ::mkdir(dl.c_str(), 0700);

    source::SftpSettings base;
    base.host = "127.0.0.1";
    base.port = sftp_port;
    base.user = user;
    base.host_key = fingerprint;
    base.directory = "upload";
    base.connect_timeout_ms = 10000;
    base.transfer_timeout_ms = 60000;
    const uint64_t big = uint64_t(1) << 31;
    const std::string tableA = slurp(upload + "/tableA.csv");

    // ---------------------------------------------------------------- fingerprint
    {
        Checker ck;
        std::string type;
        std::string fp = source::sftp_host_fingerprint("127.0.0.1", sftp_port, 5000, ck.fn(), &type);
        check(fp == fingerprint, "sftp_host_fingerprint = ssh-keygen's ed25519 fingerprint",
              fp + " vs " + fingerprint);
        check(fp != ecdsa_fingerprint, "ed25519 preferred over the server's ECDSA host key");
        check(type == "ssh-ed25519", "host key type ssh-ed25519", type);
        check(fp.find('=') == std::string::npos && fp.rfind("SHA256:", 0) == 0,
              "fingerprint form SHA256:... without padding");
    }

    // ---------------------------------------------------------------- password + pin
    {
        auto s = base;
        s.password = password;
        Checker ck;
        auto f = source::sftp_fetch(s, "tableA.csv", dl + "/a_pw.csv", big, ck.fn());
        check(f.size == tableA.size() && slurp(dl + "/a_pw.csv") == tableA,
              "password + pin: file downloaded byte for byte");
        struct stat st;
        ::stat((dl + "/a_pw.csv").c_str(), &st);
        check((st.st_mode & 0777) == 0600, "local file mode 0600");
        check(ck.calls > 0, "check_interrupts called", std::to_string(ck.calls));
        // the same path again: truncated and rewritten
        auto s2 = s;
        s2.host_key = fingerprint + "="; // a pin with '=' padding is accepted
        source::sftp_fetch(s2, "tableB.csv", dl + "/a_pw.csv", big, ck.fn());
        check(slurp(dl + "/a_pw.csv") == slurp(upload + "/tableB.csv"),
              "existing local file truncated and rewritten; padded pin accepted");
        auto s3 = s;
        s3.directory = "upload/";
        auto f3 = source::sftp_fetch(s3, "tableA.csv", dl + "/a_pw3.csv", big, ck.fn());
        check(f3.size == tableA.size(), "directory with a trailing slash");
    }

    // ---------------------------------------------------------------- ed25519 key + pin
    {
        auto s = base;
        s.private_key = slurp(root + "/client_ed25519");
        Checker ck;
        auto f = source::sftp_fetch(s, "tableA.csv", dl + "/a_key.csv", big, ck.fn());
        check(f.size == tableA.size() && slurp(dl + "/a_key.csv") == tableA,
              "ed25519 key + pin: file downloaded");
        // pasted with CRLF line ends and without the final newline
        std::string crlf;
        for (char c : s.private_key)
            crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
        while (!crlf.empty() && (crlf.back() == '\n' || crlf.back() == '\r'))
            crlf.pop_back();
        s.private_key = crlf;
        auto g = source::sftp_fetch(s, "tableA.csv", dl + "/a_key2.csv", big, ck.fn());
        check(g.size == tableA.size(), "ed25519 key with CRLF line ends and no final newline");
        // a wrong key, with the password as the fallback
        auto s2 = base;
        s2.private_key = slurp(root + "/other_ed25519");
        s2.password = password;
        auto h = source::sftp_fetch(s2, "tableA.csv", dl + "/a_key3.csv", big, ck.fn());
        check(h.size == tableA.size(), "key refused, password accepted as fallback");
    }

    // ---------------------------------------------------------------- wrong pin: nothing sent
    {
        auto s = base;
        s.password = password;
        s.host_key = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        long before = file_size(sshd_log);
        auto e = error_of([&] { source::sftp_fetch(s, "tableA.csv", dl + "/pin.csv", big, {}); });
        // The presented key is never printed: whoever redirected sftp_host would
        // have a DBA pin it from the message (README.md, "Security").
        check(e && e->sqlstate == ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION &&
                  contains(e->message, "host key mismatch") && contains(e->message, s.host_key) &&
                  !contains(all_text(*e), fingerprint) &&
                  contains(e->message, "127.0.0.1 port " + std::to_string(sftp_port)) &&
                  contains(e->message, "\"upload/tableA.csv\"") && contains(e->hint, "ssh-keygen -lf"),
              "wrong pin refused: the pin, host, port, path; not the presented key",
              e ? all_text(*e) : "no error");
        check(!exists(dl + "/pin.csv"), "wrong pin: no local file left");
        std::this_thread::sleep_for(std::chrono::milliseconds(300)); // sshd writes its log
        std::string log = slurp(sshd_log).substr(size_t(before));
        check(contains(log, "Connection from 127.0.0.1") && !contains(log, "userauth-request") &&
                  !contains(log, "Failed") && !contains(log, "Accepted"),
              "wrong pin: sshd saw a connection but no authentication request", log);

        s.host_key.clear();
        before = file_size(sshd_log);
        e = error_of([&] { source::sftp_fetch(s, "tableA.csv", dl + "/pin.csv", big, {}); });
        check(e && contains(e->message, "no host key is pinned") &&
                  !contains(all_text(*e), fingerprint) && contains(e->hint, "ssh-keygen -lf"),
              "no pin refused; the hint says where to read the fingerprint, the presented key is not shown",
              e ? all_text(*e) : "no error");
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        log = slurp(sshd_log).substr(size_t(before));
        check(!contains(log, "userauth-request"), "no pin: no authentication request", log);
    }

    // ---------------------------------------------------------------- bad password
    {
        auto s = base;
        s.password = "Wr0ng-Secret-xyzzy";
        auto e = error_of([&] { source::sftp_fetch(s, "tableA.csv", dl + "/bad.csv", big, {}); });
        check(e && e->sqlstate == ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION &&
                  contains(e->message, "authentication failed for user \"" + user + "\"") &&
                  contains(e->message, "password was not accepted"),
              "bad password: authentication failed", e ? all_text(*e) : "no error");
        check(e && !contains(all_text(*e), "Wr0ng") && !contains(all_text(*e), password),
              "bad password: no password in the error");
    }

    // ---------------------------------------------------------------- RSA and encrypted keys
    {
        auto s = base;
        s.private_key = slurp(root + "/client_rsa");
        auto e = error_of([&] { source::sftp_fetch(s, "tableA.csv", dl + "/rsa.csv", big, {}); });
        check(e && contains(e->message, "did not accept the private key (ssh-rsa)") &&
                  contains(e->hint, "ed25519") && contains(e->hint, "8.8"),
              "RSA key refused by OpenSSH 9.2, with the ed25519 hint", e ? all_text(*e) : "no error");
        check(e && !contains(all_text(*e), "PRIVATE KEY"), "RSA: no key text in the error");
        s.private_key = slurp(root + "/client_rsa_pem");
        e = error_of([&] { source::sftp_fetch(s, "tableA.csv", dl + "/rsa.csv", big, {}); });
        check(e && contains(e->message, "(ssh-rsa)") && contains(e->hint, "ed25519"),
              "PEM RSA key: same note", e ? all_text(*e) : "no error");

        s.private_key = slurp(root + "/client_enc");
        std::this_thread::sleep_for(std::chrono::milliseconds(300)); // earlier log lines land
        long before = file_size(sshd_log);
        e = error_of([&] { source::sftp_fetch(s, "tableA.csv", dl + "/enc.csv", big, {}); });
        check(e && contains(e->message, "protected by a passphrase"),
              "passphrase-protected key refused", e ? all_text(*e) : "no error");
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        check(file_size(sshd_log) == before, "passphrase-protected key: no connection made");

        s.private_key = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n";
        e = error_of([&] { source::sftp_fetch(s, "tableA.csv", dl + "/junk.csv", big, {}); });
        check(e && contains(e->message, "could not be used"), "unreadable key: clear error",
              e ? all_text(*e) : "no error");
    }

    // ---------------------------------------------------------------- server down, unknown host
    {
        auto s = base;
        s.password = password;
        s.port = down_port;
        auto e = error_of([&] { source::sftp_fetch(s, "tableA.csv", dl + "/down.csv", big, {}); });
        check(e && contains(e->message, "connection refused") &&
                  contains(e->message, "port " + std::to_string(down_port)),
              "server down: connection refused, with host and port", e ? all_text(*e) : "no error");
        s = base;
        s.password = password;
        s.host = "no-such-host.invalid";
        e = error_of([&] { source::sftp_fetch(s, "tableA.csv", dl + "/down.csv", big, {}); });
        check(e && contains(e->message, "unknown host"), "unknown host",
              e ? all_text(*e) : "no error");
        s.host = "127.0.0.1";
        s.port = 70000;
        e = error_of([&] { source::sftp_fetch(s, "tableA.csv", dl + "/down.csv", big, {}); });
        check(e && e->sqlstate == ERRCODE_INVALID_PARAMETER_VALUE, "port out of range");
    }

    // ---------------------------------------------------------------- remote file problems
    {
        auto s = base;
        s.password = password;
        auto e = error_of([&] { source::sftp_fetch(s, "nope.csv", dl + "/nope.csv", big, {}); });
        check(e && e->sqlstate == ERRCODE_UNDEFINED_FILE && contains(e->message, "no such file") &&
                  contains(e->message, "\"upload/nope.csv\""),
              "missing remote file", e ? all_text(*e) : "no error");
        check(!exists(dl + "/nope.csv"), "missing remote file: no local file left");
        s.directory = "no/such/dir";
        e = error_of([&] { source::sftp_fetch(s, "tableA.csv", dl + "/nope.csv", big, {}); });
        check(e && e->sqlstate == ERRCODE_UNDEFINED_FILE, "missing remote directory",
              e ? all_text(*e) : "no error");
        s.directory = "upload";
        e = error_of([&] { source::sftp_fetch(s, "secret.csv", dl + "/secret.csv", big, {}); });
        check(e && e->sqlstate == ERRCODE_INSUFFICIENT_PRIVILEGE &&
                  contains(e->message, "permission denied"),
              "unreadable remote file: permission denied", e ? all_text(*e) : "no error");
        e = error_of([&] { source::sftp_fetch(s, "adir", dl + "/adir", big, {}); });
        check(e && contains(e->message, "not a regular file"), "a directory is refused",
              e ? all_text(*e) : "no error");
        e = error_of([&] { source::sftp_fetch(s, "tableA.csv", dl + "/small.csv", 100, {}); });
        check(e && e->sqlstate == ERRCODE_PROGRAM_LIMIT_EXCEEDED &&
                  contains(e->message, std::to_string(tableA.size()) + " bytes"),
              "file larger than max_size refused", e ? all_text(*e) : "no error");
        check(!exists(dl + "/small.csv"), "max_size: no local file left");
        e = error_of([&] {
            source::sftp_fetch(s, "tableA.csv", root + "/no/such/dir/x.csv", big, {});
        });
        check(e && e->sqlstate == ERRCODE_IO_ERROR && contains(e->message, "local file"),
              "local file cannot be created", e ? all_text(*e) : "no error");
    }

    // ---------------------------------------------------------------- big file, interrupts
    {
        auto s = base;
        s.password = password;
        const std::string big_src = upload + "/big.bin";
        Checker ck;
        auto t0 = Clock::now();
        auto f = source::sftp_fetch(s, "big.bin", dl + "/big.bin", big, ck.fn());
        double secs = secs_since(t0);
        check(f.size == uint64_t(file_size(big_src)) && slurp(dl + "/big.bin") == slurp(big_src),
              "big file (" + std::to_string(f.size) + " bytes) downloaded intact in " +
                  std::to_string(secs) + " s");
        check(ck.max_gap < 0.15, "interrupt checks during the transfer at most 150 ms apart",
              std::to_string(ck.max_gap));
        ::unlink((dl + "/big.bin").c_str());

        // every block received is handed to on_bytes, in order, once (the run
        // hashes and scans the download that way instead of reading it again)
        std::string seen;
        size_t blocks = 0;
        auto g = source::sftp_fetch(s, "big.bin", dl + "/big_seen.bin", big, ck.fn(),
                                    [&](const char *p, size_t n) {
                                        seen.append(p, n);
                                        ++blocks;
                                    });
        check(g.size == seen.size() && seen == slurp(big_src) && blocks > 1,
              "on_bytes sees the downloaded bytes once, in order (" + std::to_string(blocks) +
                  " blocks)",
              std::to_string(seen.size()) + " of " + std::to_string(g.size) + " bytes");
        ::unlink((dl + "/big_seen.bin").c_str());

        // cancel in the middle of the transfer
        Checker ck2;
        Clock::time_point thrown;
        ck2.extra = [&] {
            if (file_size(dl + "/big2.bin") > 0) {
                thrown = Clock::now();
                throw Interrupted{};
            }
        };
        bool caught = false;
        try {
            source::sftp_fetch(s, "big.bin", dl + "/big2.bin", big, ck2.fn());
        } catch (const Interrupted &) {
            caught = true;
        }
        check(caught && secs_since(thrown) < 1.0,
              "an exception from check_interrupts mid-transfer propagates (cleanup " +
                  std::to_string(secs_since(thrown)) + " s)");
        check(!exists(dl + "/big2.bin"), "interrupted transfer: partial local file removed");

        // transfer timeout: the check slows the transfer down
        auto s2 = s;
        s2.transfer_timeout_ms = 1500;
        Checker ck3;
        ck3.extra = [&] {
            if (file_size(dl + "/big3.bin") > 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        };
        auto e = error_of([&] { source::sftp_fetch(s2, "big.bin", dl + "/big3.bin", big, ck3.fn()); });
        check(e && contains(e->message, "transfer timed out after 1500 ms") &&
                  contains(e->message, "bytes received"),
              "transfer timeout", e ? all_text(*e) : "no error");

        // a server that hangs mid-transfer (sshd session processes stopped), then a cancel
        pid_t master = std::stoi(slurp(root + "/sshd.pid"));
        std::vector<pid_t> stopped;
        Clock::time_point stop_at{};
        Checker ck4;
        ck4.extra = [&] {
            if (stopped.empty() && file_size(dl + "/big4.bin") > 0) {
                stopped = descendants(master);
                for (pid_t p : stopped)
                    ::kill(p, SIGSTOP);
                stop_at = Clock::now();
            }
            if (!stopped.empty() && secs_since(stop_at) > 0.5) {
                thrown = Clock::now();
                throw Interrupted{};
            }
        };
        caught = false;
        try {
            source::sftp_fetch(s, "big.bin", dl + "/big4.bin", big, ck4.fn());
        } catch (const Interrupted &) {
            caught = true;
        }
        double cleanup = secs_since(thrown);
        for (pid_t p : stopped)
            ::kill(p, SIGCONT);
        check(caught && !stopped.empty(), "cancel while the server hangs mid-transfer (" +
                                              std::to_string(stopped.size()) +
                                              " sshd processes stopped)");
        check(ck4.max_gap < 0.15, "interrupt checks while the server hangs at most 150 ms apart",
              std::to_string(ck4.max_gap));
        check(cleanup < 3.0, "cleanup against a hung server bounded (" + std::to_string(cleanup) +
                                 " s)");
    }

    // ---------------------------------------------------------------- a port that never answers
    {
        BlackHole hole;
        auto s = base;
        s.password = password;
        s.port = hole.port;
        s.connect_timeout_ms = 1000;
        Checker ck;
        auto t0 = Clock::now();
        auto e = error_of([&] { source::sftp_fetch(s, "tableA.csv", dl + "/hole.csv", big, ck.fn()); });
        double secs = secs_since(t0);
        check(e && contains(e->message, "timed out after 1 s during the SSH handshake") &&
                  secs < 1.5,
              "silent server: handshake timeout after 1 s (" + std::to_string(secs) + " s)",
              e ? all_text(*e) : "no error");
        check(ck.max_gap < 0.15, "interrupt checks while waiting at most 150 ms apart",
              std::to_string(ck.max_gap));
        Checker ck2;
        ck2.extra = [&] {
            if (ck2.calls > 3)
                throw Interrupted{};
        };
        bool caught = false;
        t0 = Clock::now();
        try {
            source::sftp_host_fingerprint("127.0.0.1", hole.port, 30000, ck2.fn());
        } catch (const Interrupted &) {
            caught = true;
        }
        check(caught && secs_since(t0) < 1.0, "fingerprint of a silent server: interruptible");
    }

    // ---------------------------------------------------------------- another protocol's port
    {
        auto t0 = Clock::now();
        auto e = error_of([&] {
            source::sftp_host_fingerprint("127.0.0.1", smtp_port, 30000, {});
        });
        double secs = secs_since(t0);
        check(e && contains(e->message, "does not speak SSH (it said \"") && secs < 3.0,
              "SMTP port given as SFTP port: 'does not speak SSH' after " + std::to_string(secs) +
                  " s, not the 30 s timeout",
              e ? all_text(*e) : "no error");
    }

    // ---------------------------------------------------------------- SMTP
    const std::string mail_dir = root + "/mail";
    auto count_mail = [&] {
        int n = 0;
        DIR *d = opendir(mail_dir.c_str());
        while (dirent *e = readdir(d))
            if (contains(e->d_name, ".eml") && !contains(e->d_name, ".tmp"))
                ++n;
        closedir(d);
        return n;
    };
    auto eml_path = [&](int n) {
        std::string num = std::to_string(n);
        return mail_dir + "/" + std::string(4 - num.size(), '0') + num + ".eml";
    };
    const std::string expect = root + "/expect";
    ::mkdir(expect.c_str(), 0755);
    auto write = [](const std::string &path, const std::string &data) {
        std::ofstream(path, std::ios::binary) << data;
    };
    {
        notify::SmtpSettings s;
        s.url = "smtp://127.0.0.1:" + std::to_string(smtp_port);
        s.from = "casemis@district.example";
        s.to = {"alice@district.example", "bob@district.example"};
        notify::Message m;
        m.subject = "[casemis_import] sis_db: import succeeded 2026-11-28 — Núñez, José; "
                    "a long subject that needs more than one encoded word 日本語";
        m.body = "Hello Núñez,\n.\n.leading dot\ntrailing space \n"
                 "a very long line ................................................................"
                 "........................................ end\n= equals =\n";
        m.attachments = {
            {"CASEMIS_TypeA_ImportedRecords.csv",
             "OriginalLineNumber,SSID,FirstName,LastName\r\n2,1000000001,José,Núñez\r\n"
             "3,1000000002,\"Anna, \"\"Q\"\"\",Smith\r\n"},
            {"CASEMIS_TypeA_Errors.csv", "OriginalLineNumber,Field\r\n"},
            {"empty.csv", ""}};
        int before = count_mail();
        Checker ck;
        auto e = error_of([&] { notify::send_mail(s, m, [] { return false; }); });
        check(!e, "send_mail to two recipients", e ? all_text(*e) : "");
        check(count_mail() == before + 1, "the sink stored one message");
        write(expect + "/subject", m.subject);
        write(expect + "/body", m.body);
        write(expect + "/from", s.from);
        write(expect + "/rcpts", "alice@district.example\nbob@district.example\n");
        std::string names;
        for (size_t i = 0; i < m.attachments.size(); ++i) {
            write(expect + "/att" + std::to_string(i), m.attachments[i].content);
            names += m.attachments[i].filename + "\n";
        }
        write(expect + "/attnames", names);
        int rc = std::system(("/usr/bin/python3 " + env("NET_CHECK_MAIL") + " " +
                              eml_path(before + 1) + " " + expect)
                                 .c_str());
        check(rc == 0, "the stored message parses (Python email) to exactly what was sent");
    }
    {
        notify::SmtpSettings s;
        s.url = "smtp://mailuser:Sup3r-Secret@127.0.0.1:" + std::to_string(down_port) + "/x";
        s.from = "casemis@district.example";
        s.to = {"alice@district.example"};
        notify::Message m{"subject", "body", {}, {}};
        auto e = error_of([&] { notify::send_mail(s, m, [] { return false; }); });
        check(e && contains(e->message, "smtp://127.0.0.1:" + std::to_string(down_port)) &&
                  contains(e->message, "connect"),
              "SMTP down: error names the server", e ? all_text(*e) : "no error");
        check(e && !contains(all_text(*e), "Sup3r") && !contains(all_text(*e), "mailuser"),
              "SMTP down: no credentials in the error");
        s.url = "smtp://127.0.0.1:" + std::to_string(down_port);
        s.user = "mailuser";
        s.password = "Sup3r-Secret";
        e = error_of([&] { notify::send_mail(s, m, [] { return false; }); });
        check(e && !contains(all_text(*e), "Sup3r"), "SMTP down with AUTH settings: no password");

        s = notify::SmtpSettings{};
        s.url = "smtp://127.0.0.1:" + std::to_string(smtp_port);
        s.from = "casemis@district.example";
        s.to = {"alice@district.example\r\nBcc: eve@evil.example"};
        e = error_of([&] { notify::send_mail(s, m, [] { return false; }); });
        check(e && e->sqlstate == ERRCODE_INVALID_PARAMETER_VALUE, "header injection refused");
        s.to = {"alice@district.example"};
        s.url = "file:///etc/passwd";
        e = error_of([&] { notify::send_mail(s, m, [] { return false; }); });
        check(e && e->sqlstate == ERRCODE_INVALID_PARAMETER_VALUE, "non-SMTP url refused");

        s.url = "smtp://127.0.0.1:" + std::to_string(smtp_port);
        s.require_tls = true;
        e = error_of([&] { notify::send_mail(s, m, [] { return false; }); });
        check(e && contains(e->hint, "STARTTLS"),
              "require_tls against a server without STARTTLS: refused", e ? all_text(*e) : "no error");
        s.require_tls = false;
        s.to = {"reject-me@district.example"};
        e = error_of([&] { notify::send_mail(s, m, [] { return false; }); });
        check(e && contains(e->message, "550"), "recipient refused by the server: reported",
              e ? all_text(*e) : "no error");
    }
    {
        BlackHole hole;
        notify::SmtpSettings s;
        s.url = "smtp://127.0.0.1:" + std::to_string(hole.port);
        s.from = "casemis@district.example";
        s.to = {"alice@district.example"};
        notify::Message m{"subject", "body", {}, {}};
        auto t0 = Clock::now();
        auto e = error_of([&] {
            notify::send_mail(s, m, [&] { return secs_since(t0) > 0.3; });
        });
        double secs = secs_since(t0);
        check(e && e->sqlstate == ERRCODE_QUERY_CANCELED && secs < 0.6,
              "silent SMTP server: interrupted after 0.3 s, stopped in " + std::to_string(secs) + " s",
              e ? all_text(*e) : "no error");
        s.timeout_ms = 1000;
        t0 = Clock::now();
        e = error_of([&] { notify::send_mail(s, m, [] { return false; }); });
        secs = secs_since(t0);
        check(e && contains(e->message, "imeout") && secs < 1.6,
              "silent SMTP server: timeout after 1 s (" + std::to_string(secs) + " s)",
              e ? all_text(*e) : "no error");
    }

    // ---------------------------------------------------------------- TLS: STARTTLS and smtps:// verify the certificate
    {
        const std::string starttls = env("NET_STARTTLS_PORT"), smtps = env("NET_SMTPS_PORT");
        notify::SmtpSettings s;
        s.from = "casemis@district.example";
        s.to = {"alice@district.example"};
        s.user = "mailuser";
        s.password = "Sup3r-Secret";
        s.timeout_ms = 5000;
        notify::Message m{"subject", "body", {}, {}};
        for (bool require : {false, true}) {
            s.require_tls = require;
            s.url = "smtp://127.0.0.1:" + starttls;
            auto e = error_of([&] { notify::send_mail(s, m, [] { return false; }); });
            check(e && contains(e->message, "self-signed certificate") && contains(e->hint, "CA store") &&
                      !contains(all_text(*e), "Sup3r"),
                  std::string("STARTTLS offered (require_tls ") + (require ? "on" : "off") +
                      "): TLS is started and an untrusted certificate refused",
                  e ? all_text(*e) : "no error");
        }
        s.require_tls = false;
        s.url = "smtps://127.0.0.1:" + smtps;
        auto e = error_of([&] { notify::send_mail(s, m, [] { return false; }); });
        check(e && contains(e->message, "self-signed certificate"),
              "smtps://: implicit TLS, untrusted certificate refused", e ? all_text(*e) : "no error");
    }

    // ---------------------------------------------------------------- email text
    {
        notify::RunSummary r;
        r.run_id = 7;
        r.database = "sis_db";
        r.setting = "nightly";
        r.status = "failed";
        r.message = "Table A lacks the key header SSID";
        r.run_date = "2026-11-28";
        std::string subj = notify::run_email_subject(r);
        std::string body = notify::run_email_body(r);
        check(subj == "[casemis_import] sis_db (nightly): import FAILED 2026-11-28", "failed subject",
              subj);
        check(contains(body, "Reason:\n  Table A lacks the key header SSID") &&
                  contains(body, "What to do:") &&
                  contains(body, "SELECT casemis.casemis_import('nightly');"),
              "failed body: reason and what to do", body);
        r.status = "unchanged";
        r.setting = "default";
        body = notify::run_email_body(r);
        check(contains(notify::run_email_subject(r), "unchanged") &&
                  contains(body, "casemis.casemis_import(force => true)"),
              "unchanged: note with force => true", body);
        r.status = "dry_run";
        r.dry_run = true;
        check(contains(notify::run_email_subject(r), "DRY RUN") &&
                  contains(notify::run_email_body(r), "*** DRY RUN"),
              "dry run marker");
        check(notify::encode_header_text("plain ASCII") == "plain ASCII" &&
                  notify::encode_header_text("a\r\nBcc: x") == "a  Bcc: x",
              "header text: ASCII kept, CR/LF neutralized");
    }

    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : 1;
}
