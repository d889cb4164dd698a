// email_test.cpp -- the completion email's texts (plain and HTML) and the
// size cap's order: escaping, problems standing out, the same counts in both.
#include <string>

#include "harness.hpp"
#include "notify/run_html.hpp"
#include "notify/run_summary.hpp"
#include "notify/size_cap.hpp"

using namespace casemis::notify;

namespace {

RunSummary sample()
{
    RunSummary r;
    r.run_id = 42;
    r.database = "sis";
    r.setting = "default";
    r.status = "succeeded";
    r.trigger = "manual";
    r.run_by = "dba";
    r.run_date = "2026-11-28";
    r.counts.a_imported = 93;
    r.counts.a_unmatched = 2;
    r.counts.b_errors = 1;
    r.files.push_back({"Table A", "tableA.csv", 1140, "ab12"});
    r.warnings.push_back("unknown column <script>alert(\"x\")</script> kept in extra");
    r.warnings.push_back("Ann & \"Bo\" 's column");
    r.attachments.push_back("CASEMIS_TypeA_ImportedRecords.csv");
    r.recent.push_back({42, "2026-11-28 04:00", "succeeded", false, r.counts});
    r.recent.push_back({41, "2026-11-27 04:00", "failed", false, {}});
    return r;
}

size_t count(const std::string &s, const std::string &what)
{
    size_t n = 0;
    for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1))
        ++n;
    return n;
}

} // namespace

TEST(html_escape_every_special_character)
{
    CHECK_EQ(html_escape("<a href=\"x\">Ann & 'Bo'</a>"),
             std::string("&lt;a href=&quot;x&quot;&gt;Ann &amp; &#39;Bo&#39;&lt;/a&gt;"));
    CHECK_EQ(html_escape("plain é"), std::string("plain é"));
}

