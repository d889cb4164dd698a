// pure C++ -- (marker read by test/unit/Makefile)
// key_table.cpp -- open addressing with linear probing over (hash tag, id) slots.
#include "match/key_table.hpp"

#include <functional>
#include <stdexcept>
#include "pg/cpp_only_file.hpp" // last: no PostgreSQL header above

namespace casemis::match {

KeyTable::KeyTable() : slots_(16, Slot{0, npos}), offsets_{0} {}

uint64_t KeyTable::hash(std::string_view k) { return std::hash<std::string_view>{}(k); }

size_t KeyTable::probe(std::string_view k, uint64_t h) const
{
    const size_t mask = slots_.size() - 1;
    const uint32_t tag = static_cast<uint32_t>(h >> 32);
    for (size_t i = static_cast<size_t>(h) & mask;; i = (i + 1) & mask) {
        const Slot &s = slots_[i];
        if (s.id == npos || (s.tag == tag && key(s.id) == k))
            return i;
    }
}

uint32_t KeyTable::find(std::string_view k) const
{
    return slots_[probe(k, hash(k))].id;
}

uint32_t KeyTable::insert(std::string_view k, bool *added)
{
    const uint64_t h = hash(k);
    size_t i = probe(k, h);
    if (slots_[i].id != npos) {
        if (added)
            *added = false;
        return slots_[i].id;
    }
    if (arena_.size() + k.size() >= npos || size() + 1 >= npos)
        throw std::length_error("KeyTable: too many keys");
    const uint32_t id = static_cast<uint32_t>(size());
    arena_.append(k.data(), k.size());
    offsets_.push_back(static_cast<uint32_t>(arena_.size()));
    slots_[i] = Slot{static_cast<uint32_t>(h >> 32), id};
    if (added)
        *added = true;
    if ((size() + 1) * 2 > slots_.size())
        rehash(slots_.size() * 2);
    return id;
}

void KeyTable::rehash(size_t n)
{
    std::vector<Slot> old(n, Slot{0, npos});
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot &s : old) {
        if (s.id == npos)
            continue;
        size_t i = static_cast<size_t>(hash(key(s.id))) & mask;
        while (slots_[i].id != npos)
            i = (i + 1) & mask;
        slots_[i] = s;
    }
}

} // namespace casemis::match
