// server_settings.hpp -- the extension's server parameters (GUCs), defined when
// the library is loaded (README, "Server parameters").
#pragma once

namespace casemis::run {

// _PG_init: defines them.
void define_server_settings();

// casemis_import.side_thread: read and match the Services file on a second
// thread while the Student Data file's rows are written (run/import.cpp).
bool side_thread_enabled();

} // namespace casemis::run
