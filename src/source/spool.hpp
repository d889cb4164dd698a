// spool.hpp -- every source ends as a complete local copy of the file (a spool
// file in the cluster's temp folder, removed at exit and by a restart) whose
// size, SHA-256 and encoding are known before a single record is read.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "format/text.hpp"
#include "pg/text.hpp"

namespace casemis::source {

struct FileInfo {
    std::string label;   // what reports and the email call it: "tableA.csv", "uploaded Table A"
    std::string origin;  // where it came from: a server path, sftp://host:port/path, "upload"
    std::string path;    // the local spool copy to read
    uint64_t size = 0;
    std::string sha256;
    format::Encoding encoding = format::Encoding::Utf8;
    bool has_nul = false;
    bool undefined_1252 = false; // not UTF-8 and not Windows-1252 either
};

// Size, SHA-256 and what the bytes are, taken while a file streams past (every
// source feeds it as the bytes arrive, so no file is read a second time).
class FileDigest
{
  public:
    void feed(const char *p, size_t n);
    uint64_t size() const { return size_; }
    // Finishes; the file's info with these label, origin and local path.
    FileInfo finish(const std::string &label, const std::string &origin, const std::string &path);

  private:
    format::TextScanner scan_;
    pg::Sha256 sha_;
    uint64_t size_ = 0;
};

// A private temporary file, unlinked when the object dies.
class SpoolFile {
  public:
    explicit SpoolFile(const std::string &tag);
    ~SpoolFile();
    SpoolFile(const SpoolFile &) = delete;
    SpoolFile &operator=(const SpoolFile &) = delete;
    const std::string &path() const { return path_; }
    int fd() const { return fd_; }
    void close_fd();
    void adopt(const std::string &path); // take over (and later unlink) a file someone else wrote

  private:
    std::string path_;
    int fd_ = -1;
};

// Directory for spool files ("base/pgsql_tmp" under the data directory), created if needed.
std::string spool_directory();

// Hash and scan a complete local file.
FileInfo scan_file(const std::string &path, const std::string &label, const std::string &origin,
                   uint64_t max_size, const std::function<void()> &check_interrupts);

// Copy folder/name into spool (whole file, hashed and scanned on the way); the
// copy, not the original, is what the run reads.
FileInfo copy_from_folder(const std::string &folder, const std::string &name, SpoolFile &spool,
                          uint64_t max_size, const std::function<void()> &check_interrupts);

} // namespace casemis::source
