// boundary_test.cpp -- the entry guard's exception-stack check (pg/boundary.hpp):
// a C++ exception that leaves a PG_TRY block leaves PG_exception_stack pointing
// into a dead frame; catch_all() must notice, put both stacks back and say so
// (stacks_restored: the WARNING "a C++ exception left a PG_TRY block").
//
// The one unit test built against PostgreSQL's headers (test/unit/Makefile):
// no server is involved. The two stacks are globals of the server (elog.c),
// defined here; PG_TRY and catch_all() use nothing else of it.
#include <stdexcept>

#include "harness.hpp"

#include "pg/boundary.hpp"

extern "C" {
sigjmp_buf *PG_exception_stack = nullptr;
ErrorContextCallback *error_context_stack = nullptr;
}

using casemis::CaughtError;
using casemis::catch_all;

namespace {

// What an entry guard sees from the code it calls: the stacks of its caller.
struct CallerStacks {
    sigjmp_buf outer;
    ErrorContextCallback context{};
    CallerStacks()
    {
        PG_exception_stack = &outer;
        error_context_stack = &context;
    }
    ~CallerStacks()
    {
        PG_exception_stack = nullptr;
        error_context_stack = nullptr;
    }
};

// The breach the check is for: a throw inside PG_TRY (never done in src/).
void throw_inside_pg_try()
{
    PG_TRY();
    {
        throw casemis::Error(ERRCODE_DATA_EXCEPTION, "thrown inside PG_TRY");
    }
    PG_CATCH();
    {
    }
    PG_END_TRY();
}

} // namespace

TEST(boundary_throw_inside_pg_try_is_detected_and_the_stack_restored)
{
    CallerStacks caller;
    CaughtError c;
    const bool ok = catch_all([] { throw_inside_pg_try(); }, c);
    CHECK(!ok);
    CHECK(c.stacks_restored);
    CHECK(PG_exception_stack == &caller.outer);
    CHECK(error_context_stack == &caller.context);
    // the error itself still reaches the caller as usual
    CHECK(c.kind == CaughtError::Kind::User);
    CHECK_EQ(c.sqlstate, ERRCODE_DATA_EXCEPTION);
    CHECK_EQ(std::string(c.message), std::string("thrown inside PG_TRY"));
}

TEST(boundary_error_context_left_pushed_is_detected_and_popped)
{
    CallerStacks caller;
    CaughtError c;
    static ErrorContextCallback pushed{};
    const bool ok = catch_all(
        [] {
            pushed.previous = error_context_stack;
            error_context_stack = &pushed; // pushed, then unwound past its pop
            throw std::runtime_error("unwound past the pop");
        },
        c);
    CHECK(!ok);
    CHECK(c.stacks_restored);
    CHECK(error_context_stack == &caller.context);
    CHECK(c.kind == CaughtError::Kind::Internal);
}

TEST(boundary_clean_calls_report_no_breach)
{
    CallerStacks caller;
    CaughtError ok_call, failed_call;
    CHECK(catch_all([] {}, ok_call));
    CHECK(!ok_call.stacks_restored);
    // a throw outside PG_TRY, after a PG_TRY block that ended normally
    CHECK(!catch_all(
        [] {
            PG_TRY();
            {
            }
            PG_CATCH();
            {
            }
            PG_END_TRY();
            throw casemis::Error(ERRCODE_DATA_EXCEPTION, "outside");
        },
        failed_call));
    CHECK(!failed_call.stacks_restored);
    CHECK(PG_exception_stack == &caller.outer);
}
