// roster_copy.hpp -- the district's roster, read with its owner's rights.
#pragma once

#include <string>

#include "pg/spi.hpp"

namespace casemis::run {

struct RosterCopy {
    std::string relation; // regclass text of the setting's student_relation
    std::string copy;     // the temporary table of plain types the run reads
};

// Checks that `role` (the role the run is for) may SELECT the roster relation
// `student_relation` (else a RunFailure), then copies it into a temporary
// table, reading it as the relation's owner inside a security-restricted
// operation. Called before the lock shared by all settings is taken.
RosterCopy copy_roster(pg::Spi &spi, const std::string &student_relation, unsigned role);

} // namespace casemis::run
