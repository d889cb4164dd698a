// pure C++ -- (marker read by test/unit/Makefile)
// key_table.hpp -- a compact string set that gives each distinct key a dense id
// (0, 1, 2, ... in the order first inserted). Keys are stored once in a single
// arena and the hash table holds 8-byte slots, so a statewide roster (~900k SSIDs
// and name keys) costs ~30 bytes per key instead of the ~100-130 bytes of a
// std::unordered_map<std::string, std::vector<...>> node.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace casemis::match {

class KeyTable {
  public:
    static constexpr uint32_t npos = UINT32_MAX;
    KeyTable();
    // The id of k, or npos.
    uint32_t find(std::string_view k) const;
    // The id of k, adding it if new (*added says which).
    uint32_t insert(std::string_view k, bool *added = nullptr);
    size_t size() const { return offsets_.size() - 1; }
    std::string_view key(uint32_t id) const
    {
        return std::string_view(arena_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]);
    }

  private:
    struct Slot {
        uint32_t tag; // upper 32 bits of the hash
        uint32_t id;  // npos = empty
    };
    static uint64_t hash(std::string_view k);
    size_t probe(std::string_view k, uint64_t h) const; // slot holding k, or the empty slot to use
    void rehash(size_t slots);
    std::vector<Slot> slots_;       // power of two, at most half full
    std::vector<uint32_t> offsets_; // key i is arena_[offsets_[i], offsets_[i + 1])
    std::string arena_;
};

} // namespace casemis::match
