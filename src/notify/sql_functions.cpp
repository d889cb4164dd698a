// sql_functions.cpp -- SQL-callable functions of the email and SFTP parts:
// casemis.resend_email(run_id) and casemis.sftp_host_fingerprint(host, port).
#include "pg/boundary.hpp"
#include "pg/spi.hpp"

#include "notify/report_email.hpp"
#include "pg/interrupts.hpp"
#include "source/sftp.hpp"

extern "C" {
#include "utils/builtins.h"
}

namespace {

std::string text_arg(FunctionCallInfo fcinfo, int n)
{
    std::string out;
    casemis::pg_guard([&] {
        text *t = PG_GETARG_TEXT_PP(n);
        out.assign(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
    });
    return out;
}

Datum text_result(const std::string &s)
{
    Datum d = (Datum)0;
    casemis::pg_guard([&] { d = PointerGetDatum(cstring_to_text_with_len(s.data(), (int)s.size())); });
    return d;
}

} // namespace

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
    return text_result(status);
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
    casemis::pg_guard([&] { ereport(NOTICE, (errmsg("%s", note.c_str()))); });
    return text_result(fp);
}
