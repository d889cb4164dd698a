// spool.cpp -- spool files, the folder source, hashing and scanning.
#include "source/spool.hpp"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "pg/boundary.hpp"
#include "pg/text.hpp"

extern "C" {
#include "miscadmin.h"
#include "storage/fd.h"
#include "storage/ipc.h"
}

namespace casemis::source {

namespace {

constexpr size_t kBlock = 1u << 20;

std::string sys_error(int e) { return std::string(strerror(e)); }

std::string human_size(uint64_t n)
{
    return std::to_string(n) + " bytes";
}

constexpr const char *kSpoolDir = "base/" PG_TEMP_FILES_DIR;

// At process exit: remove this process's spool and upload files. A FATAL exit
// (pg_terminate_backend, the postmaster's shutdown) skips C++ destructors, and
// the server removes pgsql_tmp files only when it starts.
void remove_own_spool_files(int, Datum) noexcept
try {
    const std::string mine = PG_TEMP_FILE_PREFIX "_casemis_" + std::to_string(MyProcPid) + "_";
    const std::string upload = PG_TEMP_FILE_PREFIX "_casemis_upload_" + std::to_string(MyProcPid) + "_";
    DIR *d = opendir(kSpoolDir);
    if (d == nullptr)
        return;
    while (struct dirent *e = readdir(d)) {
        const std::string name = e->d_name;
        if (name.compare(0, mine.size(), mine) == 0 || name.compare(0, upload.size(), upload) == 0)
            (void)unlink((std::string(kSpoolDir) + "/" + name).c_str());
    }
    closedir(d);
} catch (...) {
    // nothing to do at exit; the server removes pgsql_tmp files when it starts
}

} // namespace

std::string spool_directory()
{
    static bool cleanup_registered = false;
    if (!cleanup_registered) {
        pg_guard([] { on_proc_exit(remove_own_spool_files, 0); });
        cleanup_registered = true;
    }
    // The backend's working directory is the data directory; files named
    // pgsql_tmp* in base/pgsql_tmp are removed by the server at startup.
    std::string dir = kSpoolDir;
    if (mkdir(dir.c_str(), S_IRWXU) != 0 && errno != EEXIST)
        throw Error(ERRCODE_IO_ERROR, "could not create spool directory \"" + dir + "\": " + sys_error(errno));
    return dir;
}

SpoolFile::SpoolFile(const std::string &tag)
{
    static unsigned counter = 0;
    path_ = spool_directory() + "/" PG_TEMP_FILE_PREFIX "_casemis_" + std::to_string(MyProcPid) + "_" +
            std::to_string(++counter) + "_" + tag;
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd_ < 0)
        throw Error(ERRCODE_IO_ERROR, "could not create spool file \"" + path_ + "\": " + sys_error(errno));
}

SpoolFile::~SpoolFile()
{
    close_fd();
    if (!path_.empty())
        ::unlink(path_.c_str());
}

void SpoolFile::close_fd()
{
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
}

void SpoolFile::adopt(const std::string &path)
{
    close_fd();
    if (!path_.empty())
        ::unlink(path_.c_str());
    path_ = path;
}

static void check_size(uint64_t size, uint64_t max_size, const std::string &what)
{
    if (size > max_size)
        throw Error(ERRCODE_PROGRAM_LIMIT_EXCEEDED,
                    what + " is larger than the limit of " + human_size(max_size),
                    "The file has at least " + human_size(size) + ".",
                    "Raise import_settings.max_file_size if the file is genuine.");
}

void FileDigest::feed(const char *p, size_t n)
{
    size_ += n;
    scan_.feed(p, n);
    sha_.update(p, n);
}

FileInfo FileDigest::finish(const std::string &label, const std::string &origin,
                            const std::string &path)
{
    scan_.finish();
    FileInfo info;
    info.label = label;
    info.origin = origin;
    info.path = path;
    info.size = size_;
    info.sha256 = sha_.hex();
    info.encoding = scan_.encoding();
    info.has_nul = scan_.has_nul();
    info.undefined_1252 = !scan_.valid_utf8() && scan_.cp1252_undefined();
    return info;
}

namespace
{

// Reads fd to its end in large blocks into the digest (and the sink, if any),
// checking interrupts and the size limit. `what` names the file in errors.
void read_through(int fd, const std::string &what, uint64_t max_size,
                  const std::function<void()> &check_interrupts, FileDigest &digest,
                  const std::function<void(const char *, size_t)> &sink)
{
    std::vector<char> buf(kBlock);
    for (;;) {
        check_interrupts();
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw Error(ERRCODE_IO_ERROR, "could not read " + what + ": " + sys_error(errno));
        }
        if (n == 0)
            break;
        check_size(digest.size() + static_cast<uint64_t>(n), max_size, what);
        digest.feed(buf.data(), static_cast<size_t>(n));
        if (sink)
            sink(buf.data(), static_cast<size_t>(n));
    }
}

} // namespace

