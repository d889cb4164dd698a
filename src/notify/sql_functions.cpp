// sql_functions.cpp -- SQL-callable functions of the email and SFTP parts:
// casemis.resend_email(run_id), casemis.report_xlsx(run_id),
// casemis.sftp_host_fingerprint(host, port) and the settings trigger
// casemis._settings_validate_email().
#include "pg/args.hpp"
#include "pg/spi.hpp"

#include "notify/report_email.hpp"
#include "notify/report_files.hpp"
#include "pg/interrupts.hpp"
#include "notify/mime.hpp"
#include "run/run_row.hpp"
#include "source/sftp.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/array.h"
}

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
        if ((*status)[0] && casemis::run::is(*(*status)[0], casemis::run::RunStatus::Running))
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

namespace {

// One address of a settings row, pointing into the row's own values.
struct AddressText {
    const char *data;
    int len;
    bool is_null;
};

struct RowAddresses {
    AddressText *items = nullptr;
    int count = 0;
};

// email_to's elements, then email_from, of the row the trigger is given.
RowAddresses row_addresses(FunctionCallInfo fcinfo)
{
    RowAddresses out;
    casemis::pg_guard([&] {
        if (!CALLED_AS_TRIGGER(fcinfo))
            ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                            errmsg("casemis._settings_validate_email() must be called as a trigger")));
        TriggerData *td = reinterpret_cast<TriggerData *>(fcinfo->context);
        HeapTuple row = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
        TupleDesc desc = RelationGetDescr(td->tg_relation);
        bool to_null = true, from_null = true;
        Datum to = heap_getattr(row, SPI_fnumber(desc, "email_to"), desc, &to_null);
        Datum from = heap_getattr(row, SPI_fnumber(desc, "email_from"), desc, &from_null);
        Datum *elems = nullptr;
        bool *nulls = nullptr;
        int n = 0;
        if (!to_null)
            deconstruct_array(DatumGetArrayTypeP(to), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
        out.items = static_cast<AddressText *>(palloc(sizeof(AddressText) * (n + 1)));
        for (int i = 0; i <= n; ++i) {
            const bool is_null = i < n ? nulls[i] : from_null;
            AddressText &a = out.items[i];
            a = AddressText{nullptr, 0, is_null};
            if (!is_null) {
                struct varlena *v = pg_detoast_datum_packed(
                    reinterpret_cast<struct varlena *>(DatumGetPointer(i < n ? elems[i] : from)));
                a.data = VARDATA_ANY(v);
                a.len = static_cast<int>(VARSIZE_ANY_EXHDR(v));
            }
        }
        out.count = n + 1;
    });
    return out;
}

} // namespace

// casemis._settings_validate_email() RETURNS trigger, BEFORE INSERT OR UPDATE
// of import_settings: every address in email_to and email_from must pass
// notify::valid_address, the rule the email code applies when it sends, so
// that a setting and its email cannot disagree (README.md, "The completion
// email"). A C trigger: it fires for whoever may change a setting, without
// EXECUTE on any of the schema's functions (nothing is granted to PUBLIC).
CASEMIS_FUNCTION(casemis_settings_validate_email)
{
    const RowAddresses row = row_addresses(fcinfo);
    for (int i = 0; i < row.count; ++i) {
        const AddressText &a = row.items[i];
        const std::string address = a.is_null ? std::string() : std::string(a.data, static_cast<size_t>(a.len));
        if (a.is_null || !casemis::notify::valid_address(address))
            throw casemis::Error(ERRCODE_INVALID_PARAMETER_VALUE,
                                 "invalid email address \"" + (a.is_null ? std::string("<NULL>") : address) + "\"",
                                 {}, "One plain address per array element, such as sped-office@district.example.");
    }
    TriggerData *td = reinterpret_cast<TriggerData *>(fcinfo->context);
    return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple);
}
