// cpp_only_file.hpp -- the header firewall: a pure C++ file (one that needs no
// PostgreSQL, and is unit-tested and fuzzed without it) includes this LAST, and
// compilation fails if a PostgreSQL header came in before it, directly or
// through another include. PostgreSQL's macros (ERROR, Assert, gettext ...)
// and its error jumps have no place there; see CONTRIBUTING, "Code rules".
// No include guard: every inclusion checks again.
#if defined(POSTGRES_H) || defined(POSTGRES_FE_H) || defined(C_H)
#error "a PostgreSQL header was included in a pure C++ file (see pg/cpp_only_file.hpp)"
#endif
