// Prepare, Check and Idle: libev's loop-phase watchers. They differ only in
// their libev type, so one template serves all three (libuv's loop-watcher.c).
// Transient: nothing of theirs outlives a stop.
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

}  // namespace

void InitPrepareCheck(Napi::Env, Napi::Object) {
  RegisterKind(kKindPrepare, &PrepareWatcher::Make);
  RegisterKind(kKindCheck, &CheckWatcher::Make);
  RegisterKind(kKindIdle, &IdleWatcher::Make);
}

}  // namespace evkit
