// spi.cpp -- guarded SPI helpers.
#include "pg/spi.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
}

namespace casemis::pg {

Spi::Spi()
{
    pg_guard([&] {
        if (SPI_connect() != SPI_OK_CONNECT)
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("SPI_connect failed")));
    });
    connected_ = true;
}

Spi::~Spi()
{
    // On unwinding, the transaction abort cleans SPI up; never raise here.
    if (connected_ && std::uncaught_exceptions() == 0) {
        try {
            pg_guard([&] { SPI_finish(); });
        } catch (...) {
        }
    }
}

namespace {

void bind(const Params &params, std::vector<Oid> &types, std::vector<Datum> &values,
                 std::vector<char> &nulls)
{
    const size_t n = params.size();
    types.assign(n, TEXTOID);
    values.assign(n, (Datum)0);
    nulls.assign(n, ' ');
    pg_guard([&] {
        for (size_t i = 0; i < n; ++i) {
            if (params[i])
                values[i] = PointerGetDatum(
                    cstring_to_text_with_len(params[i]->data(), (int)params[i]->size()));
            else
                nulls[i] = 'n';
        }
    });
}

// Copies the rows of SPI_tuptable out, then frees it.
void collect(uint64_t processed, std::vector<Row> &out)
{
    out.clear();
    SPITupleTable *tt = SPI_tuptable;
    if (tt == nullptr)
        return;
    const int ncols = tt->tupdesc->natts;
    out.reserve(processed);
    for (uint64_t r = 0; r < processed; ++r) {
        Row row(ncols);
        for (int c = 0; c < ncols; ++c) {
            char *v = nullptr;
            pg_guard([&] { v = SPI_getvalue(tt->vals[r], tt->tupdesc, c + 1); });
            if (v != nullptr) {
                row[c] = std::string(v);
                pg_guard([&] { pfree(v); });
            }
        }
        out.push_back(std::move(row));
    }
    pg_guard([&] { SPI_freetuptable(tt); });
}

} // namespace

void Spi::cursor_open(const std::string &sql, const Params &params)
{
    Arena::Scope mem(statement_); // the portal keeps copies of the parameters
    std::vector<Oid> types;
    std::vector<Datum> values;
    std::vector<char> nulls;
    bind(params, types, values, nulls);
    Portal portal = nullptr;
    pg_guard([&] {
        portal = SPI_cursor_open_with_args(NULL, sql.c_str(), (int)params.size(), types.data(),
                                           values.data(), nulls.data(), false, 0);
    });
    portal_ = portal;
}

bool Spi::cursor_fetch(long batch, std::vector<Row> &rows)
{
    Portal portal = static_cast<Portal>(portal_);
    uint64_t processed = 0;
    pg_guard([&] {
        SPI_cursor_fetch(portal, true, batch);
        processed = SPI_processed;
    });
    collect(processed, rows);
    if (processed == 0) {
        pg_guard([&] { SPI_cursor_close(portal); });
        portal_ = nullptr;
        return false;
    }
    return true;
}

uint64_t Spi::run(const std::string &sql, const Params &params, std::vector<Row> *out)
{
    Arena::Scope mem(statement_);
    std::vector<Oid> types;
    std::vector<Datum> values;
    std::vector<char> nulls;
    bind(params, types, values, nulls);
    uint64_t processed = 0;
    pg_guard([&] {
        int rc = SPI_execute_with_args(sql.c_str(), (int)params.size(), types.data(), values.data(),
                                       nulls.data(), false, 0);
        if (rc < 0)
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg_internal("SPI_execute_with_args failed (%d): %s", rc, sql.c_str())));
        processed = SPI_processed;
    });
    if (out != nullptr)
        collect(processed, *out);
    else
        pg_guard([] { SPI_freetuptable(SPI_tuptable); });
    return processed;
}

std::vector<Row> Spi::query(const std::string &sql, const Params &params)
{
    std::vector<Row> rows;
    run(sql, params, &rows);
    return rows;
}

std::optional<Row> Spi::query_one(const std::string &sql, const Params &params)
{
    auto rows = query(sql, params);
    if (rows.empty())
        return std::nullopt;
    return std::move(rows.front());
}

Value Spi::scalar(const std::string &sql, const Params &params)
{
    auto row = query_one(sql, params);
    if (!row || row->empty())
        return std::nullopt;
    return (*row)[0];
}

uint64_t Spi::exec(const std::string &sql, const Params &params)
{
    return run(sql, params, nullptr);
}

std::string quote_ident(const std::string &s)
{
    const char *q = nullptr;
    pg_guard([&] { q = quote_identifier(s.c_str()); });
    return std::string(q); // quote_identifier may return its argument: never pfree
}

} // namespace casemis::pg
