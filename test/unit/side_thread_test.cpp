// side_thread_test.cpp -- the side thread (run/side_thread.hpp) and the report
// chunks it builds (report/row_chunks.hpp): everything handed off arrives once
// and in order, never more than the hand-off's capacity at a time; the body's
// exception reaches join(); an unwinding main thread stops a blocked body; the
// side thread runs with every signal blocked and the main thread's mask is kept.
#include <csignal>
#include <pthread.h>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness.hpp"
#include "report/row_chunks.hpp"
#include "run/side_thread.hpp"

using casemis::run::Handoff;
using casemis::run::SideThread;
using casemis::run::Stopped;

TEST(side_thread_hands_off_everything_in_order_within_capacity)
{
    Handoff<int> q(4);
    std::vector<int> got;
    size_t most = 0, drains = 0;
    SideThread t([&](const SideThread::Stop &stop) {
        for (int i = 0; i < 20000; ++i)
            if (!q.push(int(i), 1, stop))
                throw Stopped{};
    });
    t.join([&] {
        const size_t n = q.drain([&](int v) { got.push_back(v); });
        most = std::max(most, n);
        ++drains;
    }, std::chrono::milliseconds(1));
    CHECK_EQ(got.size(), size_t(20000));
    bool in_order = true;
    for (size_t i = 0; i < got.size(); ++i)
        in_order = in_order && got[i] == int(i);
    CHECK(in_order);
    CHECK(most <= 4);
    CHECK(drains >= 20000 / 4);
}

TEST(side_thread_rethrows_the_body_exception_in_join)
{
    SideThread t([](const SideThread::Stop &) { throw std::runtime_error("file line 7: too many fields"); });
    std::string what;
    try {
        t.join([] {});
    } catch (const std::runtime_error &e) {
        what = e.what();
    }
    CHECK_EQ(what, std::string("file line 7: too many fields"));
}

TEST(side_thread_destructor_stops_a_body_blocked_on_a_full_handoff)
{
    Handoff<int> q(2);
    bool stopped = false;
    {
        SideThread t([&](const SideThread::Stop &stop) {
            for (int i = 0;; ++i)
                if (!q.push(int(i), 1, stop)) {
                    stopped = true;
                    return;
                }
        });
        try {
            t.join([] { throw std::runtime_error("cancelled"); }); // the main thread's error
        } catch (const std::runtime_error &) {
        }
    } // ~SideThread: stop, join
    CHECK(stopped);
    CHECK_EQ(q.drain([](int) {}), size_t(2));
}

TEST(side_thread_handoff_weighs_items_and_always_takes_one)
{
    Handoff<int> q(10);
    std::atomic<bool> flag{true}; // stop requested: a push that would wait gives up at once
    const SideThread::Stop stop(flag);
    CHECK(q.push(1, 25, stop)); // heavier than the capacity, but nothing waits
    CHECK(!q.push(2, 1, stop)); // full
    CHECK_EQ(q.drain([](int) {}), size_t(1));
    CHECK(q.push(3, 4, stop));
    CHECK(q.push(4, 6, stop));  // 10: at capacity
    CHECK(!q.push(5, 1, stop));
    std::vector<int> got;
    q.drain([&](int v) { got.push_back(v); });
    CHECK(got == std::vector<int>({3, 4}));
}

TEST(side_thread_runs_with_every_signal_blocked)
{
    sigset_t before, after, side;
    pthread_sigmask(SIG_SETMASK, nullptr, &before);
    SideThread t([&](const SideThread::Stop &) { pthread_sigmask(SIG_SETMASK, nullptr, &side); });
    pthread_sigmask(SIG_SETMASK, nullptr, &after);
    t.join([] {});
    for (int sig : {SIGINT, SIGTERM, SIGQUIT, SIGUSR1, SIGUSR2, SIGHUP, SIGALRM, SIGURG})
        CHECK(sigismember(&side, sig) == 1);
    bool same = true;
    for (int sig = 1; sig < 32; ++sig)
        same = same && sigismember(&before, sig) == sigismember(&after, sig);
    CHECK(same);
}

TEST(row_chunks_number_each_report_and_cut_at_10000_rows)
{
    std::vector<casemis::report::ChunkRow> out;
    casemis::report::RowChunks rows([&](casemis::report::ChunkRow &&c) { out.push_back(std::move(c)); });
    casemis::format::CsvRecord rec;
    rec.fields = {"3401", "S-1", "7100000001", "330"};
    casemis::format::KeyColumns kc;
    kc.selpa = 0;
    kc.student_id = 1;
    kc.report_id = 1;
    kc.ssid = 2;
    kc.service = 3;
    for (uint64_t line = 2; line < 2 + 25000; ++line) {
        rec.line = line;
        rows.table_b(rec, kc, casemis::match::Outcome::Imported, casemis::match::Reason::None, "7101");
        if (line % 1000 == 0)
            rows.table_b(rec, kc, casemis::match::Outcome::Unmatched, casemis::match::Reason::BNoKey, {});
    }
    CHECK_EQ(out.size(), size_t(2)); // two full chunks of the imported report
    rows.flush_all();
    CHECK_EQ(out.size(), size_t(4)); // + the imported report's last + the unmatched one
    std::vector<std::pair<std::string, int>> ids;
    for (const auto &c : out)
        ids.emplace_back(c.report, c.number);
    CHECK(ids[0] == std::make_pair(std::string("CASEMIS_TypeB_ImportedRecords.csv"), 0));
    CHECK(ids[1] == std::make_pair(std::string("CASEMIS_TypeB_ImportedRecords.csv"), 1));
    bool last_two = (ids[2] == std::make_pair(std::string("CASEMIS_TypeB_ImportedRecords.csv"), 2) &&
                     ids[3] == std::make_pair(std::string("CASEMIS_TypeB_UnmatchedRecords.csv"), 0)) ||
                    (ids[3] == std::make_pair(std::string("CASEMIS_TypeB_ImportedRecords.csv"), 2) &&
                     ids[2] == std::make_pair(std::string("CASEMIS_TypeB_UnmatchedRecords.csv"), 0));
    CHECK(last_two);
    CHECK_EQ(out[0].cols[0].substr(0, 12), std::string("\"2\",\"3\",\"4\","));
    CHECK((out[0].nonnull & 1u) == 1u && (out[0].nonnull & 2u) == 0u); // line numbers, no positions
}
