// stopwatch.hpp -- time of an import phase for its NOTICE: wall clock and this
// process's CPU time (on a busy server the two differ; the CPU time is what
// the import itself costs).
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <sys/resource.h>

namespace casemis::run {

inline double cpu_seconds()
{
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct Stopwatch {
    std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
    double cpu = cpu_seconds();
};

// "1.2 s (CPU 0.9 s)" since t0.
inline std::string elapsed(const Stopwatch &t0)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.1f s (CPU %.1f s)",
             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0.wall).count(),
             cpu_seconds() - t0.cpu);
    return buf;
}

} // namespace casemis::run
