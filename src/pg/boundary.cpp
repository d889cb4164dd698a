// boundary.cpp -- raising what the C++ side caught, as a PostgreSQL error.
#include "pg/boundary.hpp"

namespace casemis {

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