TEST(html_shows_hostile_values_as_text)
{
    const std::string h = run_email_html(sample());
    CHECK(h.find("<script") == std::string::npos);
    CHECK(h.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") != std::string::npos);
    CHECK(h.find("Ann &amp; &quot;Bo&quot; &#39;s column") != std::string::npos);
}

TEST(html_is_self_contained)
{
    RunSummary r = sample();
    r.status = "failed";
    r.message = "key header STUDENT_ID missing; see https://example.org";
    const std::string h = run_email_html(r);
    CHECK(h.find("<img") == std::string::npos);
    CHECK(h.find("<link") == std::string::npos);
    CHECK(h.find("<style") == std::string::npos);
    CHECK(h.find("src=") == std::string::npos);
    CHECK(h.find("url(") == std::string::npos);
    CHECK(h.find("<a ") == std::string::npos); // a URL in a value stays text
}

TEST(html_counts_are_the_texts_and_problems_stand_out)
{
    const RunSummary r = sample();
    const std::string h = run_email_html(r), t = run_email_body(r);
    CHECK(h.find("data-count=\"type_a_imported\" style=\"") != std::string::npos);
    CHECK(t.find("Type A imported:         93") != std::string::npos);
    // the unmatched 2 and the Type B error are bold on red; zero counts are grey
    const size_t un = h.find("data-count=\"type_a_unmatched\"");
    CHECK(un != std::string::npos && h.find("font-weight:bold;color:#7f1d1d", un) < h.find("</td>", un));
    const size_t dup = h.find("data-count=\"type_a_duplicates\"");
    CHECK(dup != std::string::npos && h.find("color:#6b7280", dup) < h.find("</td>", dup));
    CHECK_EQ(count(h, "data-count="), size_t(8));
}

TEST(failed_run_says_reason_and_what_to_do_in_both_forms)
{
    RunSummary r = sample();
    r.status = "failed";
    r.message = "Table A: key header STUDENT_ID is missing <b>";
    const std::string h = run_email_html(r), t = run_email_body(r);
    CHECK(t.find("Reason:\n  Table A: key header STUDENT_ID is missing <b>") != std::string::npos);
    CHECK(t.find("What to do:\n") != std::string::npos);
    CHECK(t.find("    SELECT casemis.casemis_import();") != std::string::npos);
    CHECK(h.find("<strong>Reason:</strong> Table A: key header STUDENT_ID is missing &lt;b&gt;") !=
          std::string::npos);
    CHECK(h.find("<strong>What to do:</strong>") != std::string::npos);
    CHECK(h.find("SELECT casemis.casemis_import();") != std::string::npos);
    CHECK(h.find("Import FAILED") != std::string::npos);
}

TEST(record_guard_failure_is_explained_as_such)
{
    RunSummary r = sample();
    r.status = "failed";
    r.message = std::string(casemis::run::kRecordGuardPrefix) + "the Student Data file tableA.csv holds 4 records";
    const std::string guard = "stopped before it wrote anything";
    CHECK(run_email_body(r).find(guard) != std::string::npos);
    CHECK(run_email_body(r).find("SELECT casemis.casemis_import(force => true);") != std::string::npos);
    r.message = "Table A: key header STUDENT_ID is missing (record-count guard: no)";
    CHECK(run_email_body(r).find(guard) == std::string::npos);
    r.status = "succeeded";
    r.message = std::string(casemis::run::kRecordGuardPrefix) + "a succeeded run is no guard failure";
    CHECK(run_email_body(r).find(guard) == std::string::npos);
}

TEST(failed_run_gives_the_errors_own_advice)
{
    RunSummary r = sample();
    r.status = "failed";
    r.message = "could not open file \"/data/tableA.csv\": No such file or directory";
    r.hint = "Check that the file was delivered to the folder.";
    const std::string t = run_email_body(r), h = run_email_html(r);
    CHECK(t.find("Reason:\n  could not open file") != std::string::npos);
    CHECK(t.find("Check that the file was delivered to the folder. Then run the import again:") != std::string::npos);
    CHECK(t.find("Correct the cause named above") == std::string::npos); // not the general advice
    CHECK(t.find("    SELECT casemis.casemis_import();") != std::string::npos);
    CHECK(h.find("Check that the file was delivered to the folder. Then run the import again:") != std::string::npos);
    r.trigger = "revert";
    r.hint = "Revert the later run first.";
    CHECK(run_email_body(r).find("What to do:\n  Revert the later run first.") != std::string::npos);
}

TEST(recent_runs_in_both_forms)
{
    const RunSummary r = sample();
    const std::string h = run_email_html(r), t = run_email_body(r);
    CHECK(h.find("Last 2 runs of this setting") != std::string::npos);
    CHECK(h.find("2026-11-27 04:00") != std::string::npos);
    CHECK(t.find("Last 2 runs of setting \"default\"") != std::string::npos);
    CHECK(t.find("  42*") != std::string::npos);
}

TEST(left_out_attachments_are_named_with_how_to_get_them)
{
    RunSummary r = sample();
    r.max_email_bytes = 1000;
    r.left_out.push_back({"CASEMIS_TypeA_ImportedRecords.csv", 5000});
    r.left_out.push_back({"CASEMIS_Reports_42.xlsx", 4000});
    const std::string h = run_email_html(r), t = run_email_body(r);
    for (const std::string *s : {&h, &t}) {
        CHECK(s->find("CASEMIS_TypeA_ImportedRecords.csv (5000 bytes)") != std::string::npos);
        CHECK(s->find("casemis.report_csv(42, &#39;CASEMIS_TypeA_ImportedRecords.csv&#39;)") !=
                  std::string::npos ||
              s->find("casemis.report_csv(42, 'CASEMIS_TypeA_ImportedRecords.csv')") !=
                  std::string::npos);
        CHECK(s->find("casemis.report_xlsx(42)") != std::string::npos);
        CHECK(s->find("casemis.export_reports(42") != std::string::npos);
    }
}

TEST(text_paragraphs_are_wrapped)
{
    RunSummary r = sample();
    r.status = "unchanged";
    const std::string t = run_email_body(r);
    size_t start = 0;
    while (start < t.size()) {
        size_t nl = t.find('\n', start);
        if (nl == std::string::npos)
            nl = t.size();
        const std::string line = t.substr(start, nl - start);
        if (line.find(' ') != std::string::npos && line.find("SHA-256") == std::string::npos &&
            line.find("warning") == std::string::npos && line.find(" - ") == std::string::npos)
            CHECK(line.size() <= 90);
        start = nl + 1;
    }
    CHECK(t.find("byte for byte the same") != std::string::npos);
}

TEST(size_cap_leaves_imported_records_out_first_then_the_largest)
{
    std::vector<Attachment> a = {
        {"CASEMIS_TypeA_Errors.csv", std::string(50, 'x')},
        {"CASEMIS_TypeA_ImportedRecords.csv", std::string(10, 'x')},
        {"CASEMIS_Reports_1.xlsx", std::string(80, 'x'), "application/x"},
        {"CASEMIS_TypeB_ImportedRecords.csv", std::string(30, 'x')},
        {"CASEMIS_TypeA_NotInFile.csv", std::string(50, 'x')},
    };
    const std::vector<size_t> order = leave_out_order(a);
    CHECK_EQ(order.size(), size_t(5));
    CHECK_EQ(order[0], size_t(3)); // B ImportedRecords (30) before A ImportedRecords (10)
    CHECK_EQ(order[1], size_t(1));
    CHECK_EQ(order[2], size_t(2)); // then the largest
    CHECK_EQ(order[3], size_t(0)); // equal sizes: the earlier first
    CHECK_EQ(order[4], size_t(4));
}
