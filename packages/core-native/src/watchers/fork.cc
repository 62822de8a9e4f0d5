// Fork (ev_fork): runs on the loop's next iteration after ev_loop_fork
// (loop.reinit()) or, on a FLAG_FORKCHECK loop, after libev noticed a new pid.
// (The test-only fork(2) probe lives in internal/native-testing.)
#include "watchers/fork.h"

#include "watcher_wrap.h"

namespace evkit {
namespace {

// new binding.Fork(loop, owner)
class ForkWatcher final : public WatcherWrap<ForkWatcher, ev_fork> {
 public:
  explicit ForkWatcher(const Napi::CallbackInfo& info) : WatcherWrap(info) {}

  void StartIn(struct ev_loop* loop) { ev_fork_start(loop, &ev_); }
  static void StopIn(struct ev_loop* loop, ev_fork* w) { ev_fork_stop(loop, w); }
};

}  // namespace

void InitFork(Napi::Env env, Napi::Object exports) {
  exports.Set("Fork", ForkWatcher::DefineKind(env, "Fork"));
}

}  // namespace evkit
