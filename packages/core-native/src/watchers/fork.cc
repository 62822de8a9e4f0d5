// Fork (ev_fork): runs on the loop's next iteration after ev_loop_fork
// (loop.reinit()) or, on a FLAG_FORKCHECK loop, after libev noticed a new pid.
// Transient. (The test-only fork(2) probe lives in internal/native-testing.)
#include "watchers/fork.h"

#include "watcher_kind.h"

namespace evkit {
namespace {

class ForkWatcher final : public KindWatcher<ForkWatcher, ev_fork> {
 public:
  static constexpr Kind kKind = kKindFork;

  static WatcherBase* Make(LoopCore* core, double, double, int*) { return new ForkWatcher(core); }

  void StartIn(struct ev_loop* loop) { ev_fork_start(loop, &ev_); }
  static void StopIn(struct ev_loop* loop, ev_fork* w) { ev_fork_stop(loop, w); }

 private:
  explicit ForkWatcher(LoopCore* core) : KindWatcher(core, false) {}
};

}  // namespace

void InitFork(Napi::Env, Napi::Object) { RegisterKind(kKindFork, &ForkWatcher::Make); }

}  // namespace evkit
