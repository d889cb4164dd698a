// pure C++ -- (marker read by test/unit/Makefile)
// side_thread.hpp -- pure C++ work on a second thread beside the backend's, and
// the bounded hand-off of its results to the main thread.
//
// The rule (CONTRIBUTING, "Threads"): PostgreSQL is single-threaded, so the side
// thread runs only pure C++ code (files that include pg/cpp_only_file.hpp): no
// PostgreSQL call, no palloc, no ereport, no CHECK_FOR_INTERRUPTS. Every signal
// is blocked on it, so PostgreSQL's handlers run on the main thread only. The
// main thread waits for it in join(), which runs main-thread work (interrupt
// checks, writing what was handed off) every few milliseconds and rethrows what
// the body threw; the destructor asks the body to stop and joins, so a main
// thread unwinding from an error never leaves it running.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace casemis::run {

// Thrown in the body by a check of stop_requested() (Stop::check).
struct Stopped {};

class SideThread {
  public:
    // The body gets the stop flag; it should call Stop::check now and then.
    class Stop {
      public:
        explicit Stop(const std::atomic<bool> &flag) : flag_(flag) {}
        bool requested() const { return flag_.load(std::memory_order_relaxed); }
        void check() const
        {
            if (requested())
                throw Stopped{};
        }

      private:
        const std::atomic<bool> &flag_;
    };
    explicit SideThread(std::function<void(const Stop &)> body);
    ~SideThread();
    SideThread(const SideThread &) = delete;
    SideThread &operator=(const SideThread &) = delete;

    // Waits for the body, calling between() on this thread about every
    // `period` and once after the end; rethrows the body's exception.
    void join(const std::function<void()> &between,
              std::chrono::milliseconds period = std::chrono::milliseconds(5));
    void request_stop() { stop_.store(true); }
    // The body's stop flag (for what the body calls, e.g. Handoff::push).
    Stop stop() const { return Stop(stop_); }

  private:
    std::atomic<bool> stop_{false};
    std::mutex m_;
    std::condition_variable cv_;
    bool done_ = false;
    std::exception_ptr error_;
    std::thread t_;
};

// A bounded queue from the side thread (push) to the main thread (drain):
// push waits while the waiting items weigh `capacity` or more (bytes, say), so
// what is handed off stays bounded whatever the file size (an item is always
// taken when none waits); it gives up (returns false) when a stop is requested.
template <typename T>
class Handoff {
  public:
    explicit Handoff(size_t capacity) : cap_(capacity) {}
    bool push(T &&item, size_t weight, const SideThread::Stop &stop)
    {
        std::unique_lock<std::mutex> lk(m_);
        while (!q_.empty() && weight_ + weight > cap_) {
            if (stop.requested())
                return false;
            not_full_.wait_for(lk, std::chrono::milliseconds(5));
        }
        q_.emplace_back(std::move(item), weight);
        weight_ += weight;
        return true;
    }
    // Hands every waiting item to fn, in order, without holding the lock.
    template <typename Fn>
    size_t drain(Fn &&fn)
    {
        std::deque<std::pair<T, size_t>> got;
        {
            std::lock_guard<std::mutex> lk(m_);
            got.swap(q_);
            weight_ = 0;
        }
        not_full_.notify_all();
        for (auto &item : got)
            fn(item.first);
        return got.size();
    }

  private:
    const size_t cap_;
    std::mutex m_;
    std::condition_variable not_full_;
    std::deque<std::pair<T, size_t>> q_;
    size_t weight_ = 0;
};

} // namespace casemis::run
