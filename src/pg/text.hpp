// text.hpp -- PostgreSQL's own text routines for C++: encoding conversion,
// case folding, SHA-256.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace casemis::pg {

// Windows-1252 bytes to UTF-8 through PostgreSQL's converter.
std::string win1252_to_utf8(std::string_view s);
// Lower case as PostgreSQL's lower() does for the database's default collation.
std::string lower(std::string_view utf8);

class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;
    void update(const void *data, size_t n);
    std::string hex(); // finishes; 64 lowercase hex digits

  private:
    void *ctx_ = nullptr;
};

} // namespace casemis::pg
