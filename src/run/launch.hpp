// launch.hpp -- start a run in a background worker of its own.
#pragma once

#include <optional>
#include <string>

#include "run/shared.hpp"

namespace casemis::run {

struct Upload {
    const char *data = nullptr;
    size_t len = 0;
};

// Starts the worker, relays its NOTICEs/WARNINGs to the client while it runs,
// waits for it to end and returns the run id. Cancelling the caller cancels the run.
// Raises for errors in the call itself (unknown setting, no worker slot).
int64 run_and_wait(const std::string &settings_name, Trigger trigger, bool dry_run, bool force,
                   const std::optional<std::string> &notify, const Upload *students,
                   const Upload *services, int64 revert_of = 0);

// Starts a scheduled run and returns the worker's pid without waiting.
int launch_scheduled(const std::string &settings_name, TimestampTz scheduled_for);

} // namespace casemis::run
