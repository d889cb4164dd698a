// report_email.cpp -- compose the completion email of a run from its committed
// row and reports, send it, and record email_status.
#include "pg/spi.hpp"
#include "notify/report_email.hpp"

#include <algorithm>
#include <cctype>

#include "notify/mail.hpp"
#include "notify/mime.hpp"
#include "notify/report_files.hpp"
#include "notify/run_html.hpp"
#include "notify/run_summary.hpp"
#include "notify/size_cap.hpp"
#include "pg/interrupts.hpp"

namespace casemis::notify {
namespace {

using pg::Value;

std::string str(const Value &v) { return v ? *v : std::string(); }
Value same(const Value &v) { return v; }
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

// The run's row, read by name: each column of the query with the field it fills.
struct RunRow {
    RunSummary sum;
    FileRead a_file{"Table A", "", std::nullopt, ""}, b_file{"Table B", "", std::nullopt, ""};
    bool a_read = false, b_read = false;
    Value notify;
    bool have_setting = false;
    SmtpSettings smtp;
};

struct Column {
    const char *sql;
    void (*set)(RunRow &, const Value &);
};

#define FIELD(sql, target, conv) {sql, [](RunRow &w, const Value &v) { w.target = conv(v); }}
const Column kRunColumns[] = {
    FIELD("r.status", sum.status, str),
    FIELD("r.message", sum.message, str),
    FIELD("r.hint", sum.hint, str),
    FIELD("r.settings_name", sum.setting, str),
    FIELD("r.trigger", sum.trigger, str),
    FIELD("r.dry_run", sum.dry_run, truth),
    FIELD("r.forced", sum.forced, truth),
    FIELD("r.run_by", sum.run_by, str),
    FIELD("to_char(r.started_at AT TIME ZONE z.tz, 'YYYY-MM-DD HH24:MI:SS')", sum.started_at, str),
    FIELD("to_char(r.finished_at AT TIME ZONE z.tz, 'YYYY-MM-DD HH24:MI:SS')", sum.finished_at, str),
    FIELD("z.tz", sum.time_zone, str),
    FIELD("to_char(coalesce(r.run_date, (coalesce(r.finished_at, r.started_at) AT TIME ZONE "
          "z.tz)::date), 'YYYY-MM-DD')",
          sum.run_date, str),
    {"r.school_year",
     [](RunRow &w, const Value &v) {
         if (v)
             w.sum.school_year = int(num(v));
     }},
    FIELD("r.students_file", a_file.name, str),
    {"r.students_size",
     [](RunRow &w, const Value &v) {
         if (v)
             w.a_file.size = num(v);
     }},
    FIELD("r.students_sha256", a_file.sha256, str),
    FIELD("r.students_file IS NOT NULL OR r.students_size IS NOT NULL", a_read, truth),
    FIELD("r.services_file", b_file.name, str),
    {"r.services_size",
     [](RunRow &w, const Value &v) {
         if (v)
             w.b_file.size = num(v);
     }},
    FIELD("r.services_sha256", b_file.sha256, str),
    FIELD("r.services_file IS NOT NULL OR r.services_size IS NOT NULL", b_read, truth),
    FIELD("r.notify", notify, same),
    FIELD("pg_catalog.current_database()", sum.database, str),
    FIELD("s.name IS NOT NULL", have_setting, truth),
    FIELD("s.email_from", smtp.from, str),
    FIELD("s.smtp_url", smtp.url, str),
    FIELD("s.smtp_user", smtp.user, str),
    FIELD("s.smtp_password", smtp.password, str),
    FIELD("s.smtp_require_tls", smtp.require_tls, truth),
    {"coalesce(s.max_email_bytes, 0)",
     [](RunRow &w, const Value &v) { w.sum.max_email_bytes = uint64_t(num(v)); }},
};

#undef FIELD

std::string count_list(const char *alias)
{
    std::string out;
    for (const run::CountColumn &c : run::kRunCounts) // the run's row and the recent runs
        out += std::string(", ") + alias + "." + c.column;
    return out;
}

RunCounts read_counts(const pg::Row &row, size_t first)
{
    RunCounts c;
    size_t i = first;
    for (const run::CountColumn &col : run::kRunCounts)
        c.*col.member = num(row.at(i++));
    return c;
}

const char *kRunFrom = R"SQL(
  FROM casemis.import_run r
  LEFT JOIN casemis.import_settings s ON s.name = r.settings_name
  CROSS JOIN LATERAL (SELECT coalesce(s.time_zone, pg_catalog.current_setting('TimeZone')) AS tz) z
 WHERE r.run_id = $1::bigint)SQL";

std::optional<RunRow> read_run(pg::Spi &spi, int64_t run_id)
{
    std::string sql = "SELECT ";
    for (const Column &c : kRunColumns)
        sql += std::string(&c == kRunColumns ? "" : ", ") + c.sql;
    sql += count_list("r") + kRunFrom;
    auto row = spi.query_one(sql, {std::to_string(run_id)});
    if (!row)
        return std::nullopt;
    RunRow w;
    size_t i = 0;
    for (const Column &c : kRunColumns)
        c.set(w, row->at(i++));
    w.sum.counts = read_counts(*row, i);
    w.sum.run_id = run_id;
    const bool upload = run::is(w.sum.trigger, run::Trigger::Upload);
    if (w.a_read) {
        if (upload)
            w.a_file.name = "uploaded Table A";
        w.sum.files.push_back(w.a_file);
    }
    if (w.b_read) {
        if (upload)
            w.b_file.name = "uploaded Table B";
        w.sum.files.push_back(w.b_file);
    }
    return w;
}

// The setting's last ten runs up to this one, newest first.
std::vector<RecentRun> recent_runs(pg::Spi &spi, const RunSummary &sum)
{
    std::vector<RecentRun> out;
    const std::string sql =
        "SELECT r.run_id, to_char(r.started_at AT TIME ZONE $3, 'YYYY-MM-DD HH24:MI'), r.status, "
        "r.dry_run" +
        count_list("r") +
        " FROM casemis.import_run r WHERE r.settings_name = $1 AND r.run_id <= $2::bigint "
        "ORDER BY r.run_id DESC LIMIT 10";
    for (const pg::Row &row :
         spi.query(sql, {sum.setting, std::to_string(sum.run_id), sum.time_zone})) {
        RecentRun x;
        x.run_id = num(row.at(0));
        x.started_at = str(row.at(1));
        x.status = str(row.at(2));
        x.dry_run = truth(row.at(3));
        x.counts = read_counts(row, 4);
        out.push_back(x);
    }
    return out;
}

std::string record(pg::Spi &spi, int64_t run_id, const std::string &status)
{
    spi.exec("UPDATE casemis.import_run SET email_status = $2, "
             "email_sent_at = CASE WHEN $2 = 'sent' THEN pg_catalog.clock_timestamp() "
             "ELSE email_sent_at END WHERE run_id = $1::bigint",
             {std::to_string(run_id), status});
    return status;
}

const char *kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// The message's attachments: the report CSVs, then the workbook when a report has rows.
std::vector<Attachment> attachments(pg::Spi &spi, const RunSummary &sum)
{
    const bool processed = run::has_reports(sum.status);
    const bool services = processed && !sum.files.empty() && sum.files.back().label == "Table B";
    std::vector<ReportFile> reports = run_reports(spi, sum.run_id, processed, services);
    std::vector<Attachment> out;
    bool any_rows = false;
    for (const ReportFile &f : reports)
        any_rows = any_rows || f.has_rows;
    std::string workbook = any_rows ? run_workbook(spi, sum.run_id, reports) : std::string();
    for (ReportFile &f : reports)
        out.push_back(Attachment{f.name, std::move(f.csv)});
    if (any_rows)
        out.push_back(Attachment{workbook_name(sum.run_id), std::move(workbook), kXlsxType});
    return out;
}

// Renders the message; attachments that would take it past max_email_bytes
// are left out (notify/size_cap.hpp) and named in both bodies.
Message compose(RunSummary &sum, const SmtpSettings &smtp, std::vector<Attachment> all)
{
    Message msg;
    msg.subject = run_email_subject(sum);
    std::vector<std::string> drop;
    for (size_t i : leave_out_order(all))
        drop.push_back(all[i].filename);
    msg.attachments = std::move(all);
    for (size_t dropped = 0;; ++dropped) {
        sum.attachments.clear();
        for (const Attachment &a : msg.attachments)
            sum.attachments.push_back(a.filename);
        msg.body = run_email_body(sum);
        msg.html = run_email_html(sum);
        if (sum.max_email_bytes == 0 || msg.attachments.empty() ||
            message_size(smtp, msg) <= sum.max_email_bytes)
            return msg;
        auto it = std::find_if(msg.attachments.begin(), msg.attachments.end(),
                               [&](const Attachment &a) { return a.filename == drop[dropped]; });
        sum.left_out.push_back({it->filename, it->content.size()});
        msg.attachments.erase(it);
    }
}

// The run's recipients into row.smtp.to: the setting's email_to and the
// notify addresses; returns the first invalid notify address ("" if none).
std::string add_recipients(pg::Spi &spi, RunRow &row, const std::optional<std::string> &notify)
{
    SmtpSettings &smtp = row.smtp;
    if (row.have_setting)
        for (const pg::Row &a : spi.query("SELECT pg_catalog.unnest(email_to) FROM "
                                          "casemis.import_settings WHERE name = $1",
                                          {row.sum.setting}))
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
    return bad_extra;
}

// Why the run's email cannot be sent (the email_status to record), if so.
std::optional<std::string> unsendable(pg::Spi &spi, const RunRow &row, int64_t run_id, const std::string &bad_extra)
{
    if (row.smtp.to.empty() && bad_extra.empty())
        return "not configured";
    if (row.smtp.url.empty())
        return "not configured";
    if (!bad_extra.empty())
        return status_text("invalid notify address \"" + bad_extra + "\"");
    // A password cleared because smtp_url or smtp_user changed (README.md,
    // "Security"): say so rather than send without it.
    const std::string &setting = row.sum.setting;
    if (row.have_setting && spi.scalar("SELECT 'smtp_password' = ANY (cleared_secrets) FROM casemis.import_settings "
                                       "WHERE name = $1",
                                       {setting})
                                    .value_or("f") == "t")
        return status_text("smtp_password was cleared because smtp_url or smtp_user changed: the secret must "
                           "be entered again (UPDATE casemis.import_settings SET smtp_password = '...' WHERE "
                           "name = '" + setting + "'), then SELECT casemis.resend_email(" + std::to_string(run_id) + ")");
    return std::nullopt;
}

// Sends msg; the email_status: "sent", or why not.
std::string send_status(const SmtpSettings &smtp, Message msg)
{
    try {
        send_mail(smtp, std::move(msg), [] { return pg::interrupt_pending(); });
        return "sent";
    } catch (const Error &e) {
        return status_text(e.message);
    } catch (const std::bad_alloc &) {
        throw;
    } catch (const std::exception &e) {
        return status_text(e.what());
    }
}

} // namespace

std::string send_run_email(int64_t run_id, const std::optional<std::string> &extra_to)
{
    pg::Spi spi;
    std::optional<RunRow> row = read_run(spi, run_id);
    if (!row)
        throw Error(ERRCODE_NO_DATA_FOUND, "import run " + std::to_string(run_id) + " does not exist");
    RunSummary &sum = row->sum;
    const std::string bad_extra = add_recipients(spi, *row, extra_to ? extra_to : row->notify);
    if (std::optional<std::string> why = unsendable(spi, *row, run_id, bad_extra))
        return record(spi, run_id, *why);

    for (const pg::Row &w : spi.query("SELECT pg_catalog.unnest(warnings) FROM "
                                      "casemis.import_run WHERE run_id = $1::bigint",
                                      {std::to_string(run_id)}))
        if (w[0])
            sum.warnings.push_back(*w[0]);
    sum.recent = recent_runs(spi, sum);
    Message msg = compose(sum, row->smtp, attachments(spi, sum));
    return record(spi, run_id, send_status(row->smtp, std::move(msg)));
}

} // namespace casemis::notify
