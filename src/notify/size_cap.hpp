// size_cap.hpp -- which attachments a message too large for max_email_bytes
// leaves out (pure C++).
#pragma once

#include <cstddef>
#include <vector>

#include "notify/mail.hpp"

namespace casemis::notify {

// The order in which attachments are left out, as indexes into `attachments`:
// the ImportedRecords reports first (the largest, and the ones nobody needs to
// act on), then the others; larger before smaller within each group, the
// earlier one first among equals. docs/email.md states the rule.
std::vector<size_t> leave_out_order(const std::vector<Attachment> &attachments);

} // namespace casemis::notify
