#include "block_pool.h"

#include <sys/mman.h>

#include <cstdint>

// Under valgrind the blocks are announced as heap blocks, so memcheck still
// sees a watcher used after it was freed, or freed twice, or leaked.
#if defined(__has_include) && __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#else
#define VALGRIND_MALLOCLIKE_BLOCK(addr, size, redzone, zeroed) ((void)0)
#define VALGRIND_FREELIKE_BLOCK(addr, redzone) ((void)0)
#define VALGRIND_MAKE_MEM_DEFINED(addr, size) ((void)0)
#define VALGRIND_MAKE_MEM_NOACCESS(addr, size) ((void)0)
#endif

namespace evkit {
namespace {

// Chunks are mapped, not malloc'd: untouched pages cost nothing, and valgrind
// sees no heap block around the watchers.
constexpr size_t kSmallChunkBytes = 64 * 1024;
// Past this many bytes in small chunks, the pool grows by 2 MB chunks aligned
// for transparent huge pages (advice only: where they are off, small pages as
// before). What a burst of new watchers mostly costs is first touches of
// pages, ~10 us each on the VM this was measured on, where a huge page cost
// 0.25-6 us per 4 KB of it (depending on how fragmented memory was): 1M
// started timers (W6) took 55k page faults instead of 74k and started 10-29 %
// faster. Small pools keep small chunks: a huge page is resident as a whole,
// and its first touch zeroes 2 MB at once.
constexpr size_t kHugeChunkBytes = 2 * 1024 * 1024;
constexpr size_t kSmallBytesBeforeHuge = 2 * 1024 * 1024;

void* MapAnonymous(size_t bytes) {
  void* at = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return at == MAP_FAILED ? nullptr : at;
}

// `bytes` at an address aligned to `bytes` (a power of two): twice as much is
// mapped and the rest given back.
void* MapAligned(size_t bytes) {
  char* mapped = static_cast<char*>(MapAnonymous(2 * bytes));
  if (mapped == nullptr) return nullptr;
  const uintptr_t address = reinterpret_cast<uintptr_t>(mapped);
  char* aligned = mapped + ((bytes - address % bytes) % bytes);
  if (aligned > mapped) munmap(mapped, static_cast<size_t>(aligned - mapped));
  char* end = mapped + 2 * bytes;
  if (aligned + bytes < end) munmap(aligned + bytes, static_cast<size_t>(end - (aligned + bytes)));
  return aligned;
}

}  // namespace

BlockPool::~BlockPool() {
  for (const Chunk& chunk : chunks_) munmap(chunk.start, chunk.bytes);
}

// A new chunk for next_..end_; false when no memory is left.
bool BlockPool::Grow() {
  Chunk chunk{nullptr, kSmallChunkBytes};
  if (mappedBytes_ >= kSmallBytesBeforeHuge) {
    chunk = {MapAligned(kHugeChunkBytes), kHugeChunkBytes};
#ifdef MADV_HUGEPAGE
    // Only advice: without transparent huge pages it is small pages as before.
    if (chunk.start != nullptr) madvise(chunk.start, chunk.bytes, MADV_HUGEPAGE);
#endif
  }
  if (chunk.start == nullptr) chunk = {MapAnonymous(kSmallChunkBytes), kSmallChunkBytes};
  if (chunk.start == nullptr) return false;
  chunks_.push_back(chunk);
  mappedBytes_ += chunk.bytes;
  next_ = static_cast<char*>(chunk.start);
  end_ = next_ + chunk.bytes;
  return true;
}

void* BlockPool::Take(size_t size) {
  void* block;
  if (free_ != nullptr) {
    VALGRIND_MAKE_MEM_DEFINED(free_, sizeof(FreeBlock));
    block = free_;
    free_ = free_->next;
  } else {
    if ((next_ == nullptr || static_cast<size_t>(end_ - next_) < size) && !Grow()) return nullptr;
    block = next_;
    next_ += size;
  }
  VALGRIND_MALLOCLIKE_BLOCK(block, size, 0, 0);
  return block;
}

void BlockPool::Give(void* block, size_t size) {
  VALGRIND_FREELIKE_BLOCK(block, 0);
  VALGRIND_MAKE_MEM_DEFINED(block, sizeof(FreeBlock));
  auto* freed = static_cast<FreeBlock*>(block);
  freed->next = free_;
  free_ = freed;
  VALGRIND_MAKE_MEM_NOACCESS(block, size);
}

}  // namespace evkit
