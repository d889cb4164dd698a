// cse_writer.cpp -- see cse_writer.hpp.
#include "apply/cse_writer.hpp"

#include <algorithm>

#include "apply/row_text.hpp"
#include "apply/service_digest.hpp"

extern "C" {
#include "postgres.h"

#include "common/hashfn.h"
}

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

uint64_t hash_text(const std::string &s)
{
    return hash_bytes_extended(reinterpret_cast<const unsigned char *>(s.data()), static_cast<int>(s.size()), 1);
}

} // namespace

CseWriter::CseWriter(pg::Spi &spi, const HeaderCheck &hc, const Layout &layout, int64_t run_id, std::string run_date,
                     bool dry_run)
    : spi_(spi), hc_(hc), tg_(targets_of(hc, layout)), run_id_(std::to_string(run_id)),
      run_date_(std::move(run_date)), dry_run_(dry_run), written_("pg_temp.casemis_written", {"student_id"}),
      new_("casemis.cse", cse_columns(tg_, false)), stage_("pg_temp.casemis_cse_stage", cse_columns(tg_, true)),
      touch_("pg_temp.casemis_cse_touch", {"student_id"})
{
    for (size_t c : jsonb_key_order(hc_))
        if (std::find(tg_.unknown.begin(), tg_.unknown.end(), static_cast<int>(c)) != tg_.unknown.end())
            unknown_order_.push_back(static_cast<int>(c));
    // Which students this run wrote, for NotInFile: a real run stamps last_run_id on
    // every cse row it writes; only a dry run needs the list kept aside.
    // A dry run reads the stored rows too, to count what it would insert and update.
    load_stored();
    if (dry_run_) {
        spi_.exec("CREATE TEMP TABLE casemis_written (student_id bigint PRIMARY KEY) ON COMMIT DROP");
        return;
    }
    spi_.exec("CREATE TEMP TABLE casemis_cse_stage (LIKE casemis.cse) ON COMMIT DROP");
    spi_.exec("ALTER TABLE pg_temp.casemis_cse_stage ADD COLUMN fillers_given boolean");
    spi_.exec("CREATE TEMP TABLE casemis_cse_touch (student_id bigint) ON COMMIT DROP");
}

// The stored rows as hashes of what a record may change (see cse_writer.hpp),
// from one query; the server prints them with ROW(...)::text, as RowText does.
void CseWriter::load_stored()
{
    std::string cols = "ROW(";
    for (size_t i = 0; i < tg_.cols.size(); ++i)
        cols += (i ? ", c." : "c.") + pg::quote_ident(tg_.cols[i].second);
    cols += ")::text COLLATE \"C\"";
    std::string fillers = "ROW(";
    for (int i = 1; i <= 6; ++i)
        fillers += std::string(i > 1 ? ", " : "") + "c.test_participation_" + std::to_string(i);
    fillers += ")::text COLLATE \"C\"";
    // extra: only the keys of the file's unknown columns can change
    const std::string extra = tg_.unknown.empty()
                                  ? std::string("NULL::text")
                                  : "(SELECT jsonb_object_agg(k.key, k.value) FROM jsonb_each(c.extra) k "
                                    "WHERE k.key = ANY ($1::text[]))::text COLLATE \"C\"";
    std::string keys = "{";
    for (int c : tg_.unknown) {
        if (keys.size() > 1)
            keys += ',';
        pg::append_array_element(keys, hc_.columns[c].header);
    }
    keys += '}';
    // the stamp: last_updated as days since 2000-01-01 (as a date is stored)
    const std::string days = "CASE WHEN isfinite(c.last_updated) THEN c.last_updated - DATE '2000-01-01' "
                             "WHEN c.last_updated = 'infinity' THEN 2147483647 "
                             "WHEN c.last_updated = '-infinity' THEN -2147483648 END";
    // The rows' count as the statistics know it (free, and near enough): the
    // vector allocated once, not doubled (and copied) up to 2x the rows.
    const pg::Value n = spi_.scalar("SELECT reltuples::bigint FROM pg_catalog.pg_class WHERE oid = 'casemis.cse'::regclass");
    if (n && std::stoll(*n) > 0)
        stored_.reserve(static_cast<size_t>(std::stoll(*n)) + 1024);
    // (10000 rows a batch: a batch of text rows held beside stored_ is ~450 bytes a row)
    spi_.each("SELECT student_id::text, hashtextextended(t, 1)::text, hashtextextended(f, 1)::text, "
              "coalesce(hashtextextended(e, 1), 0)::text, coalesce(x = '{}'::jsonb, false)::text, d::text, r::text "
              "FROM (SELECT c.student_id, " + cols + " AS t, " + fillers + " AS f, " + extra +
                  " AS e, c.extra AS x, " + days + " AS d, c.last_run_id AS r FROM casemis.cse c OFFSET 0) s",
              tg_.unknown.empty() ? pg::Params{} : pg::Params{keys}, 10000, [&](pg::Row &r) {
                  stored_.push_back(Stored{std::stoll(*r[0]), static_cast<uint64_t>(std::stoll(*r[1])),
                                           static_cast<uint64_t>(std::stoll(*r[2])),
                                           static_cast<uint64_t>(std::stoll(*r[3])), r[6] ? std::stoll(*r[6]) : 0,
                                           r[5] ? static_cast<int32_t>(std::stol(*r[5])) : 0, *r[4] == "true",
                                           !r[5], !r[6], false});
              });
    std::sort(stored_.begin(), stored_.end(), [](const Stored &a, const Stored &b) { return a.sid < b.sid; });
}

