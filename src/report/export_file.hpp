// export_file.hpp -- a report file written into a directory others may write to.
#pragma once

#include <string>

namespace casemis::report {

// Writes `content` to `path`: into a new temporary file of its own in the same
// directory (created exclusively, never through a symbolic link), then renamed
// over `path`. An existing file or link named `path` is replaced, never
// written through. Throws casemis::Error on failure, leaving no temporary file.
void write_file_replacing(const std::string &path, const std::string &content);

} // namespace casemis::report
