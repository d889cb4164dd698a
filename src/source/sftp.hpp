// sftp.hpp -- fetch one file from an SFTP server (libssh2), with a pinned host key.
//
// The socket is non-blocking and every wait on the network is a poll() of at
// most 100 ms followed by check_interrupts(), which may throw (the caller's
// CHECK_FOR_INTERRUPTS inside pg_guard): a cancel or statement_timeout stops a
// stuck connection or transfer promptly. check_interrupts() is only ever called
// from this module's own code, never from inside a libssh2 callback.
//
// Errors are thrown as casemis::Error naming host, port and remote path and the
// cause in plain English; a password or private key never appears in one.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace casemis::source {

struct SftpSettings {
    std::string host;
    int port = 22;
    std::string user, password;
    std::string private_key; // OpenSSH or PEM private key text (unencrypted); may be empty
    std::string host_key;    // pinned fingerprint "SHA256:..." (OpenSSH form); required
    std::string directory;   // remote directory; empty = the login directory
    int connect_timeout_ms = 30000;   // TCP connect + SSH handshake + authentication
    int transfer_timeout_ms = 1800000; // opening, checking and downloading the file
};

struct FetchedFile {
    std::string path; // the local file written
    uint64_t size = 0;
};

// Downloads directory/name to local_path (created or truncated, mode 0600). The
// host key is checked against s.host_key before any credential is sent (no pin:
// refused, and the error shows the server's fingerprint to verify). The file must
// be a regular file of at most max_size bytes, and the bytes received must equal
// the size the server reports. On any failure local_path is removed.
// on_bytes, when given, sees every block received, in order, once it is written
// (the caller hashes and scans the file on the way, instead of reading it again).
FetchedFile sftp_fetch(const SftpSettings &s, const std::string &name,
                       const std::string &local_path, uint64_t max_size,
                       const std::function<void()> &check_interrupts,
                       const std::function<void(const char *, size_t)> &on_bytes = {});

// The server's host key fingerprint "SHA256:..." (as `ssh-keygen -lf key.pub`
// prints it, no '=' padding), without logging in. key_type, when given, receives
// the host key algorithm the fingerprint belongs to ("ssh-ed25519", ...). The
// same host key algorithm preference is used as by sftp_fetch (ed25519 first),
// so the fingerprint returned is the one sftp_fetch will compare with the pin.
std::string sftp_host_fingerprint(const std::string &host, int port, int timeout_ms,
                                  const std::function<void()> &check_interrupts,
                                  std::string *key_type = nullptr);

// "upload/tableA.csv" from directory "upload" (or "upload/") and name "tableA.csv".
std::string sftp_remote_path(const std::string &directory, const std::string &name);

} // namespace casemis::source
