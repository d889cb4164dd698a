// casemis_import.cpp -- the module and its SQL-callable functions. Each is a
// thin CASEMIS_FUNCTION shim over C++ (see pg/boundary.hpp).
#include <cerrno>
#include <cstdio>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "notify/mime.hpp"
#include "pg/args.hpp"
#include "pg/spi.hpp"
#include "report/export_file.hpp"
#include "run/launch.hpp"
#include "run/revert.hpp"
#include "run/schema_version.hpp"
#include "run/server_settings.hpp"

extern "C" {
#include "catalog/pg_authid.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_MODULE_MAGIC;
void _PG_init(void);
}

// Loading the library (in a session or an import's worker) defines its server parameters.
void _PG_init(void)
{
    casemis::run::define_server_settings();
}

using casemis::pg::require_arg;
using casemis::pg::text_arg;

namespace {

casemis::run::Upload bytea_arg(FunctionCallInfo fcinfo, int n)
{
    const std::string_view b = casemis::pg::bytea_arg(fcinfo, n);
    return casemis::run::Upload{b.data(), b.size()};
}

} // namespace

// casemis_import(settings_name, dry_run, force) -> run id
CASEMIS_FUNCTION(casemis_import_run)
{
    require_arg(fcinfo, 0, "settings_name");
    require_arg(fcinfo, 1, "dry_run");
    require_arg(fcinfo, 2, "force");
    casemis::run::require_schema_version();
    int64 id = casemis::run::run_and_wait(text_arg(fcinfo, 0), casemis::run::Trigger::Manual, PG_GETARG_BOOL(1),
                                          PG_GETARG_BOOL(2), std::nullopt, nullptr, nullptr);
    PG_RETURN_INT64(id);
}

// casemis_import_files(students, services, settings_name, notify, dry_run [, force]) -> run id
// (the six-argument form, without defaults, is the way past the record-count guard)
CASEMIS_FUNCTION(casemis_import_files)
{
    require_arg(fcinfo, 0, "students");
    require_arg(fcinfo, 2, "settings_name");
    require_arg(fcinfo, 4, "dry_run");
    casemis::run::require_schema_version();
    const bool force = PG_NARGS() > 5 && (require_arg(fcinfo, 5, "force"), PG_GETARG_BOOL(5));
    casemis::run::Upload a = bytea_arg(fcinfo, 0), b;
    const bool has_b = !PG_ARGISNULL(1);
    if (has_b)
        b = bytea_arg(fcinfo, 1);
    std::optional<std::string> notify;
    if (!PG_ARGISNULL(3)) {
        notify = text_arg(fcinfo, 3);
        if (!casemis::notify::valid_address(*notify))
            throw casemis::Error(ERRCODE_INVALID_PARAMETER_VALUE, "invalid notify address \"" + *notify + "\"", "",
                                 "Give one plain address, such as sped-office@district.example.");
    }
    int64 id = casemis::run::run_and_wait(text_arg(fcinfo, 2), casemis::run::Trigger::Upload, PG_GETARG_BOOL(4),
                                          force, notify, &a, has_b ? &b : nullptr);
    PG_RETURN_INT64(id);
}

// revert_run(run_id) -> the revert run's id
CASEMIS_FUNCTION(casemis_revert_run)
{
    casemis::run::require_schema_version();
    PG_RETURN_INT64(casemis::run::revert_and_wait(PG_GETARG_INT64(0)));
}

// _launch_run(settings_name, scheduled_for) -> worker pid (for the scheduler)
CASEMIS_FUNCTION(casemis_launch_run)
{
    require_arg(fcinfo, 0, "settings_name");
    casemis::run::require_schema_version();
    TimestampTz at = PG_ARGISNULL(1) ? GetCurrentTimestamp() : PG_GETARG_TIMESTAMPTZ(1);
    PG_RETURN_INT32(casemis::run::launch_scheduled(text_arg(fcinfo, 0), at));
}

