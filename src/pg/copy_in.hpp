// copy_in.hpp -- bulk rows from C++ into a table through COPY's own insert path
// (multi-insert buffers, index maintenance, triggers), never one statement per row.
// Rows are rendered as COPY binary format (text format as a fallback) into a
// buffer that is handed to CopyFrom() through a data-source callback every few MiB.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pg/array_text.hpp"
#include "pg/memory.hpp"

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

  private:
    // How a column's values are written. Binary COPY format spares the server
    // its text parsing (line/field splitting, date_in): the common types are
    // encoded here; anything else goes through the type's own input and send
    // functions (same errors as text COPY). Kind::TextMode: the whole stream
    // stays in text format (e.g. the session's client_encoding would convert).
    enum class Kind : uint8_t { Raw, Int2, Int4, Int8, Date, Bool, Jsonb, Other };
    struct Column {
        Kind kind = Kind::Raw;
        unsigned int typoid = 0;
        int typmod = -1;
    };
    void resolve();  // column types, at the first row (the table exists by then)
    void begin_field();
    void put_len(int32_t n);
    void encode(const Column &c, std::string_view v);
    void encode_other(const Column &c, std::string_view v);
    void flush();
    std::string relation_;
    std::vector<std::string> columns_;
    std::vector<Column> types_;
    bool resolved_ = false, binary_ = false;
    size_t col_ = 0;
    std::string buf_, tmp_;
    // What PostgreSQL allocates for a value off the fast path (its type's
    // input and send functions) and for a flush (the parse state): reset after each.
    Arena scratch_{"casemis_import COPY"};
    bool at_row_start_ = true;
    uint64_t rows_ = 0, pending_ = 0;
};

// Escapes for COPY text format.
void append_copy_text(std::string &out, std::string_view v);

} // namespace casemis::pg
