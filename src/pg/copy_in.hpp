// copy_in.hpp -- bulk rows from C++ into a table through COPY's own insert path
// (multi-insert buffers, index maintenance, triggers), never one statement per row.
// Rows are rendered as COPY text format into a buffer that is handed to
// CopyFrom() through a data-source callback every few MiB.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace casemis::pg {

class CopyIn {
  public:
    // relation: schema-qualified name (or pg_temp.x); columns in the order fields are added.
    CopyIn(std::string relation, std::vector<std::string> columns);
    ~CopyIn() = default;

    void add(std::string_view value); // a field (any bytes but NUL; escaped here)
    void add_null();
    void add(const std::string *value) { value ? add(std::string_view(*value)) : add_null(); }
    void end_row();
    // Writes what is buffered; returns rows written in total.
    uint64_t finish();
    uint64_t rows() const { return rows_; }

  private:
    void flush();
    std::string relation_;
    std::vector<std::string> columns_;
    std::string buf_;
    bool at_row_start_ = true;
    uint64_t rows_ = 0, pending_ = 0;
};

// Escapes for COPY text format.
void append_copy_text(std::string &out, std::string_view v);

} // namespace casemis::pg
