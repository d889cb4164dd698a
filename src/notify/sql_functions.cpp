// sql_functions.cpp -- SQL-callable functions of the email and SFTP parts:
// casemis.resend_email(run_id), casemis.report_xlsx(run_id) and
// casemis.sftp_host_fingerprint(host, port).
#include "pg/args.hpp"
#include "pg/spi.hpp"

#include "notify/report_email.hpp"
#include "notify/report_files.hpp"
#include "pg/interrupts.hpp"
#include "source/sftp.hpp"

using casemis::pg::text_arg;
using casemis::pg::text_datum;

// casemis.resend_email(run_id bigint) RETURNS text: send a finished run's
// completion email again; returns the new email_status.
CASEMIS_FUNCTION(casemis_resend_email)
{
    if (PG_ARGISNULL(0))
        throw casemis::Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "run_id must not be NULL");
    const int64_t run_id = PG_GETARG_INT64(0);
    {
        casemis::pg::Spi spi;
        auto status = spi.query_one("SELECT status FROM casemis.import_run WHERE run_id = $1::bigint",
                                    {std::to_string(run_id)});
        if (!status)
            throw casemis::Error(ERRCODE_NO_DATA_FOUND,
                                 "import run " + std::to_string(run_id) + " does not exist");
        if ((*status)[0] && *(*status)[0] == "running")
            throw casemis::Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                                 "import run " + std::to_string(run_id) + " is still running",
                                 {}, "Its email is sent when it finishes.");
    }
    std::string status = casemis::notify::send_run_email(run_id, std::nullopt);
    casemis::pg::check_interrupts(); // a cancel during the send raises here
    return text_datum(status);
}

// casemis.report_xlsx(run_id bigint) RETURNS bytea: the run's reports as one
// Excel workbook, the one its completion email attaches.
CASEMIS_FUNCTION(casemis_report_xlsx)
{
    if (PG_ARGISNULL(0))
        throw casemis::Error(ERRCODE_NULL_VALUE_NOT_ALLOWED, "run_id must not be NULL");
    const int64_t run_id = PG_GETARG_INT64(0);
    std::string xlsx;
    {
        casemis::pg::Spi spi;
        if (!spi.query_one("SELECT 1 FROM casemis.import_run WHERE run_id = $1::bigint",
                           {std::to_string(run_id)}))
            throw casemis::Error(ERRCODE_NO_DATA_FOUND,
                                 "import run " + std::to_string(run_id) + " does not exist");
        xlsx = casemis::notify::run_workbook(spi, run_id,
                                             casemis::notify::run_reports(spi, run_id, false, false));
    }
    Datum d = (Datum)0;
    casemis::pg_guard([&] {
        bytea *b = (bytea *)palloc(VARHDRSZ + xlsx.size());
        SET_VARSIZE(b, VARHDRSZ + xlsx.size());
        memcpy(VARDATA(b), xlsx.data(), xlsx.size());
        d = PointerGetDatum(b);
    });
    return d;
}

// casemis.sftp_host_fingerprint(host text, port int DEFAULT 22) RETURNS text:
// the server's host key fingerprint, to verify out of band and pin.
CASEMIS_FUNCTION(casemis_sftp_host_fingerprint)
{
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        PG_RETURN_NULL();
    const std::string host = text_arg(fcinfo, 0);
    const int port = PG_GETARG_INT32(1);
    std::string type;
    std::string fp = casemis::source::sftp_host_fingerprint(
        host, port, 30000, [] { casemis::pg::check_interrupts(); }, &type);
    const std::string note = "host key type " + type + "; verify out of band, on the server: " +
                             "ssh-keygen -lf /etc/ssh/ssh_host_" +
                             (type == "ssh-ed25519" ? std::string("ed25519")
                              : type == "ssh-rsa"   ? std::string("rsa")
                                                    : std::string("ecdsa")) +
                             "_key.pub";
    casemis::pg_guard([&] { ereport(NOTICE, (errcode(ERRCODE_SUCCESSFUL_COMPLETION), errmsg("%s", note.c_str()))); });
    return text_datum(fp);
}
