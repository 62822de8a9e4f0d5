#include "registry.h"

#include <mutex>
#include <unordered_map>

namespace evkit {
namespace registry {
namespace {

struct Entry {
  EnvState* env;
  std::weak_ptr<LoopCore> core;
};

std::mutex& Mutex() {
  static std::mutex m;
  return m;
}

std::unordered_map<struct ev_loop*, Entry>& Table() {
  static auto* table = new std::unordered_map<struct ev_loop*, Entry>();
  return *table;
}

}  // namespace

void Add(struct ev_loop* loop, EnvState* env, const std::shared_ptr<LoopCore>& core) {
  std::lock_guard<std::mutex> lock(Mutex());
  Table()[loop] = Entry{env, core};
}

void Remove(struct ev_loop* loop) {
  std::lock_guard<std::mutex> lock(Mutex());
  Table().erase(loop);
}

Found Find(struct ev_loop* loop, EnvState* env, std::shared_ptr<LoopCore>* core) {
  std::lock_guard<std::mutex> lock(Mutex());
  auto it = Table().find(loop);
  if (it == Table().end()) return Found::kNo;
  if (it->second.env != env) return Found::kOtherThread;
  *core = it->second.core.lock();
  return *core ? Found::kYes : Found::kNo;
}

std::shared_ptr<LoopCore> FindAny(struct ev_loop* loop) {
  std::lock_guard<std::mutex> lock(Mutex());
  auto it = Table().find(loop);
  return it == Table().end() ? nullptr : it->second.core.lock();
}

}  // namespace registry
}  // namespace evkit
