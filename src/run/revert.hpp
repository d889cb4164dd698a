// revert.hpp -- casemis.revert_run (README: "Reverting a run"): the caller's
// side. The revert itself is a run (trigger 'revert') in a worker of its own:
// process_revert() in run/revert.cpp.
#pragma once

#include <cstdint>
#include <string>

namespace casemis::run {

// Refuses (a PostgreSQL error with errcode, message and hint) unless the
// calling role may run imports and run_id can be reverted now; then starts
// the revert run, waits for it and returns its id.
int64_t revert_and_wait(int64_t run_id);

} // namespace casemis::run
