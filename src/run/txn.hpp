// txn.hpp -- transaction control for the run's worker, from C++.
#pragma once

#include <string>

namespace casemis::run {

void begin_transaction();
void commit_transaction();
void abort_transaction() noexcept; // after an error was caught (outside any catch handler)
void notice(const std::string &msg);   // NOTICE to the caller (relayed by the shm_mq)
void warning(const std::string &msg, const std::string &hint = std::string());
void set_activity(const std::string &what);
void check_interrupts(); // CHECK_FOR_INTERRUPTS, a cancel becomes a C++ PgError

} // namespace casemis::run
