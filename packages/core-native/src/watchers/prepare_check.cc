// Prepare, Check, Idle and Cleanup: libev's loop-phase watchers. They differ
// only in their libev type, so one template serves all four (libuv's
// loop-watcher.c). Transient: nothing of theirs outlives a stop.
#include "watchers/prepare_check.h"

#include "watcher_kind.h"

namespace evkit {
namespace {

template <Kind K, class EvT, void (*StartFn)(struct ev_loop*, EvT*) noexcept,
          void (*StopFn)(struct ev_loop*, EvT*) noexcept>
class PhaseWatcher final : public KindWatcher<PhaseWatcher<K, EvT, StartFn, StopFn>, EvT> {
 public:
  static constexpr Kind kKind = K;

  static WatcherBase* Make(LoopCore* core, double, double, int*) { return new PhaseWatcher(core); }

  void StartIn(struct ev_loop* loop) { StartFn(loop, &this->ev_); }
  static void StopIn(struct ev_loop* loop, EvT* w) { StopFn(loop, w); }

 private:
  explicit PhaseWatcher(LoopCore* core) : KindWatcher<PhaseWatcher, EvT>(core, false) {}
};

using PrepareWatcher = PhaseWatcher<kKindPrepare, ev_prepare, ev_prepare_start, ev_prepare_stop>;
using CheckWatcher = PhaseWatcher<kKindCheck, ev_check, ev_check_start, ev_check_stop>;
using IdleWatcher = PhaseWatcher<kKindIdle, ev_idle, ev_idle_start, ev_idle_stop>;

// libev never lets a cleanup watcher hold a reference (its start unrefs the
// loop, its stop refs it): undone here, so that evkit's keep-alive books treat
// it like every other kind (its JS class is unref'd by default instead).
// libev itself never invokes one: destroy() detaches every watcher before
// ev_loop_destroy, and JS runs the callbacks before that.
void CleanupStart(struct ev_loop* loop, ev_cleanup* w) noexcept {
  ev_cleanup_start(loop, w);
  ev_ref(loop);
}

void CleanupStop(struct ev_loop* loop, ev_cleanup* w) noexcept {
  if (ev_is_active(w)) ev_unref(loop);
  ev_cleanup_stop(loop, w);
}

using CleanupWatcher = PhaseWatcher<kKindCleanup, ev_cleanup, CleanupStart, CleanupStop>;

}  // namespace

void InitPrepareCheck(Napi::Env, Napi::Object) {
  RegisterKind(kKindPrepare, &PrepareWatcher::Make);
  RegisterKind(kKindCheck, &CheckWatcher::Make);
  RegisterKind(kKindIdle, &IdleWatcher::Make);
  RegisterKind(kKindCleanup, &CleanupWatcher::Make);
}

}  // namespace evkit
