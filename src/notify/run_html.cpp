// pure C++
// run_html.cpp -- the HTML form of a run's completion email: a headline in the
// outcome's colour, the explanation, the counts with problems standing out, the
// files, warnings, attachments and the setting's last runs. Inline styles only.
#include "notify/run_html.hpp"

#include <algorithm>
#include <cctype>
#include <vector>
#include "pg/cpp_only_file.hpp" // last: no PostgreSQL header above

namespace casemis::notify {
namespace {

const char *kFont = "font-family:Arial,Helvetica,sans-serif;";
const char *kMono = "font-family:Consolas,'Courier New',monospace;";
const char *kCell = "padding:4px 8px;border-bottom:1px solid #e5e7eb;";
const char *kHead = "padding:4px 8px;border-bottom:2px solid #9ca3af;text-align:left;"
                    "font-weight:bold;color:#374151;";

struct Tone {
    const char *fg, *bg;
};
const Tone kGood{"#14532d", "#dcfce7"};
const Tone kBad{"#7f1d1d", "#fee2e2"};
const Tone kWarn{"#78350f", "#fef3c7"};
const Tone kPlain{"#111827", "#f3f4f6"};

Tone outcome_tone(const RunSummary &r)
{
    if (run::is(r.status, run::RunStatus::Failed))
        return kBad;
    if (is_dry(r) || !run::is(r.status, run::RunStatus::Succeeded))
        return kWarn;
    return kGood;
}

std::string esc(const std::string &s) { return html_escape(s); }

std::string heading(const std::string &text)
{
    return "<h2 style=\"" + std::string(kFont) +
           "font-size:16px;margin:20px 0 6px 0;color:#111827;\">" + esc(text) + "</h2>\n";
}

// Text with its line breaks kept.
std::string lines(const std::string &text)
{
    std::string out, e = esc(text);
    for (char c : e) {
        if (c == '\n')
            out += "<br>";
        else
            out += c;
    }
    return out;
}

std::string code(const std::string &sql)
{
    return "<div style=\"" + std::string(kMono) +
           "font-size:13px;background:#f3f4f6;border:1px solid #d1d5db;padding:6px 8px;"
           "margin:4px 0;\">" +
           esc(sql) + "</div>";
}

std::string paragraph(const Paragraph &p)
{
    Tone t = p.kind == Paragraph::Kind::problem   ? kBad
             : p.kind == Paragraph::Kind::warning ? kWarn
                                                  : kPlain;
    std::string out = "<div style=\"margin:10px 0;padding:8px 10px;border-left:4px solid " +
                      std::string(t.fg) + ";background:" + t.bg + ";color:" + t.fg + ";\">";
    if (!p.heading.empty())
        out += "<strong>" + esc(p.heading) + ":</strong> ";
    out += lines(p.text);
    if (!p.code.empty())
        out += code(p.code);
    return out + "</div>\n";
}

// A count cell: a problem count above zero stands out in the tone given.
std::string count_cell(const char *key, int64_t v, const Tone *problem)
{
    std::string style = std::string(kCell) + "text-align:right;";
    if (v > 0 && problem)
        style += std::string("font-weight:bold;color:") + problem->fg + ";background:" + problem->bg +
                 ";";
    else if (v == 0)
        style += "color:#6b7280;";
    return "<td data-count=\"" + std::string(key) + "\" style=\"" + style + "\">" +
           std::to_string(v) + "</td>";
}

std::string none_cell()
{
    return "<td style=\"" + std::string(kCell) + "text-align:right;color:#9ca3af;\">&ndash;</td>";
}

// A row per kind of count ("Imported", ...), in the order of run/run_row.hpp,
// with its Table A and Table B cells (a dash where a table has no such count).
std::string count_rows(const RunCounts &c)
{
    std::string out;
    std::vector<std::string> done;
    for (const run::CountColumn &k : run::kRunCounts) {
        if (std::find(done.begin(), done.end(), k.what) != done.end())
            continue;
        done.push_back(k.what);
        std::string cells[2] = {none_cell(), none_cell()};
        for (const run::CountColumn &t : run::kRunCounts)
            if (t.what == done.back())
                cells[t.table == run::CountTable::A ? 0 : 1] =
                    count_cell(t.column, c.*t.member,
                               t.tone == run::CountTone::Problem  ? &kBad
                               : t.tone == run::CountTone::Notice ? &kWarn
                                                                  : nullptr);
        std::string label = k.what;
        label[0] = char(std::toupper(static_cast<unsigned char>(label[0])));
        out += "<tr><td style=\"" + std::string(kCell) + "\">" + label + "</td>" + cells[0] + cells[1] +
               "</tr>\n";
    }
    return out;
}

std::string counts_table(const RunCounts &c)
{
    std::string out = "<table role=\"presentation\" cellspacing=\"0\" cellpadding=\"0\" style=\"" +
                      std::string(kFont) + "font-size:14px;border-collapse:collapse;\">\n";
    out += "<tr><th style=\"" + std::string(kHead) + "\">Records</th><th style=\"" + kHead +
           "text-align:right;\">Type A (students)</th><th style=\"" + kHead +
           "text-align:right;\">Type B (services)</th></tr>\n";
    return out + count_rows(c) + "</table>\n";
}

std::string files_table(const RunSummary &r)
{
    if (r.files.empty())
        return "<p style=\"margin:4px 0;\">None: the run stopped before reading a file.</p>\n";
    std::string out = "<table role=\"presentation\" cellspacing=\"0\" cellpadding=\"0\" style=\"" +
                      std::string(kFont) + "font-size:14px;border-collapse:collapse;\">\n";
    out += "<tr><th style=\"" + std::string(kHead) + "\">File</th><th style=\"" + kHead +
           "\">Name</th><th style=\"" + kHead + "text-align:right;\">Size (bytes)</th><th style=\"" +
           kHead + "\">SHA-256</th></tr>\n";
    for (const FileRead &f : r.files) {
        out += "<tr><td style=\"" + std::string(kCell) + "white-space:nowrap;\">" + esc(f.label) +
               "</td>";
        out += "<td style=\"" + std::string(kCell) + "\">" + esc(f.name) + "</td>";
        out += "<td style=\"" + std::string(kCell) + "text-align:right;white-space:nowrap;\">" +
               (f.size ? std::to_string(*f.size) : std::string("not read")) + "</td>";
        out += "<td style=\"" + std::string(kCell) + kMono +
               "font-size:11px;word-break:break-all;\">" + esc(f.sha256) + "</td></tr>\n";
    }
    return out + "</table>\n";
}

std::string slash_cell(int64_t a, int64_t b, bool problem)
{
    std::string style = std::string(kCell) + "text-align:right;white-space:nowrap;";
    if (problem && (a > 0 || b > 0))
        style += std::string("color:") + kBad.fg + ";font-weight:bold;";
    return "<td style=\"" + style + "\">" + std::to_string(a) + " / " + std::to_string(b) + "</td>";
}

std::string recent_table(const RunSummary &r)
{
    std::string out = "<table role=\"presentation\" cellspacing=\"0\" cellpadding=\"0\" style=\"" +
                      std::string(kFont) + "font-size:13px;border-collapse:collapse;\">\n";
    out += "<tr>";
    for (const char *h : {"Started", "Run", "Status", "Imported A / B", "Unmatched A / B",
                          "Duplicates", "Errors A / B"})
        out += "<th style=\"" + std::string(kHead) + "\">" + h + "</th>";
    out += "</tr>\n";
    for (const RecentRun &x : r.recent) {
        const bool self = x.run_id == r.run_id;
        const RunCounts &c = x.counts;
        std::string status = x.dry_run && !run::is(x.status, run::RunStatus::DryRun) ? x.status + " (dry run)" : x.status;
        std::string status_style = std::string(kCell);
        if (run::is(x.status, run::RunStatus::Failed))
            status_style += std::string("color:") + kBad.fg + ";font-weight:bold;";
        else if (!run::is(x.status, run::RunStatus::Succeeded))
            status_style += std::string("color:") + kWarn.fg + ";";
        out += std::string("<tr") + (self ? " style=\"background:#e0f2fe;\"" : "") + ">";
        out += "<td style=\"" + std::string(kCell) + "white-space:nowrap;\">" + esc(x.started_at) +
               "</td>";
        out += "<td style=\"" + std::string(kCell) + "text-align:right;\">" +
               (self ? "<strong>" + std::to_string(x.run_id) + "</strong>"
                     : std::to_string(x.run_id)) +
               "</td>";
        out += "<td style=\"" + status_style + "\">" + esc(status) + "</td>";
        out += slash_cell(c.a_imported, c.b_imported, false);
        out += slash_cell(c.a_unmatched, c.b_unmatched, true);
        std::string dup_style = std::string(kCell) + "text-align:right;";
        if (c.a_duplicates > 0)
            dup_style += std::string("color:") + kBad.fg + ";font-weight:bold;";
        out += "<td style=\"" + dup_style + "\">" + std::to_string(c.a_duplicates) + "</td>";
        out += slash_cell(c.a_errors, c.b_errors, true);
        out += "</tr>\n";
    }
    return out + "</table>\n";
}

std::string list(const std::vector<std::string> &items)
{
    std::string out = "<ul style=\"margin:4px 0;padding-left:22px;\">\n";
    for (const std::string &i : items)
        out += "<li style=\"margin:2px 0;\">" + esc(i) + "</li>\n";
    return out + "</ul>\n";
}

std::string attachments_section(const RunSummary &r)
{
    std::string out = heading("Attached reports");
    if (r.attachments.empty())
        out += std::string("<p style=\"margin:4px 0;\">") +
               (r.left_out.empty() ? "None (this run produced no reports)." : "None.") + "</p>\n";
    else
        out += list(r.attachments) +
               "<p style=\"margin:4px 0;color:#374151;\">Open the <strong>.xlsx</strong> workbook "
               "in Excel: unlike the CSV files, it keeps leading zeros (SSID, grade 01, code 010) "
               "and leaves dates as written.</p>\n";
    if (!r.left_out.empty()) {
        std::vector<std::string> names;
        for (const LeftOut &l : r.left_out)
            names.push_back(l.name + " (" + std::to_string(l.bytes) + " bytes)");
        out += paragraph({Paragraph::Kind::warning, "Left out of this email",
                          "with them it would have been larger than " +
                              std::to_string(r.max_email_bytes) +
                              " bytes (max_email_bytes of the setting).",
                          ""});
        out += list(names);
        out += "<p style=\"margin:4px 0;\">Ask the DBA for them; in the database they are:</p>\n";
        for (const std::string &s : fetch_instructions(r))
            out += code(s) + "\n";
    }
    return out;
}

} // namespace

std::string html_escape(const std::string &text)
{
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

namespace {

// The document up to the message's own table (a centred 680 px column).
std::string page_start(const RunSummary &r)
{
    std::string h;
    h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
         esc(run_email_subject(r)) + "</title>\n</head>\n";
    h += "<body style=\"margin:0;padding:0;background:#f3f4f6;\">\n";
    h += "<table role=\"presentation\" width=\"100%\" cellspacing=\"0\" cellpadding=\"0\" "
         "style=\"background:#f3f4f6;\"><tr><td align=\"center\" style=\"padding:16px 8px;\">\n";
    h += "<table role=\"presentation\" width=\"680\" cellspacing=\"0\" cellpadding=\"0\" "
         "style=\"width:680px;max-width:100%;background:#ffffff;border:1px solid #d1d5db;\">\n";
    return h;
}

// The headline row, in the outcome's colours.
std::string headline_row(const RunSummary &r)
{
    const Tone t = outcome_tone(r);
    std::string h;
    h += "<tr><td style=\"" + std::string(kFont) + "padding:14px 18px;background:" + t.bg +
         ";color:" + t.fg + ";border-bottom:3px solid " + t.fg + ";\">";
    std::string headline = outcome_text(r);
    if (!headline.empty() && headline[0] >= 'a' && headline[0] <= 'z')
        headline[0] = char(headline[0] - 'a' + 'A');
    h += "<div style=\"font-size:20px;font-weight:bold;\">" + esc(headline) + "</div>";
    h += "<div style=\"font-size:13px;margin-top:4px;\">CASEMIS import into database <strong>" +
         esc(r.database) + "</strong>, setting <strong>" + esc(r.setting) + "</strong>" +
         (r.run_date.empty() ? "" : ", " + esc(r.run_date)) + "</div>";
    h += "</td></tr>\n";
    return h;
}

// Run id, who started it, when, and its run date.
std::string run_facts(const RunSummary &r)
{
    const std::string tz = r.time_zone.empty() ? "" : " (" + r.time_zone + ")";
    std::string h = "<p style=\"margin:10px 0;color:#374151;\">Run <strong>" + std::to_string(r.run_id) +
                    "</strong>" + esc(started_by_text(r)) + ".<br>";
    if (!r.started_at.empty())
        h += "Started " + esc(r.started_at + tz) + "<br>";
    h += "Finished " + esc(r.finished_at.empty() ? "not finished" : r.finished_at + tz);
    if (!r.run_date.empty()) {
        h += "<br>Run date " + esc(r.run_date);
        if (r.school_year)
            h += ", school year " + esc(school_year_text(*r.school_year));
    }
    h += "</p>\n";
    return h;
}

} // namespace

std::string run_email_html(const RunSummary &r)
{
    std::string h = page_start(r);
    h += headline_row(r);
    h += "<tr><td style=\"" + std::string(kFont) +
         "padding:6px 18px 18px 18px;font-size:14px;line-height:1.45;color:#111827;\">\n";
    for (const Paragraph &p : run_explanation(r))
        h += paragraph(p);
    h += run_facts(r);

    h += heading("Counts");
    h += counts_table(r.counts);
    h += heading("Files read");
    h += files_table(r);
    if (!r.warnings.empty()) {
        h += heading("Warnings");
        h += list(r.warnings);
    }
    if (!run::is(r.status, run::RunStatus::Failed) && !r.message.empty()) {
        h += heading("Message");
        h += "<p style=\"margin:4px 0;\">" + lines(r.message) + "</p>\n";
    }
    h += attachments_section(r);
    if (!r.recent.empty()) {
        h += heading(r.recent.size() == 1 ? std::string("The last run of this setting")
                                          : "Last " + std::to_string(r.recent.size()) +
                                                " runs of this setting");
        h += recent_table(r);
    }
    h += "<p style=\"margin:20px 0 0 0;font-size:12px;color:#6b7280;\">casemis_import on database " +
         esc(r.database) + ". To send this email again: <span style=\"" + kMono +
         "\">SELECT casemis.resend_email(" + std::to_string(r.run_id) + ");</span></p>\n";
    h += "</td></tr>\n</table>\n</td></tr></table>\n</body>\n</html>\n";
    return h;
}

} // namespace casemis::notify
