// layout_load.hpp -- a table's layout as stored in casemis.layout_field and
// casemis.layout_alias (the layout is data: read it each run).
#pragma once

#include "format/layout.hpp"
#include "pg/spi.hpp"

namespace casemis::run {

// table 'A' or 'B'. A field whose target column cse/csv lacks is a RunFailure
// (with the ALTER TABLE that would fix it).
format::Layout load_layout(pg::Spi &spi, char table);

} // namespace casemis::run
