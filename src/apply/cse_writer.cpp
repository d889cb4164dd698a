// cse_writer.cpp -- see cse_writer.hpp.
#include "apply/cse_writer.hpp"

#include <algorithm>

#include "apply/json.hpp"

namespace casemis::apply {

using namespace casemis::format;

namespace {

// student_id, the targets, test_participation_1..6, last_updated, extra,
// last_run_id; the stage adds fillers_given.
std::vector<std::string> cse_columns(const Targets &tg, bool stage)
{
    std::vector<std::string> cols{"student_id"};
    for (const auto &c : tg.cols)
        cols.push_back(c.second);
    for (int i = 1; i <= 6; ++i)
        cols.push_back("test_participation_" + std::to_string(i));
    cols.insert(cols.end(), {"last_updated", "extra", "last_run_id"});
    if (stage)
        cols.push_back("fillers_given");
    return cols;
}

} // namespace

CseWriter::CseWriter(pg::Spi &spi, const HeaderCheck &hc, const Layout &layout, int64_t run_id, std::string run_date,
                     bool dry_run)
    : spi_(spi), hc_(hc), tg_(targets_of(hc, layout)), run_id_(std::to_string(run_id)),
      run_date_(std::move(run_date)), dry_run_(dry_run), written_("pg_temp.casemis_written", {"student_id"}),
      new_("casemis.cse", cse_columns(tg_, false)), stage_("pg_temp.casemis_cse_stage", cse_columns(tg_, true))
{
    // Which students this run wrote, for NotInFile: a real run stamps last_run_id on
    // every cse row it writes; only a dry run needs the list kept aside.
    if (dry_run_) {
        spi_.exec("CREATE TEMP TABLE casemis_written (student_id bigint PRIMARY KEY) ON COMMIT DROP");
        return;
    }
    spi_.each("SELECT student_id::text FROM casemis.cse", {}, 50000,
              [&](pg::Row &r) { existing_.push_back(std::stoll(*r[0])); });
    std::sort(existing_.begin(), existing_.end());
    spi_.exec("CREATE TEMP TABLE casemis_cse_stage (LIKE casemis.cse) ON COMMIT DROP");
    spi_.exec("ALTER TABLE pg_temp.casemis_cse_stage ADD COLUMN fillers_given boolean");
}

void CseWriter::add(int64_t sid, const std::string &sid_text, const ValidatedRecord &vr)
{
    if (dry_run_) {
        written_.add(sid_text);
        written_.end_row();
        return;
    }
    // The filler rule: all six blank leaves the stored values alone.
    bool fillers_given = false;
    for (int c : tg_.fillers)
        fillers_given = fillers_given || (c >= 0 && !vr.null[c]);
    extra_.clear();
    for (int c : tg_.unknown) {
        if (vr.null[c])
            continue;
        extra_ += extra_.empty() ? "{" : ",";
        append_json_string(extra_, hc_.columns[c].header);
        extra_ += ':';
        append_json_string(extra_, vr.values[c]);
    }
    if (!extra_.empty())
        extra_ += '}';
    const bool is_new = !std::binary_search(existing_.begin(), existing_.end(), sid);
    pg::CopyIn &out = is_new ? new_ : stage_;
    out.add(sid_text);
    for (const auto &c : tg_.cols)
        add_value(out, vr, c.first);
    for (int c : tg_.fillers)
        add_value(out, vr, c);
    out.add(run_date_);
    extra_.empty() ? out.add_null() : out.add(extra_);
    out.add(run_id_);
    if (!is_new)
        out.add(fillers_given ? "t" : "f");
    out.end_row();
    ++(is_new ? n_.inserted : n_.updated);
}

CseWriter::Counts CseWriter::finish()
{
    written_.finish();
    new_.finish();
    stage_.finish();
    if (!dry_run_ && n_.updated > 0) {
        std::string set;
        for (const auto &c : tg_.cols)
            set += pg::quote_ident(c.second) + " = s." + pg::quote_ident(c.second) + ", ";
        for (int i = 1; i <= 6; ++i) {
            std::string col = "test_participation_" + std::to_string(i);
            set += col + " = CASE WHEN s.fillers_given THEN s." + col + " ELSE c." + col + " END, ";
        }
        // extra: a column the file has replaces its key (a blank value drops it);
        // keys of columns absent from the file are kept, like absent typed columns.
        std::string in_file = "[";
        for (int c : tg_.unknown) {
            if (in_file.size() > 1)
                in_file += ',';
            append_json_string(in_file, hc_.columns[c].header);
        }
        in_file += ']';
        set += "last_updated = s.last_updated, last_run_id = s.last_run_id, "
               "extra = nullif((coalesce(c.extra, '{}'::jsonb) - ARRAY(SELECT jsonb_array_elements_text($1::jsonb))) "
               "|| coalesce(s.extra, '{}'::jsonb), '{}'::jsonb)";
        spi_.exec("UPDATE casemis.cse c SET " + set +
                      " FROM pg_temp.casemis_cse_stage s WHERE c.student_id = s.student_id",
                  {in_file});
    }
    return n_;
}

} // namespace casemis::apply
