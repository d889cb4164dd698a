// args.cpp -- SQL arguments read inside the guard.
#include "pg/args.hpp"

extern "C" {
#include "utils/builtins.h"
}

namespace casemis::pg {

void require_arg(FunctionCallInfo fcinfo, int n, const char *name)
{
    if (PG_ARGISNULL(n))
        throw Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, std::string(name) + " must not be NULL");
}

std::string text_arg(FunctionCallInfo fcinfo, int n)
{
    const char *data = nullptr;
    size_t len = 0;
    pg_guard([&] {
        text *t = PG_GETARG_TEXT_PP(n);
        data = VARDATA_ANY(t);
        len = VARSIZE_ANY_EXHDR(t);
    });
    return std::string(data, len);
}

std::string_view bytea_arg(FunctionCallInfo fcinfo, int n)
{
    const char *data = nullptr;
    size_t len = 0;
    pg_guard([&] {
        bytea *b = PG_GETARG_BYTEA_PP(n);
        data = VARDATA_ANY(b);
        len = VARSIZE_ANY_EXHDR(b);
    });
    return std::string_view(data, len);
}

Datum text_datum(std::string_view s)
{
    Datum d = (Datum)0;
    pg_guard([&] { d = PointerGetDatum(cstring_to_text_with_len(s.data(), (int)s.size())); });
    return d;
}

} // namespace casemis::pg
