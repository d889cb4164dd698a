// run_lock.hpp -- the locks a run takes: rows of casemis.run_lock, never
// advisory-lock keys (which any role can take). Each wait is bounded by the
// setting's lock_timeout; a wait that runs out fails the run saying what it
// waited for. README.md, "Security".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pg/spi.hpp"

namespace casemis::run {

// Bounds every lock wait of the current transaction (SET LOCAL lock_timeout).
void limit_lock_waits(pg::Spi &spi, long long lock_timeout_ms);

// The lock of setting `name`, for the current transaction: one run of a
// setting at a time. Marks 'interrupted' the setting's 'running' runs whose
// worker is gone. Returns the id of a run of the setting still in progress
// (the caller records its own run 'skipped' then), or nullopt: the caller may
// go on, and its 'running' row committed in this transaction keeps the others
// out until its worker ends.
std::optional<int64_t> lock_setting(pg::Spi &spi, const std::string &name);

// One writer of cse/csv at a time across all settings, until the end of the
// current transaction. Take it after the roster is read.
void lock_shared_writes(pg::Spi &spi);

} // namespace casemis::run
