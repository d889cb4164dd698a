// memory.cpp -- memory contexts of our own.
#include "pg/memory.hpp"

namespace casemis::pg {

Arena::Arena(const char *name)
{
    MemoryContext c = nullptr;
    // (the macro form insists on a literal at this call; callers pass literals)
    pg_guard([&] { c = AllocSetContextCreateInternal(CurrentMemoryContext, name, ALLOCSET_DEFAULT_SIZES); });
    cxt_ = c;
}

// Neither reset nor delete raises (they only free); after a failed
// transaction's abort the parent is gone, but an Arena never lives that long.
Arena::~Arena() { MemoryContextDelete(cxt_); }

void Arena::reset() noexcept { MemoryContextReset(cxt_); }

Arena::Scope::Scope(Arena &a) noexcept : arena_(a), saved_(MemoryContextSwitchTo(a.cxt_)) {}

Arena::Scope::~Scope()
{
    MemoryContextSwitchTo(saved_);
    arena_.reset();
}

} // namespace casemis::pg
