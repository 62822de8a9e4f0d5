// BlockPool: equal-sized blocks for the watchers of one kind in one env.
//
// Every watcher of a kind has the same size, and malloc would round it up
// and add its header (a timer's 80 bytes take a 96-byte chunk): here it takes
// 80, from 64 KB chunks, and from 2 MB chunks once the pool is big (see
// block_pool.cc). A freed block is reused first; chunks stay until the env
// goes. JS thread only, where watchers are made and freed.
#pragma once

#include <cstddef>
#include <vector>

namespace evkit {

class BlockPool {
 public:
  BlockPool() = default;
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;
  ~BlockPool();

  // A block of `size` bytes (the same size on every call), or null when no
  // memory is left.
  void* Take(size_t size);
  void Give(void* block, size_t size);

 private:
  struct FreeBlock {
    FreeBlock* next;
  };
  struct Chunk {
    void* start;
    size_t bytes;
  };

  bool Grow();

  FreeBlock* free_ = nullptr;
  char* next_ = nullptr;  // the unused rest of the newest chunk
  char* end_ = nullptr;
  size_t mappedBytes_ = 0;
  std::vector<Chunk> chunks_;
};

}  // namespace evkit
