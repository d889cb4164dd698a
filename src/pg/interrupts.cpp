// interrupts.cpp -- interrupt checks for code that waits on the network.
#include "pg/interrupts.hpp"

#include "pg/boundary.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace casemis::pg {

void check_interrupts()
{
    pg_guard([] { CHECK_FOR_INTERRUPTS(); });
}

bool interrupt_pending() noexcept
{
    // InterruptPending alone is also set for harmless work (a barrier, a memory
    // context dump request): stopping a mail send for those would be wrong.
    return InterruptPending && (QueryCancelPending || ProcDiePending);
}

} // namespace casemis::pg
