// memory.hpp -- memory contexts of our own, for what PostgreSQL calls allocate
// on our behalf (parameters, result values, type input and send functions, the
// parse state of a COPY flush), reset per statement, value batch or flush so
// that a run's memory stays flat whatever the file size.
#pragma once

#include "pg/boundary.hpp"

namespace casemis::pg {

// A child of the context current at construction (so it never outlives the
// transaction or SPI connection it was made in); deleted with the object.
class Arena {
  public:
    explicit Arena(const char *name); // name: a string literal (kept, not copied)
    ~Arena();
    Arena(const Arena &) = delete;
    Arena &operator=(const Arena &) = delete;

    // Frees everything allocated in it. Call with it not current.
    void reset() noexcept;

    // Makes the arena current for the scope's lifetime; on leaving (normally or
    // by an exception) switches back and resets it.
    class Scope {
      public:
        explicit Scope(Arena &a) noexcept;
        ~Scope();
        Scope(const Scope &) = delete;
        Scope &operator=(const Scope &) = delete;

      private:
        Arena &arena_;
        MemoryContext saved_;
    };

  private:
    MemoryContext cxt_ = nullptr;
};

} // namespace casemis::pg
