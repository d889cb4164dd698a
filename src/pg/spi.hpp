// spi.hpp -- guarded SPI for C++: small queries with text parameters and text
// results. Bulk data never goes through here (see copy_in.hpp).
//
// One snapshot policy for every statement, cursors included: each takes a
// fresh snapshot after making the run's own earlier writes visible (SPI's
// non-read-only mode), so a statement always sees what the run wrote before it
// and what other transactions committed before it started; no caller refreshes
// the active snapshot by hand. What PostgreSQL allocates for a statement
// (parameters, the result set, its text values) is freed when it ends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/boundary.hpp"
#include "pg/memory.hpp"

namespace casemis::pg {

using Value = std::optional<std::string>; // nullopt = SQL NULL
using Row = std::vector<Value>;
using Params = std::vector<Value>;

// SPI_connect for the lifetime of the object. On an exception the enclosing
// transaction is aborted by the caller, which also cleans up SPI.
class Spi {
  public:
    Spi();
    ~Spi();
    Spi(const Spi &) = delete;
    Spi &operator=(const Spi &) = delete;

    // Run sql with $1..$n bound as text (cast in SQL: $1::bigint); returns rows as text.
    std::vector<Row> query(const std::string &sql, const Params &params = {});
    // First row or nullopt.
    std::optional<Row> query_one(const std::string &sql, const Params &params = {});
    // Single value of the first row (nullopt if no row or NULL).
    Value scalar(const std::string &sql, const Params &params = {});
    // Run a statement; returns SPI_processed.
    uint64_t exec(const std::string &sql, const Params &params = {});
    // Stream the rows of a query through a cursor, `batch` at a time, calling
    // fn(row) for each; memory stays bounded whatever the row count.
    template <typename F>
    uint64_t each(const std::string &sql, const Params &params, long batch, F &&fn)
    {
        uint64_t n = 0;
        cursor_open(sql, params);
        std::vector<Row> rows;
        while (cursor_fetch(batch, rows)) {
            for (Row &r : rows) {
                fn(r);
                ++n;
            }
        }
        return n;
    }

  private:
    void cursor_open(const std::string &sql, const Params &params);
    bool cursor_fetch(long batch, std::vector<Row> &rows); // false (and closed) at the end
    uint64_t run(const std::string &sql, const Params &params, std::vector<Row> *out);
    Arena statement_{"casemis_import SPI statement"}; // made before SPI_connect: outlives SPI_finish
    bool connected_ = false;
    void *portal_ = nullptr;
};

// Quote an identifier the PostgreSQL way.
std::string quote_ident(const std::string &s);

} // namespace casemis::pg
