// Prepare, Check and Idle: libev's loop-phase watchers. They differ only in
// their libev type, so one template serves all three (libuv's loop-watcher.c).
#include "watchers/prepare_check.h"

#include "watcher_wrap.h"

namespace evkit {
namespace {

template <class EvT, void (*StartFn)(struct ev_loop*, EvT*) noexcept,
          void (*StopFn)(struct ev_loop*, EvT*) noexcept>
class PhaseWatcher final : public WatcherWrap<PhaseWatcher<EvT, StartFn, StopFn>, EvT> {
 public:
  using Base = WatcherWrap<PhaseWatcher<EvT, StartFn, StopFn>, EvT>;
  explicit PhaseWatcher(const Napi::CallbackInfo& info) : Base(info) {}

  void StartIn(struct ev_loop* loop) { StartFn(loop, &this->ev_); }
  static void StopIn(struct ev_loop* loop, EvT* w) { StopFn(loop, w); }
};

using PrepareWatcher = PhaseWatcher<ev_prepare, ev_prepare_start, ev_prepare_stop>;
using CheckWatcher = PhaseWatcher<ev_check, ev_check_start, ev_check_stop>;
using IdleWatcher = PhaseWatcher<ev_idle, ev_idle_start, ev_idle_stop>;

}  // namespace

void InitPrepareCheck(Napi::Env env, Napi::Object exports) {
  exports.Set("Prepare", PrepareWatcher::DefineKind(env, "Prepare"));
  exports.Set("Check", CheckWatcher::DefineKind(env, "Check"));
  exports.Set("Idle", IdleWatcher::DefineKind(env, "Idle"));
}

}  // namespace evkit
