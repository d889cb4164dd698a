// run_row.hpp -- the vocabulary of a row of casemis.import_run, each part
// listed once: its statuses, its triggers and its counts (the table is in
// src/sql/30_runs.sql; README.md, "Reference", describes the columns). Pure
// C++: the worker writes these and the email code (unit-tested without
// PostgreSQL) reads them, so both name them from here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace casemis::run
{

// import_run.status (its CHECK lists the same words).
enum class RunStatus { Running, Succeeded, Failed, Unchanged, Skipped, DryRun, Missed, Reverted };

// import_run.trigger: how the run was started.
enum class Trigger : int { Manual = 0, Upload = 1, Scheduled = 2, Revert = 3 };

namespace detail
{
template <typename E> struct Word {
    E value;
    const char *text;
};
inline constexpr Word<RunStatus> kStatusWords[] = {
    {RunStatus::Running, "running"}, {RunStatus::Succeeded, "succeeded"},
    {RunStatus::Failed, "failed"},   {RunStatus::Unchanged, "unchanged"},
    {RunStatus::Skipped, "skipped"}, {RunStatus::DryRun, "dry_run"},
    {RunStatus::Missed, "missed"},   {RunStatus::Reverted, "reverted"},
};
inline constexpr Word<Trigger> kTriggerWords[] = {
    {Trigger::Manual, "manual"},
    {Trigger::Upload, "upload"},
    {Trigger::Scheduled, "scheduled"},
    {Trigger::Revert, "revert"},
};
template <typename E, size_t N> constexpr const char *text_of(const Word<E> (&words)[N], E v)
{
    for (const Word<E> &w : words)
        if (w.value == v) return w.text;
    return "?";
}
template <typename E, size_t N>
std::optional<E> value_of(const Word<E> (&words)[N], std::string_view text)
{
    for (const Word<E> &w : words)
        if (text == w.text) return w.value;
    return std::nullopt;
}
} // namespace detail

constexpr const char *to_text(RunStatus s)
{
    return detail::text_of(detail::kStatusWords, s);
}
constexpr const char *to_text(Trigger t)
{
    return detail::text_of(detail::kTriggerWords, t);
}
// nullopt for a word that is none of them
inline std::optional<RunStatus> status_from_text(std::string_view text)
{
    return detail::value_of(detail::kStatusWords, text);
}
inline std::optional<Trigger> trigger_from_text(std::string_view text)
{
    return detail::value_of(detail::kTriggerWords, text);
}
// A succeeded run and a dry run wrote reports; no other run has any.
constexpr bool has_reports(RunStatus s)
{
    return s == RunStatus::Succeeded || s == RunStatus::DryRun;
}

// For code that holds the column's text (the email reads the row as text).
inline bool is(std::string_view text, RunStatus s)
{
    return text == to_text(s);
}
inline bool is(std::string_view text, Trigger t)
{
    return text == to_text(t);
}
inline bool has_reports(std::string_view status_text)
{
    const std::optional<RunStatus> s = status_from_text(status_text);
    return s && has_reports(*s);
}

// The message of every run the record-count guard failed (run/record_guard.cpp)
// starts with this; the email recognizes such a run by it and explains it in
// its own words.
inline constexpr std::string_view kRecordGuardPrefix = "record-count guard: ";
inline bool is_record_guard_failure(std::string_view status_text, std::string_view message)
{
    return is(status_text, RunStatus::Failed) &&
           message.substr(0, kRecordGuardPrefix.size()) == kRecordGuardPrefix;
}

// The counts of a run, as import_run holds them (one column each, below).
struct RunCounts {
    int64_t a_imported = 0, a_unmatched = 0, a_duplicates = 0, a_errors = 0, a_not_in_file = 0;
    int64_t b_imported = 0, b_unmatched = 0, b_errors = 0;
};

enum class CountTable { A, B }; // Table A (students) or Table B (services)
// How the email shows a count above zero: plainly, as a problem, or as worth a look.
enum class CountTone { Plain, Problem, Notice };

struct CountColumn {
    const char *column; // in import_run
    CountTable table;
    const char *what; // "imported": "Table A: 93 imported, ..."
    CountTone tone;
    int64_t RunCounts::*member;
};

// Every count, in the order the messages, the log line and the email list
// them. Adding a count: a member above, a row here, the column in
// src/sql/30_runs.sql and the upgrade script (CONTRIBUTING.md, "To change X, edit Y").
inline constexpr CountColumn kRunCounts[] = {
    {"type_a_imported", CountTable::A, "imported", CountTone::Plain, &RunCounts::a_imported},
    {"type_a_unmatched", CountTable::A, "unmatched", CountTone::Problem, &RunCounts::a_unmatched},
    {"type_a_duplicates", CountTable::A, "duplicates", CountTone::Problem,
     &RunCounts::a_duplicates},
    {"type_a_errors", CountTable::A, "errors", CountTone::Problem, &RunCounts::a_errors},
    {"type_a_not_in_file", CountTable::A, "not in file", CountTone::Notice,
     &RunCounts::a_not_in_file},
    {"type_b_imported", CountTable::B, "imported", CountTone::Plain, &RunCounts::b_imported},
    {"type_b_unmatched", CountTable::B, "unmatched", CountTone::Problem, &RunCounts::b_unmatched},
    {"type_b_errors", CountTable::B, "errors", CountTone::Problem, &RunCounts::b_errors},
};

// One table's counts as the run's message and the server log say them:
// "93 imported, 2 unmatched, 0 duplicates, 0 errors, 4 not in file".
inline std::string counts_text(const RunCounts &c, CountTable t)
{
    std::string out;
    for (const CountColumn &k : kRunCounts)
        if (k.table == t)
            out += (out.empty() ? "" : ", ") + std::to_string(c.*k.member) + " " + k.what;
    return out;
}

} // namespace casemis::run