// Whether writing this record would change the stored row s (besides
// last_updated and last_run_id).
bool CseWriter::changes(const Stored &s, const ValidatedRecord &vr, bool fillers_given)
{
    if (s.empty_extra)
        return true; // '{}' becomes NULL
    row_.begin();
    for (const auto &c : tg_.cols)
        vr.null[c.first] ? row_.add_null() : row_.add(vr.values[c.first]);
    if (hash_text(row_.end()) != s.cols)
        return true;
    if (fillers_given) {
        row_.begin();
        for (int c : tg_.fillers)
            (c < 0 || vr.null[c]) ? row_.add_null() : row_.add(vr.values[c]);
        if (hash_text(row_.end()) != s.fillers)
            return true;
    }
    if (tg_.unknown.empty())
        return false;
    // the file's non-blank unknown columns as jsonb prints them, keys in its order
    std::string json;
    for (int c : unknown_order_) {
        if (vr.null[c])
            continue;
        json += json.empty() ? "{" : ", ";
        append_jsonb_out_string(json, hc_.columns[c].header);
        json += ": ";
        append_jsonb_out_string(json, vr.values[c]);
    }
    if (!json.empty())
        json += '}';
    return (json.empty() ? 0 : hash_text(json)) != s.extra;
}

void CseWriter::add(int64_t sid, const std::string &sid_text, const ValidatedRecord &vr)
{
    // The filler rule: all six blank leaves the stored values alone.
    bool fillers_given = false;
    for (int c : tg_.fillers)
        fillers_given = fillers_given || (c >= 0 && !vr.null[c]);
    auto it = std::lower_bound(stored_.begin(), stored_.end(), sid,
                               [](const Stored &s, int64_t id) { return s.sid < id; });
    const bool is_new = it == stored_.end() || it->sid != sid;
    const bool unchanged = !is_new && !changes(*it, vr, fillers_given);
    if (dry_run_) { // counted as the real run would count it
        written_.add(sid_text);
        written_.end_row();
        ++(is_new ? n_.inserted : unchanged ? n_.unchanged : n_.updated);
        return;
    }
    extra_.clear();
    for (int c : tg_.unknown) {
        if (vr.null[c])
            continue;
        extra_ += extra_.empty() ? "{" : ",";
        append_jsonb_out_string(extra_, hc_.columns[c].header);
        extra_ += ':';
        append_jsonb_out_string(extra_, vr.values[c]);
    }
    if (!extra_.empty())
        extra_ += '}';
    if (unchanged) {
        touch_.add(sid_text); // only last_updated and last_run_id
        touch_.end_row();
        it->stamped = true;
        ++n_.unchanged;
        return;
    }
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

// The former stamps of the rows only stamped, from the stored rows read at the
// start: grouped and sorted here, written by COPY. (An INSERT ... SELECT
// grouping cse's rows by stamp sorted them twice and held ~210 bytes a
// student of the worker's memory, bench/RESULTS.md.)
void CseWriter::save_stamps()
{
    std::vector<uint32_t> rows; // indexes into stored_, so by student_id
    rows.reserve(n_.unchanged);
    for (size_t i = 0; i < stored_.size(); ++i)
        if (stored_[i].stamped)
            rows.push_back(static_cast<uint32_t>(i));
    std::stable_sort(rows.begin(), rows.end(),
                     [&](uint32_t a, uint32_t b) { return stored_[a].stamp() < stored_[b].stamp(); });
    CseStampHistory history(std::stoll(run_id_));
    for (uint32_t i : rows)
        history.add(stored_[i].stamp(), stored_[i].sid);
    history.finish();
}

CseWriter::Counts CseWriter::finish()
{
    written_.finish();
    new_.finish();
    stage_.finish();
    touch_.finish();
    // what revert_run needs, before either UPDATE: the rows whose values change
    // whole, the rows only stamped their former stamps (apply/run_history.hpp)
    if (!dry_run_ && n_.updated > 0)
        save_cse_before_images(spi_, std::stoll(run_id_), "pg_temp.casemis_cse_stage");
    if (!dry_run_ && n_.unchanged > 0)
        save_stamps();
    if (!dry_run_ && n_.unchanged > 0)
        spi_.exec("UPDATE casemis.cse c SET last_updated = $1::date, last_run_id = $2::bigint "
                  "FROM pg_temp.casemis_cse_touch t WHERE c.student_id = t.student_id",
                  {run_date_, run_id_});
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
            append_jsonb_out_string(in_file, hc_.columns[c].header);
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
