// settings.hpp -- the columns of casemis.import_settings a run reads, typed
// (src/sql/20_settings.sql has the table, README.md, "Settings", what each
// means). Filled in one place, settings.cpp, from one SELECT whose column list
// is the table of fields there: a column a run reads is a field here and a row
// there, nothing else (CONTRIBUTING.md, "To change X, edit Y").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pg/spi.hpp"

namespace casemis::run
{

enum class Source { Folder, Sftp };               // import_settings.source
enum class FileFormat { Auto, Casemis, Calpads }; // import_settings.file_format
const char *to_text(FileFormat f);                // "auto", "casemis", "calpads"

// Text columns that may be NULL read "" for NULL: every reader treats the two alike.
struct Settings {
    Source source = Source::Folder;
    std::string folder_path;
    std::string sftp_host, sftp_directory, sftp_user, sftp_password, sftp_private_key,
        sftp_host_key;
    int sftp_port = 22;
    std::string students_file, services_file;
    bool include_services = true;
    std::optional<int> school_year; // NULL: the one the run date falls in
    std::string time_zone;
    std::string student_relation; // regclass text
    std::string smtp_url;
    int64_t connect_timeout_ms = 0, transfer_timeout_ms = 0, lock_timeout_ms = 0;
    int64_t max_file_size = 0, max_line_length = 0, max_columns = 0;
    FileFormat file_format = FileFormat::Auto;
    double min_record_ratio = 0; // 0: the record-count guard is off
    std::string cleared_secrets; // the names of the cleared secrets, ", "-separated ("" for none)
};

// The setting of that name, nullopt when there is none.
std::optional<Settings> load_settings(pg::Spi &spi, const std::string &name);

} // namespace casemis::run
