// report_email.cpp -- compose the completion email of a run from its committed
// row and reports, send it, and record email_status.
#include "pg/spi.hpp"
#include "notify/report_email.hpp"

#include <algorithm>
#include <cctype>

#include "notify/mail.hpp"
#include "notify/mime.hpp"
#include "notify/run_summary.hpp"
#include "pg/interrupts.hpp"

namespace casemis::notify {
namespace {

using pg::Value;

std::string str(const Value &v) { return v ? *v : std::string(); }
int64_t num(const Value &v) { return v && !v->empty() ? std::stoll(*v) : 0; }
bool truth(const Value &v) { return v && *v == "t"; }

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// The `notify` argument may hold one address or several separated by , ; or blanks.
std::vector<std::string> split_addresses(const std::string &text)
{
    std::vector<std::string> out;
    std::string cur;
    for (char c : text) {
        if (c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (!cur.empty())
                out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty())
        out.push_back(cur);
    return out;
}

void add_unique(std::vector<std::string> &to, const std::string &a)
{
    for (const std::string &x : to)
        if (lower(x) == lower(a))
            return;
    to.push_back(a);
}

// email_status holds one line; keep it readable in psql.
std::string status_text(const std::string &reason)
{
    std::string s = "failed: ";
    for (char c : reason)
        s += (c == '\n' || c == '\r') ? ' ' : c;
    if (s.size() > 1000)
        s = s.substr(0, 997) + "...";
    return s;
}

const char *kRunSql = R"SQL(
SELECT r.status, r.message, r.settings_name, r.trigger, r.dry_run, r.forced, r.run_by,
       to_char(r.started_at AT TIME ZONE z.tz, 'YYYY-MM-DD HH24:MI:SS'),
       to_char(r.finished_at AT TIME ZONE z.tz, 'YYYY-MM-DD HH24:MI:SS'),
       z.tz,
       to_char(coalesce(r.run_date, (coalesce(r.finished_at, r.started_at) AT TIME ZONE z.tz)::date),
               'YYYY-MM-DD'),
       r.school_year,
       r.type_a_imported, r.type_a_unmatched, r.type_a_duplicates, r.type_a_errors,
       r.type_a_not_in_file, r.type_b_imported, r.type_b_unmatched, r.type_b_errors,
       r.students_file, r.students_size, r.students_sha256,
       r.services_file, r.services_size, r.services_sha256,
       r.notify, pg_catalog.current_database(),
       s.name IS NOT NULL, s.email_from, s.smtp_url, s.smtp_user, s.smtp_password,
       s.smtp_require_tls
  FROM casemis.import_run r
  LEFT JOIN casemis.import_settings s ON s.name = r.settings_name
  CROSS JOIN LATERAL (SELECT coalesce(s.time_zone, pg_catalog.current_setting('TimeZone')) AS tz) z
 WHERE r.run_id = $1::bigint)SQL";

// Every report with rows for the run, plus the Imported ones of a run that
// processed its files, each as its CSV text.
const char *kReportsSql = R"SQL(
SELECT k.report, casemis.report_csv($1::bigint, k.report)
  FROM casemis.report_kind k
 WHERE EXISTS (SELECT 1 FROM casemis.import_report ir
                WHERE ir.run_id = $1::bigint AND ir.report = k.report)
    OR ($2::boolean AND k.report = 'CASEMIS_TypeA_ImportedRecords.csv')
    OR ($3::boolean AND k.report = 'CASEMIS_TypeB_ImportedRecords.csv')
 ORDER BY k.ordinal)SQL";

std::string record(pg::Spi &spi, int64_t run_id, const std::string &status)
{
    spi.exec("UPDATE casemis.import_run SET email_status = $2, "
             "email_sent_at = CASE WHEN $2 = 'sent' THEN pg_catalog.clock_timestamp() "
             "ELSE email_sent_at END WHERE run_id = $1::bigint",
             {std::to_string(run_id), status});
    return status;
}

} // namespace

