// interrupts.hpp -- interrupt checks for code that waits on the network.
#pragma once

namespace casemis::pg {

// CHECK_FOR_INTERRUPTS inside pg_guard: a pending cancel, statement_timeout or
// termination is thrown as a C++ PgError (unwinding C++ objects properly).
void check_interrupts();

// True when a cancel or a termination is pending (what CHECK_FOR_INTERRUPTS would
// act on). Async-safe to call anywhere, never throws; for loops that must stop
// without throwing (e.g. around libcurl) and leave the raising to check_interrupts().
bool interrupt_pending() noexcept;

} // namespace casemis::pg
