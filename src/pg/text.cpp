// text.cpp -- encoding conversion, case folding and SHA-256 from PostgreSQL.
#include "pg/text.hpp"

#include "pg/boundary.hpp"

extern "C" {
#include "catalog/pg_collation.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "mb/pg_wchar.h"
#include "utils/formatting.h"
}

namespace casemis::pg {

std::string win1252_to_utf8(std::string_view s)
{
    unsigned char *res = nullptr;
    pg_guard([&] {
        res = pg_do_encoding_conversion((unsigned char *)s.data(), (int)s.size(), PG_WIN1252,
                                        PG_UTF8);
    });
    if (res == (unsigned char *)s.data())
        return std::string(s);
    std::string out(reinterpret_cast<char *>(res));
    pg_guard([&] { pfree(res); });
    return out;
}

std::string lower(std::string_view s)
{
    char *res = nullptr;
    pg_guard([&] { res = str_tolower(s.data(), s.size(), DEFAULT_COLLATION_OID); });
    std::string out(res);
    pg_guard([&] { pfree(res); });
    return out;
}

Sha256::Sha256()
{
    pg_cryptohash_ctx *c = nullptr;
    pg_guard([&] {
        c = pg_cryptohash_create(PG_SHA256);
        if (c == nullptr || pg_cryptohash_init(c) < 0)
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("could not initialize SHA-256 context")));
    });
    ctx_ = c;
}

Sha256::~Sha256()
{
    if (ctx_ != nullptr && std::uncaught_exceptions() == 0) {
        auto *c = static_cast<pg_cryptohash_ctx *>(ctx_);
        try {
            pg_guard([&] { pg_cryptohash_free(c); });
        } catch (...) {
        }
    }
    // On unwinding the transaction's resource owner frees the context.
}

void Sha256::update(const void *data, size_t n)
{
    auto *c = static_cast<pg_cryptohash_ctx *>(ctx_);
    pg_guard([&] {
        if (pg_cryptohash_update(c, static_cast<const uint8 *>(data), n) < 0)
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("could not update SHA-256 hash")));
    });
}

std::string Sha256::hex()
{
    auto *c = static_cast<pg_cryptohash_ctx *>(ctx_);
    uint8 digest[PG_SHA256_DIGEST_LENGTH];
    pg_guard([&] {
        if (pg_cryptohash_final(c, digest, sizeof(digest)) < 0)
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("could not finish SHA-256 hash")));
    });
    static const char *hexd = "0123456789abcdef";
    std::string out;
    for (unsigned char b : digest) {
        out.push_back(hexd[b >> 4]);
        out.push_back(hexd[b & 15]);
    }
    return out;
}

} // namespace casemis::pg
