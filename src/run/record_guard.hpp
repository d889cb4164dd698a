// record_guard.hpp -- the record-count guard (README: "Safety nets"): a file
// with far fewer records than the same file had in the setting's last
// successful run is most often a truncated export, so the run fails before it
// writes anything, unless it was called with force => true.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pg/spi.hpp"
#include "run/run_row.hpp" // kRecordGuardPrefix

namespace casemis::run {

struct RecordGuard {
    std::string settings_name;
    double min_ratio = 0;         // import_settings.min_record_ratio (0 = off)
    bool upload = false;          // for the advice: which call imports it anyway
    std::string students_label, services_label;
};

// Throws RunFailure when the Student Data file (or, when the run reads one, the
// Services file) holds fewer records than min_ratio times the same file's
// records in the setting's last successful run. No earlier run, or one that
// did not count its records (0.1.0), passes.
void check_record_counts(pg::Spi &spi, const RecordGuard &g, uint64_t students_records,
                         std::optional<uint64_t> services_records);

} // namespace casemis::run
