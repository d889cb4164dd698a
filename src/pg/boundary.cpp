// boundary.cpp -- raising what the C++ side caught, as a PostgreSQL error.
#include "pg/boundary.hpp"

namespace casemis {

namespace {
MemoryContext g_error_data = nullptr;
int g_depth = 0;
} // namespace

MemoryContext error_data_context() noexcept
{
    // Created on first use; should that fail (out of memory), the error is
    // copied into TopMemoryContext instead.
    if (g_error_data == nullptr)
        g_error_data = AllocSetContextCreateInternal(TopMemoryContext, "casemis_import error data",
                                                     ALLOCSET_SMALL_SIZES);
    return g_error_data != nullptr ? g_error_data : TopMemoryContext;
}

void enter_boundary() noexcept
{
    if (g_depth++ == 0 && g_error_data != nullptr)
        MemoryContextReset(g_error_data); // what earlier calls caught and did not free
}

void leave_boundary() noexcept { --g_depth; }

void rethrow_caught(const CaughtError &c)
{
    if (c.kind == CaughtError::Kind::Pg)
        ReThrowError(c.pg); // keeps the original SQLSTATE, message and location
    if (c.kind == CaughtError::Kind::OutOfMemory)
        ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory (C++ std::bad_alloc)")));
    if (c.kind == CaughtError::Kind::User)
        ereport(ERROR, (errcode(c.sqlstate), errmsg("%s", c.message), c.detail[0] ? errdetail("%s", c.detail) : 0,
                        c.hint[0] ? errhint("%s", c.hint) : 0));
    ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("casemis_import internal error: %s", c.message)));
    pg_unreachable();
}

void warn_stacks_restored()
{
    ereport(WARNING, (errcode(ERRCODE_INTERNAL_ERROR),
                      errmsg("casemis_import internal error: a C++ exception left a PG_TRY block"),
                      errdetail("PostgreSQL's error stack was restored; the call's outcome is reported as usual.")));
}

} // namespace casemis
