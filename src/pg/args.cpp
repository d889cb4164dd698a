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

std::string_view bytea_arg(FunctionCallInfo fcinfo, int n)
{
    const char *data = nullptr;
    size_t len = 0;
    pg_guard([&] {
        struct varlena *v = PG_GETARG_VARLENA_PP(n); // text and bytea alike
        data = VARDATA_ANY(v);
        len = VARSIZE_ANY_EXHDR(v);
    });
    return std::string_view(data, len);
}

std::string text_arg(FunctionCallInfo fcinfo, int n) { return std::string(bytea_arg(fcinfo, n)); }

Datum text_datum(std::string_view s)
{
    Datum d = (Datum)0;
    pg_guard([&] { d = PointerGetDatum(cstring_to_text_with_len(s.data(), (int)s.size())); });
    return d;
}

} // namespace casemis::pg
