#include "block_pool.h"

#include <sys/mman.h>

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
constexpr size_t kChunkBytes = 64 * 1024;

}  // namespace

BlockPool::~BlockPool() {
  for (void* chunk : chunks_) munmap(chunk, kChunkBytes);
}

void* BlockPool::Take(size_t size) {
  void* block;
  if (free_ != nullptr) {
    VALGRIND_MAKE_MEM_DEFINED(free_, sizeof(FreeBlock));
    block = free_;
    free_ = free_->next;
  } else {
    if (next_ == nullptr || static_cast<size_t>(end_ - next_) < size) {
      void* chunk = mmap(nullptr, kChunkBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (chunk == MAP_FAILED) return nullptr;
      chunks_.push_back(chunk);
      next_ = static_cast<char*>(chunk);
      end_ = next_ + kChunkBytes;
    }
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
