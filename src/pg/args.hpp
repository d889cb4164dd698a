// args.hpp -- the SQL arguments of a CASEMIS_FUNCTION as C++ values, and a text
// result. Reading a text or bytea argument detoasts it, which may ereport (out
// of memory, a broken TOAST pointer): that happens inside pg_guard, and the C++
// copy is made only after it (see boundary.hpp).
#pragma once

#include <string>
#include <string_view>

#include "pg/boundary.hpp"

namespace casemis::pg {

// A NULL argument is refused (ERRCODE_NULL_VALUE_NOT_ALLOWED), naming it.
void require_arg(FunctionCallInfo fcinfo, int n, const char *name);
std::string text_arg(FunctionCallInfo fcinfo, int n);
// The bytes of a bytea argument, detoasted in the call's memory context: valid
// until the function returns.
std::string_view bytea_arg(FunctionCallInfo fcinfo, int n);
// A text Datum for a function's result.
Datum text_datum(std::string_view s);

} // namespace casemis::pg
