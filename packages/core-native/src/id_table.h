// IdTable<T>: objects of one env addressed from JS by a number. An id is a
// slot index plus the slot's generation (bumped on every reuse), so an id
// kept after its object is gone never reaches a newer object in that slot.
// JS thread only.
#pragma once

#include <cstdint>
#include <vector>

namespace evkit {

template <class T>
class IdTable {
 public:
  // Ids are below 2^53 (exact as JS numbers): index in the low kIndexBits.
  static constexpr int kIndexBits = 22;
  static constexpr uint32_t kCapacity = 1u << kIndexBits;
  static constexpr uint32_t kGenerationLimit = 1u << 30;

  // The slot index for `item`, or kCapacity when the table is full.
  uint32_t Add(T* item) {
    uint32_t index;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      if (items_.size() >= kCapacity) return kCapacity;
      index = static_cast<uint32_t>(items_.size());
      items_.push_back(nullptr);
      generations_.push_back(0);
    }
    items_[index] = item;
    generations_[index] = (generations_[index] + 1) % kGenerationLimit;
    return index;
  }

  void Remove(uint32_t index) {
    if (index >= items_.size() || items_[index] == nullptr) return;
    items_[index] = nullptr;
    free_.push_back(index);
  }

  double IdOf(uint32_t index) const {
    return static_cast<double>(generations_[index]) * kCapacity + index;
  }

  // The live object `id` names, or null (stale, malformed, never issued).
  T* Find(double id) const {
    if (!(id >= 1 && id < 9007199254740992.0)) return nullptr;
    uint64_t raw = static_cast<uint64_t>(id);
    if (static_cast<double>(raw) != id) return nullptr;
    uint32_t index = static_cast<uint32_t>(raw % kCapacity);
    uint64_t generation = raw / kCapacity;
    if (index >= items_.size() || generations_[index] != generation) return nullptr;
    return items_[index];
  }

  bool Full() const { return free_.empty() && items_.size() >= kCapacity; }
  T* At(uint32_t index) const { return index < items_.size() ? items_[index] : nullptr; }
  uint32_t size() const { return static_cast<uint32_t>(items_.size()); }

 private:
  std::vector<T*> items_;
  std::vector<uint32_t> generations_;
  std::vector<uint32_t> free_;
};

}  // namespace evkit
