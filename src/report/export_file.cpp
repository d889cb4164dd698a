// export_file.cpp -- a report file written into a directory others may write to.
//
// export_reports writes into a server directory that other operating-system
// users may be able to write to as well. A fixed temporary name could be
// planted there beforehand as a symbolic link to a file of the server's (say,
// postgresql.conf), and opening it would write through the link. So the
// temporary file gets an unpredictable name and is created with O_EXCL and
// O_NOFOLLOW, and rename() puts it in place (replacing a link, not its
// target). README.md, "Security".
#include "report/export_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "pg/boundary.hpp"

extern "C" {
#include "port.h"
}

namespace casemis::report {

namespace {

std::string random_suffix()
{
    unsigned char b[8];
    if (!pg_strong_random(b, sizeof b))
        throw Error(ERRCODE_INTERNAL_ERROR, "could not generate a random file name");
    static const char *hex = "0123456789abcdef";
    std::string s;
    for (unsigned char c : b) {
        s += hex[c >> 4];
        s += hex[c & 15];
    }
    return s;
}

Error io_error(const std::string &what, const std::string &path, int err)
{
    return Error(ERRCODE_IO_ERROR, "could not " + what + " \"" + path + "\": " + strerror(err));
}

} // namespace

void write_file_replacing(const std::string &path, const std::string &content)
{
    std::string tmp;
    int fd = -1;
    for (int attempt = 0; fd < 0 && attempt < 10; ++attempt) {
        tmp = path + "." + random_suffix() + ".tmp";
        fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
        if (fd < 0 && errno != EEXIST)
            throw io_error("create", tmp, errno);
    }
    if (fd < 0)
        throw io_error("create a temporary file for", path, EEXIST);
    size_t off = 0;
    while (off < content.size()) {
        ssize_t n = write(fd, content.data() + off, content.size() - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            const int e = errno;
            close(fd);
            unlink(tmp.c_str());
            throw io_error("write", path, e);
        }
        off += static_cast<size_t>(n);
    }
    if (close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        unlink(tmp.c_str());
        throw io_error("write", path, e);
    }
}

} // namespace casemis::report
