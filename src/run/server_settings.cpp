// server_settings.cpp -- see server_settings.hpp.
#include "run/server_settings.hpp"

extern "C" {
#include "postgres.h"
#include "utils/guc.h"
}

namespace casemis::run {

namespace {
bool side_thread = true;
}

void define_server_settings()
{
    DefineCustomBoolVariable(
        "casemis_import.side_thread",
        "Reads and matches the Services file on a second thread while the Student Data file's rows are written.",
        "Off: one thread does every pass in turn (slower on a server with an idle core; the results are the same).",
        &side_thread, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("casemis_import");
}

bool side_thread_enabled() { return side_thread; }

} // namespace casemis::run
