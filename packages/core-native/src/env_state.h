// Per-environment (main thread or worker) state of the addon, kept as N-API
// instance data so the addon is context-aware.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>
#include <unordered_set>

#include "block_pool.h"
#include "id_table.h"

namespace evkit {

class LoopCore;
class WatcherBase;

struct DebugCounts {
  int64_t loopsCreated = 0;
  int64_t loopsFreed = 0;
  int64_t watchersCreated = 0;
  int64_t watchersFreed = 0;
};

// Shared-owned: loops and watchers keep it alive, so whatever order the env's
// finalizers run in at teardown, nobody touches freed state.
class EnvState : public std::enable_shared_from_this<EnvState> {
 public:
  explicit EnvState(napi_env env);
  ~EnvState();

  // The env whose JS runs on the calling thread (Node runs one per thread:
  // the main thread, each Worker); null on any other thread.
  static EnvState* OfThisThread();

  napi_env env() const { return env_; }

  // JS hooks installed once per env by @evkit/loop (see lib/binding.ts).
  void SetHooks(Napi::Object hooks);
  napi_ref dispatch() const { return dispatch_; }
  napi_ref deliver() const { return deliver_; }
  napi_ref drain() const { return drain_; }
  napi_ref heartbeat() const { return heartbeat_; }
  napi_ref settle() const { return settle_; }
  napi_ref syserr() const { return syserr_; }

  bool isMainThread = true;
  bool exiting = false;  // set by the cleanup hook: JS must not be entered
  DebugCounts counts;
  // Why the last watcherStart/watcherCreate of this env made no watcher.
  int lastStatus = 0;
  std::unordered_set<LoopCore*> cores;
  IdTable<LoopCore> loops;
  IdTable<WatcherBase> watchers;
  // Where each kind's native watchers live (WatcherBase::operator new), by
  // kind number; freed with the env, after its last watcher.
  static constexpr int kMaxKinds = 16;
  BlockPool watcherBlocks[kMaxKinds];

  // One state byte per watcher slot (StateBits), shared with JS as a
  // Uint8Array over the whole table's capacity: written only on this env's
  // JS thread. Made on first use.
  uint8_t* StateBytes();
  napi_value StateArray();

  // Env cleanup hook: destroys every loop of this env and drops the hooks.
  void Teardown();

 private:
  napi_env env_;
  napi_ref dispatch_ = nullptr;
  napi_ref deliver_ = nullptr;
  napi_ref stateArray_ = nullptr;
  uint8_t* state_ = nullptr;
  napi_ref drain_ = nullptr;
  napi_ref heartbeat_ = nullptr;
  napi_ref settle_ = nullptr;
  napi_ref syserr_ = nullptr;
};

EnvState* GetEnvState(napi_env env);

}  // namespace evkit
