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

void WatcherBase::Shutdown() {
  if (!core_) return;
  if (!core_->destroyed()) {
    if (unrefed_) {
      core_->EvRef();
      unrefed_ = false;
    }
    EvStop(core_->loop());
    if (counted_) NoteStopped(false);
  }
  core_->Unregister(this);
  core_.reset();
}

void WatcherBase::BindOwner(napi_value owner) {
  napi_create_reference(env_, owner, 0, &owner_);
}

bool WatcherBase::Active() const { return core_ && ev_is_active(w_); }
bool WatcherBase::Pending() const { return core_ && ev_is_pending(w_); }
int WatcherBase::Priority() const { return ev_priority(w_); }

bool WatcherBase::SetPriority(int priority) {
  if (Active() || Pending()) return false;
  ev_set_priority(w_, priority);
  return true;
}

void WatcherBase::Start() {
  if (!Usable() || ev_is_active(w_)) return;
  EvStart(core_->loop());
  if (ev_is_active(w_)) NoteStarted();
  UpdatePin();
}

void WatcherBase::Stop() {
  if (!Usable()) return;
  // Re-ref before the libev stop, as libev's manual prescribes.
  if (unrefed_) {
    core_->EvRef();
    unrefed_ = false;
  }
  EvStop(core_->loop());  // also clears a pending event
  if (counted_) NoteStopped(false);
  UpdatePin();
}

void WatcherBase::Feed(int revents) {
  if (!Usable()) return;
  ev_feed_event(core_->loop(), w_, revents);
  UpdatePin();
}

void WatcherBase::SetKeepalive(bool keep) {
  if (keep == keepalive_) return;
  keepalive_ = keep;
  if (!Usable() || !counted_) return;
  if (keep && unrefed_) {
    core_->EvRef();
    unrefed_ = false;
  } else if (!keep && !unrefed_) {
    core_->EvUnref();
    unrefed_ = true;
  }
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
  bool want = core_ && !closed_ && (ev_is_active(w_) || ev_is_pending(w_));
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
  if (core_ && !core_->destroyed()) Stop();
  closed_ = true;
  UpdatePin();
  if (core_) {
    core_->Unregister(this);
    core_.reset();
  }
}

void WatcherBase::DetachFromLoop() {
  if (!core_) return;
  if (unrefed_) {
    core_->EvRef();
    unrefed_ = false;
  }
  EvStop(core_->loop());
  if (counted_) NoteStopped(false);
  core_.reset();
  UpdatePin();
}

void WatcherBase::Trampoline(struct ev_loop*, ev_watcher* w, int revents) noexcept {
  static_cast<WatcherBase*>(w->data)->Fire(revents);
}

void WatcherBase::Fire(int revents) noexcept {
  std::shared_ptr<LoopCore> core = core_;
  if (!core) return;
  if (counted_ && !ev_is_active(w_)) NoteStopped(true);
  EnvState* state = core->env();
  if (core->jsDead() || state->exiting || owner_ == nullptr) {
    UpdatePin();
    return;
  }
  napi_handle_scope scope;
  if (napi_open_handle_scope(env_, &scope) != napi_ok) return;
  napi_value owner = nullptr;
  napi_get_reference_value(env_, owner_, &owner);
  if (owner != nullptr) {
    napi_value thrown = nullptr;
    auto result = state->CallDispatch(owner, static_cast<uint32_t>(revents),
                                      ev_is_active(w_) != 0, &thrown);
    if (result == EnvState::CallResult::kThrew) core->StashException(thrown);
    if (result == EnvState::CallResult::kJsDead) core->MarkJsDead();
  }
  // The callback may have stopped, restarted, closed or destroyed anything.
  UpdatePin();
  napi_close_handle_scope(env_, scope);
}

}  // namespace evkit
