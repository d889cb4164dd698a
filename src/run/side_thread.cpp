// pure C++ -- side_thread.cpp: see side_thread.hpp.
#include "run/side_thread.hpp"

#include <csignal>
#include <pthread.h>
#include <system_error>

#include "pg/cpp_only_file.hpp" // last: no PostgreSQL header above

namespace casemis::run {

namespace {

// Blocks every signal on this thread until destroyed (a thread started meanwhile
// inherits the full mask).
class AllSignalsBlocked {
  public:
    AllSignalsBlocked()
    {
        sigset_t all;
        sigfillset(&all);
        if (const int rc = pthread_sigmask(SIG_SETMASK, &all, &old_))
            throw std::system_error(rc, std::generic_category(), "pthread_sigmask");
    }
    ~AllSignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
    AllSignalsBlocked(const AllSignalsBlocked &) = delete;
    AllSignalsBlocked &operator=(const AllSignalsBlocked &) = delete;

  private:
    sigset_t old_;
};

} // namespace

SideThread::SideThread(std::function<void(const Stop &)> body)
{
    const AllSignalsBlocked blocked;
    t_ = std::thread([this, body = std::move(body)] {
        std::exception_ptr error;
        try {
            body(Stop(stop_));
        } catch (...) {
            error = std::current_exception();
        }
        std::lock_guard<std::mutex> lk(m_);
        error_ = error;
        done_ = true;
        cv_.notify_all();
    });
}

SideThread::~SideThread()
{
    if (t_.joinable()) {
        request_stop();
        t_.join();
    }
}

void SideThread::join(const std::function<void()> &between, std::chrono::milliseconds period)
{
    for (;;) {
        bool done;
        {
            std::unique_lock<std::mutex> lk(m_);
            done = cv_.wait_for(lk, period, [this] { return done_; });
        }
        between(); // may throw: the destructor then stops and joins
        if (done)
            break;
    }
    t_.join();
    if (error_)
        std::rethrow_exception(error_);
}

} // namespace casemis::run
