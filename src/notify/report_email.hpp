// report_email.hpp -- compose and send the completion email of a run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace casemis::notify {

// Sends run_id's completion email to the setting's email_to plus extra_to (the
// `notify` argument of casemis_import_files; when nullopt, the run's own `notify`
// column is used, so a resend reaches the same people). Records the outcome in
// casemis.import_run.email_status: 'sent' (and email_sent_at), 'not configured'
// (no recipient or no smtp_url: nothing is sent) or 'failed: <reason>'.
// Runs inside the caller's open transaction, through SPI. A send failure never
// throws (it is recorded); only PostgreSQL errors propagate. Call it only after
// the run's outcome is committed. Returns the email_status written.
std::string send_run_email(int64_t run_id, const std::optional<std::string> &extra_to);

} // namespace casemis::notify
