// boundary.cpp -- raising what the C++ side caught, as a PostgreSQL error.
#include "pg/boundary.hpp"

namespace casemis {

void rethrow_caught(const CaughtError &c)
{
    if (c.pg != nullptr)
        ReThrowError(c.pg); // keeps the original SQLSTATE, message and location
    if (c.oom)
        ereport(ERROR,
                (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory (C++ std::bad_alloc)")));
    if (c.sqlstate != 0)
        ereport(ERROR, (errcode(c.sqlstate), errmsg("%s", c.message),
                        c.detail[0] ? errdetail("%s", c.detail) : 0,
                        c.hint[0] ? errhint("%s", c.hint) : 0));
    ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("casemis_import internal error: %s",
                                                             c.message)));
    pg_unreachable();
}

} // namespace casemis
