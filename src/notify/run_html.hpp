// run_html.hpp -- the HTML form of a run's completion email (pure C++).
//
// For Outlook and Gmail: one self-contained document, tables for layout,
// inline styles only; no remote images, scripts, external style sheets or
// links to load anything. Every value is HTML-escaped. It says what the plain
// text says (run_summary.hpp), plus the setting's last runs as a table.
#pragma once

#include <string>

#include "notify/run_summary.hpp"

namespace casemis::notify {

// & < > " ' as character references; everything else unchanged.
std::string html_escape(const std::string &text);

std::string run_email_html(const RunSummary &r);

} // namespace casemis::notify
