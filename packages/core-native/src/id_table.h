// IdTable<T>: objects of one env addressed from JS by a number. An id is a
// slot index plus the slot's generation (bumped on every reuse), so an id
// kept after its object is gone never reaches a newer object in that slot.
// JS thread only.
//
// Slots live in fixed chunks that never move: growing the table copies
// nothing (in a fresh process each copied page is a fault), and the free
// slots are chained through the slots themselves.
#pragma once

#include <cstdint>
#include <memory>
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
    uint32_t index = freeHead_;
    if (index != kNoSlot) {
      freeHead_ = static_cast<uint32_t>(Chunk(index).items[index & kChunkMask] >> 1);
    } else {
      if (size_ >= kCapacity) return kCapacity;
      index = size_;
      if ((index & kChunkMask) == 0) chunks_.emplace_back(new Slots);
      Chunk(index).generations[index & kChunkMask] = 0;
      size_++;
    }
    Slots& chunk = Chunk(index);
    uint32_t& generation = chunk.generations[index & kChunkMask];
    chunk.items[index & kChunkMask] = reinterpret_cast<uintptr_t>(item);
    generation = (generation + 1) % kGenerationLimit;
    return index;
  }

  void Remove(uint32_t index) {
    if (At(index) == nullptr) return;
    Chunk(index).items[index & kChunkMask] = (static_cast<uintptr_t>(freeHead_) << 1) | kFreeBit;
    freeHead_ = index;
  }

  double IdOf(uint32_t index) const {
    return static_cast<double>(Chunk(index).generations[index & kChunkMask]) * kCapacity + index;
  }

  // The live object `id` names, or null (stale, malformed, never issued).
  T* Find(double id) const {
    if (!(id >= 1 && id < 9007199254740992.0)) return nullptr;
    uint64_t raw = static_cast<uint64_t>(id);
    if (static_cast<double>(raw) != id) return nullptr;
    uint32_t index = static_cast<uint32_t>(raw % kCapacity);
    uint64_t generation = raw / kCapacity;
    if (index >= size_ || Chunk(index).generations[index & kChunkMask] != generation) return nullptr;
    return At(index);
  }

  bool Full() const { return freeHead_ == kNoSlot && size_ >= kCapacity; }
  T* At(uint32_t index) const {
    if (index >= size_) return nullptr;
    uintptr_t item = Chunk(index).items[index & kChunkMask];
    return (item & kFreeBit) != 0 ? nullptr : reinterpret_cast<T*>(item);
  }
  uint32_t size() const { return size_; }

 private:
  static constexpr uint32_t kChunkBits = 12;
  static constexpr uint32_t kChunkSize = 1u << kChunkBits;
  static constexpr uint32_t kChunkMask = kChunkSize - 1;
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  // A free slot holds the next free slot's index, shifted, with this bit
  // (objects are aligned, so a pointer never has it): 12 bytes a slot.
  static constexpr uintptr_t kFreeBit = 1;

  struct Slots {
    uintptr_t items[kChunkSize];
    uint32_t generations[kChunkSize];
  };

  Slots& Chunk(uint32_t index) const { return *chunks_[index >> kChunkBits]; }

  std::vector<std::unique_ptr<Slots>> chunks_;
  uint32_t size_ = 0;
  uint32_t freeHead_ = kNoSlot;
};

}  // namespace evkit
