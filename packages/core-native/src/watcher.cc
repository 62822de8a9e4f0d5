#include "watcher.h"

namespace evkit {

WatcherBase::WatcherBase(napi_env env, std::shared_ptr<LoopCore> core, ev_watcher* w)
    : w_(w), env_(env), state_(GetEnvState(env)->shared_from_this()), core_(std::move(core)) {
  if (core_) core_->Register(this);
  state_->counts.watchersCreated++;
}

WatcherBase::~WatcherBase() {
  // Leave() ran already (close(), destroy() or the kind's finalizer); this
  // only releases what the base itself holds.
  if (core_) core_->Unregister(this);
  if (owner_ != nullptr) napi_delete_reference(env_, owner_);
  state_->counts.watchersFreed++;
}

void WatcherBase::BindOwner(napi_value owner) {
  napi_create_reference(env_, owner, 0, &owner_);
}

void WatcherBase::Leave() {
  if (core_) {
    std::shared_ptr<LoopCore> core = core_;
    if (core->loop() != nullptr) {
      LoopCore::Lock lock(core.get());
      StopLocked();
      core->Forget(this);
      OnLeavingLoop();
    }
    core->Unregister(this);
    core_.reset();
  }
  UpdatePin();
}

void WatcherBase::Close() {
  if (Has(kClosed)) return;
  Set(kClosed, true);
  Leave();
}

bool WatcherBase::Active() {
  if (!Usable()) return false;
  LoopCore::Lock lock(core_.get());
  return ev_is_active(w_);
}

bool WatcherBase::Pending() {
  if (!Usable()) return false;
  LoopCore::Lock lock(core_.get());
  return ev_is_pending(w_) || Has(kQueued);
}

int WatcherBase::Priority() const { return ev_priority(w_); }

bool WatcherBase::SetPriority(int priority) {
  if (Usable()) {
    LoopCore::Lock lock(core_.get());
    if (ev_is_active(w_) || ev_is_pending(w_) || Has(kQueued)) return false;
  }
  ev_set_priority(w_, priority);
  return true;
}

int WatcherBase::Start() {
  if (!Usable()) return 0;
  int status = BeforeStart();
  if (status != 0) return status;
  LoopCore::Lock lock(core_.get(), /*wake=*/true);
  if (ev_is_active(w_)) return 0;
  // A one-shot libev stopped whose callback has not run yet is still counted:
  // settle that before counting the new start.
  if (Has(kCounted)) NoteStopped(true);
  status = EvStart(core_->loop());
  if (ev_is_active(w_)) NoteStarted();
  UpdatePin();
  return status;
}

void WatcherBase::Stop() {
  if (!Usable()) return;
  LoopCore::Lock lock(core_.get());
  StopLocked();
}

void WatcherBase::StopLocked() {
  // Re-ref before the libev stop, as libev's manual prescribes.
  if (Has(kUnrefed)) {
    core_->EvRef();
    Set(kUnrefed, false);
  }
  EvStop(core_->loop());  // also clears a pending event
  Set(kQueued, false);
  if (Has(kCounted)) NoteStopped(false);
  UpdatePin();
}

void WatcherBase::Feed(int revents) {
  if (!Usable()) return;
  LoopCore::Lock lock(core_.get(), /*wake=*/true);
  ev_feed_event(core_->loop(), w_, FedRevents(revents & ~kKindReventsMask));
  UpdatePin();
}

void WatcherBase::SetKeepalive(bool keep) {
  if (keep == Has(kKeepalive)) return;
  Set(kKeepalive, keep);
  if (!Usable() || !Has(kCounted)) return;
  LoopCore::Lock lock(core_.get());
  if (keep && Has(kUnrefed)) {
    core_->EvRef();
    Set(kUnrefed, false);
  } else if (!keep && !Has(kUnrefed)) {
    core_->EvUnref();
    Set(kUnrefed, true);
  }
}

void WatcherBase::RefreshNowOutsideCallbacks() {
  if (!core_->InCallback()) ev_now_update(core_->loop());
}

void WatcherBase::SyncActivity() {
  bool active = ev_is_active(w_);
  if (Has(kCounted) && !active) NoteStopped(true);
  if (!Has(kCounted) && active) NoteStarted();
  UpdatePin();
}

void WatcherBase::NoteStarted() {
  Set(kCounted, true);
  core_->NoteActive(+1);
  core_->NoteLibevStarted();
  if (!Has(kKeepalive)) {
    core_->EvUnref();
    Set(kUnrefed, true);
  }
}

void WatcherBase::NoteStopped(bool libevDidIt) {
  Set(kCounted, false);
  core_->NoteActive(-1);
  core_->NoteLibevStopped();
  // libev's own stop did an ev_unref on top of ours: give ours back.
  if (libevDidIt && Has(kUnrefed)) {
    core_->EvRef();
    Set(kUnrefed, false);
  }
}

void WatcherBase::UpdatePin() {
  bool want = core_ && !Has(kClosed) && (ev_is_active(w_) || ev_is_pending(w_) || Has(kQueued));
  if (want == Has(kPinned) || owner_ == nullptr) return;
  uint32_t count = 0;
  if (want) {
    napi_reference_ref(env_, owner_, &count);
  } else {
    napi_reference_unref(env_, owner_, &count);
  }
  Set(kPinned, want);
}

void WatcherBase::Trampoline(struct ev_loop*, ev_watcher* w, int revents) noexcept {
  auto* self = static_cast<WatcherBase*>(w->data);
  LoopCore* core = self->core_.get();
  if (core != nullptr && core->deliversLater()) {
    // Loop thread: the JS thread delivers it after this batch.
    self->Set(kQueued, true);
    core->Record(self, revents);
    return;
  }
  self->Fire(revents);
}

void WatcherBase::Deliver(int revents) noexcept {
  if (!Has(kQueued)) return;  // stopped since it was recorded
  Set(kQueued, false);
  Fire(revents);
}

void WatcherBase::Undeliver() {
  Set(kQueued, false);
  UpdatePin();
}

void WatcherBase::Fire(int revents) noexcept {
  std::shared_ptr<LoopCore> core = core_;
  if (!core) return;
  if (Has(kCounted) && !ev_is_active(w_)) NoteStopped(true);
  if (core->jsDead() || state_->exiting || owner_ == nullptr) {
    UpdatePin();
    return;
  }
  napi_handle_scope scope;
  if (napi_open_handle_scope(env_, &scope) != napi_ok) return;
  napi_value owner = nullptr;
  napi_get_reference_value(env_, owner_, &owner);
  if (owner != nullptr) {
    if ((revents & EV_ERROR) != 0) revents = OnErrorEvent(revents);
    napi_value argv[2];
    napi_create_uint32(env_, static_cast<uint32_t>(revents), &argv[0]);
    napi_get_boolean(env_, ev_is_active(w_) != 0, &argv[1]);
    napi_value result;
    if (core->CallJs(state_->dispatch(), owner, 2, argv, &result) == LoopCore::CallResult::kJsDead) {
      core->MarkJsDead();
    }
  }
  // The callback may have stopped, restarted, closed or destroyed anything.
  UpdatePin();
  napi_close_handle_scope(env_, scope);
}

}  // namespace evkit
