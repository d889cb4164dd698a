// boundary.hpp -- the two-way error boundary between C++ and PostgreSQL.
//
// A PostgreSQL ERROR is a siglongjmp: it must never jump over a C++ frame that
// owns objects with destructors, nor out of a catch handler. A C++ exception
// must never reach PostgreSQL's C frames, nor leave a PG_TRY block.
//
//  * Every SQL-callable function is declared with CASEMIS_FUNCTION(name): a thin
//    extern "C" shim that runs name_cpp() inside cpp_boundary(), which catches
//    everything, leaves the handler, and only then raises the PostgreSQL error.
//  * A PostgreSQL call that may ereport while C++ objects are alive goes through
//    pg_guard(), which turns the PostgreSQL error into a C++ PgError.
//  * Never throw inside PG_TRY; never call ereport(ERROR) from C++ directly:
//    throw casemis::Error (with an SQLSTATE, message, detail and hint) instead.
#pragma once

#include <csetjmp>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <utility>

extern "C" {
#include "postgres.h"
#include "fmgr.h"
#include "utils/elog.h"
#include "utils/memutils.h"
}

namespace casemis {

// A PostgreSQL error copied out of the error stack, carried through unwinding.
struct PgError {
    ErrorData *edata;
};

// A C++-side error meant for the user: becomes ereport(ERROR) at the boundary.
struct Error : std::exception {
    int sqlstate;
    std::string message, detail, hint;
    Error(int code, std::string msg, std::string det = {}, std::string hnt = {})
        : sqlstate(code), message(std::move(msg)), detail(std::move(det)), hint(std::move(hnt))
    {
    }
    const char *what() const noexcept override { return message.c_str(); }
};

// Where a PgError's ErrorData lives: a context of its own under
// TopMemoryContext, outside every context the unwinding may free on its way to
// the catcher (an Arena's, an SPI connection's). The catcher frees it
// (FreeErrorData) or leaves it to the reset at the next top-level boundary.
MemoryContext error_data_context() noexcept;
// Entry and exit of a top-level CASEMIS_FUNCTION (nesting counted): entering
// at depth 0 resets error_data_context().
void enter_boundary() noexcept;
void leave_boundary() noexcept;

// Run f (PostgreSQL calls and trivially destructible locals only; must not
// throw) and convert a PostgreSQL ERROR into a C++ PgError.
template <typename F> void pg_guard(F &&f)
{
    MemoryContext oldcxt = CurrentMemoryContext;
    ErrorData *volatile edata = nullptr;

    PG_TRY();
    {
        f();
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(error_data_context()); // CopyErrorData must not run in ErrorContext
        edata = CopyErrorData();
        MemoryContextSwitchTo(oldcxt);
        FlushErrorState();
    }
    PG_END_TRY();

    if (edata != nullptr)
        throw PgError{edata};
}

// What a guard saves on entry and checks on exit. A C++ exception that left a
// PG_TRY block (a breach of the rules above) leaves PG_exception_stack pointing
// into a frame that no longer exists: the next ERROR would jump there.
struct PgStacks {
    sigjmp_buf *exception_stack = PG_exception_stack;
    ErrorContextCallback *context_stack = error_context_stack;
    // Puts both back if they changed; true if they had.
    bool restore() const noexcept
    {
        const bool changed = PG_exception_stack != exception_stack || error_context_stack != context_stack;
        PG_exception_stack = exception_stack;
        error_context_stack = context_stack;
        return changed;
    }
};

// Any exception caught at a boundary, copied without allocating from
// PostgreSQL: the one error type (SQLSTATE, message, detail, hint) that a
// failing run carries to its row and its email, and a call to its caller.
struct CaughtError {
    enum class Kind { None, Pg, User, OutOfMemory, Internal };
    Kind kind = Kind::None;
    ErrorData *pg = nullptr; // Kind::Pg: owned by the catcher (FreeErrorData)
    int sqlstate = 0;        // for every kind (a PostgreSQL error's own)
    char message[1024] = "";
    char detail[1024] = "";
    char hint[512] = "";
    bool stacks_restored = false; // PG_TRY was left by a C++ exception (a bug)
};

template <typename F> bool catch_all(F &&body, CaughtError &out)
{
    const PgStacks saved;
    bool ok = false;
    try {
        body();
        ok = true;
    } catch (const PgError &e) {
        out.kind = CaughtError::Kind::Pg;
        out.pg = e.edata;
        out.sqlstate = e.edata->sqlerrcode;
        strlcpy(out.message, e.edata->message ? e.edata->message : "error", sizeof(out.message));
        strlcpy(out.detail, e.edata->detail ? e.edata->detail : "", sizeof(out.detail));
        strlcpy(out.hint, e.edata->hint ? e.edata->hint : "", sizeof(out.hint));
    } catch (const Error &e) {
        out.kind = CaughtError::Kind::User;
        out.sqlstate = e.sqlstate;
        strlcpy(out.message, e.message.c_str(), sizeof(out.message));
        strlcpy(out.detail, e.detail.c_str(), sizeof(out.detail));
        strlcpy(out.hint, e.hint.c_str(), sizeof(out.hint));
    } catch (const std::bad_alloc &) {
        out.kind = CaughtError::Kind::OutOfMemory;
        out.sqlstate = ERRCODE_OUT_OF_MEMORY;
        strlcpy(out.message, "out of memory", sizeof(out.message));
    } catch (const std::exception &e) {
        out.kind = CaughtError::Kind::Internal;
        out.sqlstate = ERRCODE_INTERNAL_ERROR;
        strlcpy(out.message, e.what(), sizeof(out.message));
    } catch (...) {
        out.kind = CaughtError::Kind::Internal;
        out.sqlstate = ERRCODE_INTERNAL_ERROR;
        strlcpy(out.message, "unknown C++ exception", sizeof(out.message));
    }
    out.stacks_restored = saved.restore();
    return ok;
}

// After catch_all() found PG_TRY left by a C++ exception: a WARNING (the
// stacks are already restored). Call outside any catch.
void warn_stacks_restored();

// Raise what catch_all() caught as a PostgreSQL ERROR. Call outside any catch.
[[noreturn]] void rethrow_caught(const CaughtError &c);

// Run body() (returns Datum); any exception becomes a PostgreSQL ERROR after
// the C++ stack has been unwound and the catch handler left. On the way out,
// PG_exception_stack and error_context_stack must be what they were on entry.
template <typename F> Datum cpp_boundary(F &&body)
{
    Datum result = (Datum)0;
    CaughtError caught;
    enter_boundary();
    const bool ok = catch_all([&] { result = body(); }, caught);
    leave_boundary();
    if (caught.stacks_restored)
        warn_stacks_restored();
    if (ok)
        return result;
    rethrow_caught(caught);
}

} // namespace casemis

// Declares the SQL-callable symbol `name` whose C++ body is `name_cpp`.
#define CASEMIS_FUNCTION(name)                                                                    \
    static Datum name##_cpp(FunctionCallInfo fcinfo);                                              \
    extern "C" {                                                                                   \
    PG_FUNCTION_INFO_V1(name);                                                                     \
    Datum name(PG_FUNCTION_ARGS)                                                                   \
    {                                                                                              \
        return casemis::cpp_boundary([&]() -> Datum { return name##_cpp(fcinfo); });              \
    }                                                                                              \
    }                                                                                              \
    static Datum name##_cpp(FunctionCallInfo fcinfo)
