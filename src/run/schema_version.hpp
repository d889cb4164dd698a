// schema_version.hpp -- the library imports only into the extension version it
// was built for (README "Upgrading"): after `make install` of a new release, a
// database still at the old version is refused until ALTER EXTENSION ... UPDATE.
#pragma once

namespace casemis::run {

// The version this library was built for (casemis_import.control's default_version).
const char *library_version();

// Throws casemis::Error (55000, HINT: run ALTER EXTENSION casemis_import UPDATE)
// when this database's casemis_import is not library_version().
void require_schema_version();

} // namespace casemis::run
