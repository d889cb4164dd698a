// settings.cpp -- see settings.hpp.
#include "run/settings.hpp"

#include "run/run_row.hpp"

namespace casemis::run
{

namespace
{

using pg::Value;

const std::string &text(const Value &v)
{
    static const std::string empty;
    return v ? *v : empty;
}
int64_t int64(const Value &v)
{
    return v ? std::stoll(*v) : 0;
}
int int32(const Value &v)
{
    return v ? std::stoi(*v) : 0;
}
bool flag(const Value &v)
{
    return v && *v == "t";
}
std::optional<int> opt_int(const Value &v)
{
    return v ? std::optional<int>(std::stoi(*v)) : std::nullopt;
}
double real(const Value &v)
{
    return v ? std::stod(*v) : 0.0;
}

constexpr detail::Word<Source> kSourceWords[] = {{Source::Folder, "folder"},
                                                 {Source::Sftp, "sftp"}};
constexpr detail::Word<FileFormat> kFormatWords[] = {
    {FileFormat::Auto, "auto"}, {FileFormat::Casemis, "casemis"}, {FileFormat::Calpads, "calpads"}};

// A word the column's CHECK allows (src/sql/20_settings.sql), else an error.
template <typename E, size_t N>
E word(const detail::Word<E> (&words)[N], const char *column, const Value &v)
{
    if (const std::optional<E> e = detail::value_of(words, text(v))) return *e;
    throw Error(ERRCODE_DATA_CORRUPTED, std::string("import_settings.") + column + " holds \"" +
                                            text(v) + "\", which casemis_import does not know");
}
Source source_word(const Value &v)
{
    return word(kSourceWords, "source", v);
}
FileFormat file_format_word(const Value &v)
{
    return word(kFormatWords, "file_format", v);
}

// Each column the run reads (an SQL expression over import_settings) with the
// field it fills: the SELECT is built from this list, so the two cannot drift.
struct Field {
    const char *sql;
    void (*set)(Settings &, const Value &);
};
#define FIELD(sql, member, conv)                                                                   \
    {                                                                                              \
        sql, [](Settings &s, const Value &v) { s.member = conv(v); }                               \
    }
const Field kFields[] = {
    FIELD("source", source, source_word),
    FIELD("folder_path", folder_path, text),
    FIELD("sftp_host", sftp_host, text),
    FIELD("sftp_port", sftp_port, int32),
    FIELD("sftp_directory", sftp_directory, text),
    FIELD("sftp_user", sftp_user, text),
    FIELD("sftp_password", sftp_password, text),
    FIELD("sftp_private_key", sftp_private_key, text),
    FIELD("sftp_host_key", sftp_host_key, text),
    FIELD("students_file", students_file, text),
    FIELD("services_file", services_file, text),
    FIELD("include_services", include_services, flag),
    FIELD("school_year", school_year, opt_int),
    FIELD("time_zone", time_zone, text),
    FIELD("student_relation", student_relation, text),
    FIELD("smtp_url", smtp_url, text),
    FIELD("(extract(epoch FROM connect_timeout) * 1000)::bigint", connect_timeout_ms, int64),
    FIELD("(extract(epoch FROM transfer_timeout) * 1000)::bigint", transfer_timeout_ms, int64),
    FIELD("max_file_size", max_file_size, int64),
    FIELD("max_line_length", max_line_length, int64),
    FIELD("max_columns", max_columns, int64),
    FIELD("file_format", file_format, file_format_word),
    FIELD("min_record_ratio", min_record_ratio, real),
    FIELD("greatest(1, extract(epoch FROM lock_timeout) * 1000)::bigint", lock_timeout_ms, int64),
    FIELD("pg_catalog.array_to_string(cleared_secrets, ', ')", cleared_secrets, text),
};
#undef FIELD

} // namespace

const char *to_text(FileFormat f)
{
    return detail::text_of(kFormatWords, f);
}

std::optional<Settings> load_settings(pg::Spi &spi, const std::string &name)
{
    std::string sql = "SELECT ";
    for (const Field &f : kFields)
        sql += std::string(&f == kFields ? "" : ", ") + f.sql;
    auto row = spi.query_one(sql + " FROM casemis.import_settings WHERE name = $1", {name});
    if (!row) return std::nullopt;
    Settings s;
    size_t i = 0;
    for (const Field &f : kFields)
        f.set(s, row->at(i++));
    return s;
}

} // namespace casemis::run
