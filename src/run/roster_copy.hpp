// roster_copy.hpp -- the district's roster, read as the calling role.
#pragma once

#include <string>

#include "pg/spi.hpp"

namespace casemis::run {

// Copies the roster relation `rel` (regclass text) into a temporary table of
// plain types, reading it as `role` inside a security-restricted operation;
// returns the copy's name. The caller checks first that `role` may SELECT it.
std::string copy_roster_as_caller(pg::Spi &spi, const std::string &rel, unsigned role);

} // namespace casemis::run
