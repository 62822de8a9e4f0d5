#include "watcher.h"

namespace evkit {

WatcherBase::WatcherBase(napi_env env, std::shared_ptr<LoopCore> core, ev_watcher* w)
    : w_(w), env_(env), state_(GetEnvState(env)->shared_from_this()), core_(std::move(core)) {
  if (core_) core_->Register(this);
  state_->counts.watchersCreated++;
}

WatcherBase::~WatcherBase() {
  // Shutdown() already ran in the kind's destructor (virtual calls are not
  // available here); this only releases what the base itself holds.
  if (core_) core_->Unregister(this);
  if (owner_ != nullptr) napi_delete_reference(env_, owner_);
  state_->counts.watchersFreed++;
}

void WatcherBase::BindOwner(napi_value owner) {
  napi_create_reference(env_, owner, 0, &owner_);
}

void WatcherBase::Shutdown() {
  if (!core_) return;
  if (!core_->destroyed()) {
    LoopCore::Lock lock(core_.get());
    StopLocked();
    core_->Forget(this);
  }
  core_->Unregister(this);
  core_.reset();
}

bool WatcherBase::Active() {
  if (!Usable()) return false;
  LoopCore::Lock lock(core_.get());
  return ev_is_active(w_);
}

bool WatcherBase::Pending() {
  if (!Usable()) return false;
  LoopCore::Lock lock(core_.get());
  return ev_is_pending(w_) || queued_;
}

int WatcherBase::Priority() const { return ev_priority(w_); }

bool WatcherBase::SetPriority(int priority) {
  if (Usable()) {
    LoopCore::Lock lock(core_.get());
    if (ev_is_active(w_) || ev_is_pending(w_) || queued_) return false;
  }
  ev_set_priority(w_, priority);
  return true;
}

void WatcherBase::Start() {
  if (!Usable()) return;
  LoopCore::Lock lock(core_.get(), /*wake=*/true);
  if (ev_is_active(w_)) return;
  EvStart(core_->loop());
  if (ev_is_active(w_)) NoteStarted();
  UpdatePin();
}

void WatcherBase::Stop() {
  if (!Usable()) return;
  LoopCore::Lock lock(core_.get());
  StopLocked();
}

void WatcherBase::StopLocked() {
  // Re-ref before the libev stop, as libev's manual prescribes.
  if (unrefed_) {
    core_->EvRef();
    unrefed_ = false;
  }
  EvStop(core_->loop());  // also clears a pending event
  queued_ = false;
  if (counted_) NoteStopped(false);
  UpdatePin();
}

void WatcherBase::Feed(int revents) {
  if (!Usable()) return;
  LoopCore::Lock lock(core_.get(), /*wake=*/true);
  ev_feed_event(core_->loop(), w_, revents);
  UpdatePin();
}

void WatcherBase::SetKeepalive(bool keep) {
  if (keep == keepalive_) return;
  keepalive_ = keep;
  if (!Usable() || !counted_) return;
  LoopCore::Lock lock(core_.get());
  if (keep && unrefed_) {
    core_->EvRef();
    unrefed_ = false;
  } else if (!keep && !unrefed_) {
    core_->EvUnref();
    unrefed_ = true;
  }
}

void WatcherBase::RefreshNowOutsideCallbacks() {
  if (!core_->InCallback()) ev_now_update(core_->loop());
}

void WatcherBase::SyncActivity() {
  bool active = ev_is_active(w_);
  if (counted_ && !active) NoteStopped(true);
  if (!counted_ && active) NoteStarted();
  UpdatePin();
}

void WatcherBase::NoteStarted() {
  counted_ = true;
  core_->NoteActive(+1);
  core_->NoteLibevStarted();
  if (!keepalive_) {
    core_->EvUnref();
    unrefed_ = true;
  }
}

void WatcherBase::NoteStopped(bool libevDidIt) {
  counted_ = false;
  core_->NoteActive(-1);
  core_->NoteLibevStopped();
  // libev's own stop did an ev_unref on top of ours: give ours back.
  if (libevDidIt && unrefed_) {
    core_->EvRef();
    unrefed_ = false;
  }
}

void WatcherBase::UpdatePin() {
  bool want = core_ && !closed_ && (ev_is_active(w_) || ev_is_pending(w_) || queued_);
  if (want == pinned_ || owner_ == nullptr) return;
  uint32_t count = 0;
  if (want) {
    napi_reference_ref(env_, owner_, &count);
  } else {
    napi_reference_unref(env_, owner_, &count);
  }
  pinned_ = want;
}

void WatcherBase::Close() {
  if (closed_) return;
  OnLeavingLoop();
  if (Usable()) {
    LoopCore::Lock lock(core_.get());
    StopLocked();
    core_->Forget(this);
  }
  closed_ = true;
  UpdatePin();
  if (core_) {
    core_->Unregister(this);
    core_.reset();
  }
}

void WatcherBase::DetachFromLoop() {
  if (!core_) return;
  OnLeavingLoop();
  if (unrefed_) {
    core_->EvRef();
    unrefed_ = false;
  }
  EvStop(core_->loop());
  queued_ = false;
  if (counted_) NoteStopped(false);
  core_.reset();
  UpdatePin();
}

void WatcherBase::Trampoline(struct ev_loop*, ev_watcher* w, int revents) noexcept {
  auto* self = static_cast<WatcherBase*>(w->data);
  LoopCore* core = self->core_.get();
  if (core != nullptr && core->deliversLater()) {
    // Loop thread: the JS thread delivers it after this batch.
    self->queued_ = true;
    core->Record(self, revents);
    return;
  }
  self->Fire(revents);
}

void WatcherBase::Deliver(int revents) noexcept {
  if (!queued_) return;  // stopped since it was recorded
  queued_ = false;
  Fire(revents);
}

void WatcherBase::Undeliver() {
  queued_ = false;
  UpdatePin();
}

void WatcherBase::Fire(int revents) noexcept {
  std::shared_ptr<LoopCore> core = core_;
  if (!core) return;
  if (counted_ && !ev_is_active(w_)) NoteStopped(true);
  if (core->jsDead() || state_->exiting || owner_ == nullptr) {
    UpdatePin();
    return;
  }
  napi_handle_scope scope;
  if (napi_open_handle_scope(env_, &scope) != napi_ok) return;
  napi_value owner = nullptr;
  napi_get_reference_value(env_, owner_, &owner);
  if (owner != nullptr) {
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