std::string send_run_email(int64_t run_id, const std::optional<std::string> &extra_to)
{
    pg::Spi spi;
    const std::string id = std::to_string(run_id);
    auto row = spi.query_one(kRunSql, {id});
    if (!row)
        throw Error(ERRCODE_NO_DATA_FOUND, "import run " + id + " does not exist");
    const pg::Row &r = *row;

    RunSummary sum;
    sum.run_id = run_id;
    sum.status = str(r[0]);
    sum.message = str(r[1]);
    sum.setting = str(r[2]);
    sum.trigger = str(r[3]);
    sum.dry_run = truth(r[4]);
    sum.forced = truth(r[5]);
    sum.run_by = str(r[6]);
    sum.started_at = str(r[7]);
    sum.finished_at = str(r[8]);
    sum.time_zone = str(r[9]);
    sum.run_date = str(r[10]);
    if (r[11])
        sum.school_year = int(num(r[11]));
    sum.a_imported = num(r[12]);
    sum.a_unmatched = num(r[13]);
    sum.a_duplicates = num(r[14]);
    sum.a_errors = num(r[15]);
    sum.a_not_in_file = num(r[16]);
    sum.b_imported = num(r[17]);
    sum.b_unmatched = num(r[18]);
    sum.b_errors = num(r[19]);
    const bool upload = sum.trigger == "upload";
    auto file = [&](const char *label, const char *uploaded, const Value &name, const Value &size,
                    const Value &sha) {
        if (!name && !size)
            return;
        FileRead f{label, upload ? uploaded : str(name), std::nullopt, str(sha)};
        if (size)
            f.size = num(size);
        sum.files.push_back(f);
    };
    file("Table A", "uploaded Table A", r[20], r[21], r[22]);
    file("Table B", "uploaded Table B", r[23], r[24], r[25]);
    const std::optional<std::string> notify = extra_to ? extra_to : r[26];
    sum.database = str(r[27]);
    const bool have_setting = truth(r[28]);

    SmtpSettings smtp;
    smtp.from = str(r[29]);
    smtp.url = str(r[30]);
    smtp.user = str(r[31]);
    smtp.password = str(r[32]);
    smtp.require_tls = truth(r[33]);

    if (have_setting)
        for (const pg::Row &a : spi.query("SELECT pg_catalog.unnest(email_to) FROM "
                                          "casemis.import_settings WHERE name = $1",
                                          {sum.setting}))
            if (a[0] && !a[0]->empty())
                add_unique(smtp.to, *a[0]);
    std::string bad_extra;
    if (notify)
        for (const std::string &a : split_addresses(*notify)) {
            if (valid_address(a))
                add_unique(smtp.to, a);
            else if (bad_extra.empty())
                bad_extra = a;
        }
    if (smtp.to.empty() && bad_extra.empty())
        return record(spi, run_id, "not configured");
    if (smtp.url.empty())
        return record(spi, run_id, "not configured");
    if (!bad_extra.empty())
        return record(spi, run_id, status_text("invalid notify address \"" + bad_extra + "\""));

    for (const pg::Row &w : spi.query("SELECT pg_catalog.unnest(warnings) FROM "
                                      "casemis.import_run WHERE run_id = $1::bigint",
                                      {id}))
        if (w[0])
            sum.warnings.push_back(*w[0]);

    const bool processed = sum.status == "succeeded" || sum.status == "dry_run";
    const bool services = processed && !sum.files.empty() && sum.files.back().label == "Table B";
    Message msg;
    for (const pg::Row &a :
         spi.query(kReportsSql, {id, processed ? "true" : "false", services ? "true" : "false"})) {
        msg.attachments.push_back(Attachment{str(a[0]), str(a[1])});
        sum.attachments.push_back(str(a[0]));
    }
    msg.subject = run_email_subject(sum);
    msg.body = run_email_body(sum);

    std::string status;
    try {
        send_mail(smtp, msg, [] { return pg::interrupt_pending(); });
        status = "sent";
    } catch (const Error &e) {
        status = status_text(e.message);
    } catch (const std::bad_alloc &) {
        throw;
    } catch (const std::exception &e) {
        status = status_text(e.what());
    }
    return record(spi, run_id, status);
}

} // namespace casemis::notify
