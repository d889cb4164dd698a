// schema_version.cpp -- see schema_version.hpp.
#include "run/schema_version.hpp"

#include <string>

#include "pg/spi.hpp"

#ifndef CASEMIS_EXTVERSION
#error "CASEMIS_EXTVERSION (the control file's default_version) must be defined by the Makefile"
#endif

namespace casemis::run {

const char *library_version() { return CASEMIS_EXTVERSION; }

void require_schema_version()
{
    pg::Value installed;
    {
        pg::Spi spi;
        installed = spi.scalar("SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'casemis_import'");
    }
    const std::string built = library_version();
    if (installed && *installed == built)
        return;
    const std::string have = installed ? *installed : "(none)";
    throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                "casemis_import " + have + " is installed in this database, but the server's casemis_import library is " +
                    built,
                "Imports are refused until the database's extension matches the library.",
                "Run ALTER EXTENSION casemis_import UPDATE; in this database (as a superuser) to bring it to " + built +
                    "; settings, roster, cse, csv, runs, reports and the schedule are kept.");
}

} // namespace casemis::run