namespace {

// export_reports may write to dir: the caller may write server files, and dir
// is an absolute path without "..", of an existing directory.
void check_export_directory(const std::string &dir)
{
    bool allowed = false;
    casemis::pg_guard([&] {
        allowed = superuser() || has_privs_of_role(GetUserId(), ROLE_PG_WRITE_SERVER_FILES);
    });
    if (!allowed)
        throw casemis::Error(ERRCODE_INSUFFICIENT_PRIVILEGE, "permission denied to export reports to a server directory",
                             "", "Only superusers and members of pg_write_server_files may call export_reports.");
    if (dir.empty() || dir[0] != '/' || dir.find("/../") != std::string::npos ||
        (dir.size() >= 3 && dir.compare(dir.size() - 3, 3, "/..") == 0))
        throw casemis::Error(ERRCODE_INVALID_PARAMETER_VALUE, "directory must be an absolute path without \"..\": \"" + dir + "\"");
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw casemis::Error(ERRCODE_UNDEFINED_FILE, "directory \"" + dir + "\" does not exist", "",
                             "Create it first; the database server's operating-system user must be able to write to it.");
}

// Whether the run has Table B reports; refused if it has no reports at all.
bool run_with_b_reports(casemis::pg::Spi &spi, int64 run_id)
{
    auto run = spi.query_one("SELECT services_file IS NOT NULL, status FROM casemis.import_run WHERE run_id = $1::bigint",
                             {std::to_string(run_id)});
    if (!run)
        throw casemis::Error(ERRCODE_NO_DATA_FOUND, "import run " + std::to_string(run_id) + " does not exist");
    // A failed (unchanged, skipped, ...) run has no reports: its empty files
    // must not replace a good set in the directory.
    const std::string status = (*run)[1].value_or("");
    if (!casemis::run::has_reports(status))
        throw casemis::Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                             "import run " + std::to_string(run_id) + " has status " + status + ": it has no reports to export",
                             "", "Only a succeeded or dry_run run has reports; export the reports of the last "
                                 "succeeded run: SELECT run_id FROM casemis.runs WHERE status = 'succeeded' "
                                 "ORDER BY run_id DESC LIMIT 1.");
    return (*run)[0].value_or("f") == "t";
}

// The run's report files written into dir; returns their paths.
std::vector<std::string> export_run_reports(int64 run_id, const std::string &dir)
{
    std::vector<std::string> paths;
    casemis::pg::Spi spi;
    const bool with_b = run_with_b_reports(spi, run_id);
    auto kinds = spi.query("SELECT report FROM casemis.report_kind WHERE $1::boolean OR report LIKE 'CASEMIS_TypeA%' "
                           "ORDER BY ordinal",
                           {std::string(with_b ? "t" : "f")});
    std::string base = dir.back() == '/' ? dir : dir + "/";
    for (auto &k : kinds) {
        auto csv = spi.scalar("SELECT casemis.report_csv($1::bigint, $2)", {std::to_string(run_id), *k[0]});
        std::string path = base + *k[0];
        casemis::report::write_file_replacing(path, csv.value_or(""));
        paths.push_back(path);
    }
    return paths;
}

// The paths as the function's result set (materialized: a handful of rows).
void return_text_set(FunctionCallInfo fcinfo, const std::vector<std::string> &values)
{
    ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
    casemis::pg_guard([&] {
        InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
        for (const auto &p : values) {
            Datum v = CStringGetTextDatum(p.c_str());
            bool isnull = false;
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &v, &isnull);
        }
    });
}

} // namespace

// export_reports(run_id, directory) -> paths written
CASEMIS_FUNCTION(casemis_export_reports)
{
    const int64 run_id = PG_GETARG_INT64(0);
    const std::string dir = text_arg(fcinfo, 1);
    check_export_directory(dir);
    return_text_set(fcinfo, export_run_reports(run_id, dir));
    return (Datum)0;
}
