// LoopCore: one libev loop and everything evkit keeps about it. It is shared
// (shared_ptr) by the JS loop handle(s) and by every watcher of the loop, so
// its memory outlives whichever of them the GC finalises last; `loop()` is
// null once the loop is destroyed, and no libev call is made after that.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "ev_config.h"

namespace evkit {

class EnvState;
class WatcherBase;

class LoopCore : public std::enable_shared_from_this<LoopCore> {
 public:
  // Creates a loop with ev_loop_new. On failure returns null and sets *error.
  static std::shared_ptr<LoopCore> Create(EnvState* env, unsigned flags,
                                          std::string* error);
  // Wraps an ev_loop that evkit does not own (native interop).
  static std::shared_ptr<LoopCore> WrapForeign(EnvState* env, struct ev_loop* loop);

  ~LoopCore();
  LoopCore(const LoopCore&) = delete;
  LoopCore& operator=(const LoopCore&) = delete;

  struct ev_loop* loop() const { return loop_; }
  bool destroyed() const { return loop_ == nullptr || destroyRequested_; }
  bool owns() const { return owns_; }
  EnvState* env() const { return env_; }

  // The JS object the drain hook is called on (held weakly).
  void SetOwner(napi_value owner);
  napi_value Owner() const;

  // Blocking ev_run on the calling (JS) thread.
  int Run(int flags);
  int depth() const { return runDepth_; }
  void Break(int how);
  void Destroy();

  // ---- keep-alive bookkeeping: the only place evkit's liveness count moves.
  // `keepalive_` mirrors the share of libev's activecnt that belongs to the
  // user: active referenced watchers, ref() calls, and the runCallback queue.
  void NoteLibevStarted() { ++keepalive_; }
  void NoteLibevStopped() { --keepalive_; }
  void EvRef();
  void EvUnref();
  void SetCallbacksQueued(bool queued);
  bool callbacksQueued() const { return callbacksQueued_; }
  int refCount() const { return keepalive_ - (callbacksQueued_ ? 1 : 0); }
  int activeCount() const { return activeCount_; }
  void NoteActive(int delta) { activeCount_ += delta; }

  // Watcher registry (raw; watchers unregister themselves).
  void Register(WatcherBase* w) { watchers_.push_back(w); }
  void Unregister(WatcherBase* w);

  // Errors that must surface from run(): a syserr from libev, or an exception
  // that escaped the JS hooks.
  void NoteSyserr(const char* msg, int err);
  bool TakeSyserr(std::string* msg, int* err);
  void StashException(napi_value exc);
  napi_value TakeStashedException();
  void MarkJsDead();
  bool jsDead() const { return jsDead_; }

 private:
  LoopCore(EnvState* env, struct ev_loop* loop, bool owns);
  void StartInternalWatchers();
  void StopInternalWatchers();
  void FinishDestroy();
  void StartHeartbeat();
  void StopHeartbeat();
  void StartInternal(ev_watcher* w, void (*start)(struct ev_loop*, ev_watcher*));

  static void OnDrainPrepare(struct ev_loop* loop, ev_prepare* w, int revents) noexcept;
  static void OnTimer0(struct ev_loop* loop, ev_timer* w, int revents) noexcept;
  static void OnWake(struct ev_loop* loop, ev_async* w, int revents) noexcept;
  static void OnHeartbeat(struct ev_loop* loop, ev_timer* w, int revents) noexcept;

  EnvState* env_;
  std::shared_ptr<EnvState> envHold_;  // keeps env_ valid until we are gone
  struct ev_loop* loop_;
  bool owns_;
  bool destroyRequested_ = false;
  bool jsDead_ = false;
  int runDepth_ = 0;
  int keepalive_ = 0;
  int activeCount_ = 0;
  bool callbacksQueued_ = false;
  napi_ref owner_ = nullptr;
  napi_ref stashed_ = nullptr;
  std::string syserrMsg_;
  int syserrErrno_ = 0;
  bool hasSyserr_ = false;
  std::vector<WatcherBase*> watchers_;

  // Internal watchers, all unref'd: they never keep run() alive.
  ev_prepare drainPrepare_;  // drains the runCallback queue before blocking
  ev_timer timer0_;          // makes the next poll non-blocking when callbacks remain
  ev_async wake_;            // sets up libev's wake-up pipe so ev_async_send never aborts
  ev_timer heartbeat_;       // workers: notices termination during a blocking run()
};

// The loop whose ev_run is on this thread's stack (for ev_set_syserr_cb).
LoopCore* CurrentlyRunning();

}  // namespace evkit