FileInfo scan_file(const std::string &path, const std::string &label, const std::string &origin,
                   uint64_t max_size, const std::function<void()> &check_interrupts)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(ERRCODE_IO_ERROR, "could not open " + label + ": " + sys_error(errno));
    FileDigest digest;
    try {
        read_through(fd, label, max_size, check_interrupts, digest, nullptr);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    return digest.finish(label, origin, path);
}

namespace {

// Why folder/name (src) cannot be opened (errno e), as the run's error.
[[noreturn]] void throw_open_error(const std::string &folder, const std::string &src, int e)
{
    struct stat dir {};
    const bool no_entry = e == ENOENT || e == ENOTDIR;
    const bool dir_found = ::stat(folder.c_str(), &dir) == 0;
    if (no_entry && !dir_found && errno == ENOENT)
        throw Error(ERRCODE_UNDEFINED_FILE, "folder \"" + folder + "\" (the setting's folder_path) does not exist",
                    "", "Create the folder or mount the share, or correct the setting: UPDATE "
                        "casemis.import_settings SET folder_path = '/path/to/folder' WHERE name = '...'.");
    if (no_entry && dir_found && !S_ISDIR(dir.st_mode))
        throw Error(ERRCODE_UNDEFINED_FILE, "folder_path \"" + folder + "\" is not a folder", "",
                    "Set folder_path to the folder that holds the files, not to a file.");
    std::string hint = e == ENOENT ? "Check that the file was delivered to the folder and that import_settings names it correctly."
                                   : "The database server's operating-system user must be able to read the file.";
    throw Error(ERRCODE_UNDEFINED_FILE, "could not open file \"" + src + "\": " + sys_error(e), "", hint);
}

// src opened for plain blocking reads, a regular file (st: its stat).
int open_regular_file(const std::string &folder, const std::string &src, struct stat &st)
{
    // O_NONBLOCK: opening a FIFO planted in the folder must not block the run
    // (uninterruptibly, holding the setting's lock); it has no effect on a
    // regular file, and anything else is refused just below.
    int fd = ::open(src.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        throw_open_error(folder, src, errno);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error(ERRCODE_UNDEFINED_FILE, "\"" + src + "\" is not a regular file");
    }
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK); // plain blocking reads from here on
    return fd;
}

void write_spool(int fd, const char *p, size_t n, const std::string &src)
{
    for (size_t off = 0; off < n;) {
        ssize_t w = ::write(fd, p + off, n - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            throw Error(ERRCODE_DISK_FULL, "could not write spool copy of \"" + src + "\": " + sys_error(errno));
        }
        off += static_cast<size_t>(w);
    }
}

// The file as read (its size and the digest's) must be the file as opened (st0).
void check_unchanged(int fd, const struct stat &st0, const FileDigest &digest, const std::string &src)
{
    struct stat st1 {};
    if (fstat(fd, &st1) != 0 || st1.st_size != st0.st_size || st1.st_mtim.tv_sec != st0.st_mtim.tv_sec ||
        st1.st_mtim.tv_nsec != st0.st_mtim.tv_nsec || digest.size() != static_cast<uint64_t>(st1.st_size))
        throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "file \"" + src + "\" changed while it was being read",
                    "", "The file is probably still being delivered; the next run will import it once it is complete.");
}

} // namespace

FileInfo copy_from_folder(const std::string &folder, const std::string &name, SpoolFile &spool,
                          uint64_t max_size, const std::function<void()> &check_interrupts)
{
    std::string src = folder;
    if (src.empty() || src.back() != '/')
        src += '/';
    src += name;
    struct stat st0 {};
    const int fd = open_regular_file(folder, src, st0);
    // Hashed and scanned on the way: the copy is read once, here, not again.
    FileDigest digest;
    const std::string what = "file \"" + src + "\"";
    try {
        check_size(static_cast<uint64_t>(st0.st_size), max_size, what);
        read_through(fd, what, max_size, check_interrupts, digest,
                     [&](const char *p, size_t n) { write_spool(spool.fd(), p, n, src); });
        check_unchanged(fd, st0, digest, src);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    spool.close_fd();
    return digest.finish(name, src, spool.path());
}

} // namespace casemis::source
