#include "watcher.h"

#include <new>

#include "env_state.h"

namespace evkit {

static_assert(sizeof(WatcherBase) <= 24, "WatcherBase is paid in every watcher: keep it within 24 bytes");

// A sanitizer build takes each watcher from the heap, so ASan sees every one.
#if defined(__SANITIZE_ADDRESS__)
void* WatcherBase::Allocate(int, size_t size) noexcept { return ::operator new(size, std::nothrow); }
void WatcherBase::Free(int, void* block, size_t) noexcept { ::operator delete(block); }
#else
void* WatcherBase::Allocate(int kind, size_t size) noexcept { return env()->watcherBlocks[kind].Take(size); }
void WatcherBase::Free(int kind, void* block, size_t size) noexcept { env()->watcherBlocks[kind].Give(block, size); }
#endif

WatcherBase::WatcherBase(LoopCore* core, int kind, bool persistent)
    : kind_(static_cast<uint8_t>(kind)), persistent_(persistent) {
  EnvState* env = core->env();
  index_ = env->watchers.Add(this);
  core->Register(this);
  env->counts.watchersCreated++;
}

WatcherBase::~WatcherBase() {
  // Leave() ran already (close(), release, destroy() or the kind's own
  // destructor); this only gives back the id.
  EnvState* env = WatcherBase::env();
  if (uint8_t* state = env->StateBytes()) state[index_] = 0;
  env->watchers.Remove(index_);
  env->counts.watchersFreed++;
}

double WatcherBase::id() const { return env()->watchers.IdOf(index_); }

void WatcherBase::Leave() {
  if (LoopCore* core = this->core()) {
    core->DropContext(this);
    if (core->loop() != nullptr) {
      LoopCore::Lock lock(core);
      StopLocked();
      OnLeavingLoop();
    }
    core->Unregister(this);
    w()->data = nullptr;
  }
  Publish();
}

void WatcherBase::Close() {
  if (Has(kClosed)) return;
  Set(kClosed, true);
  Leave();
}

void WatcherBase::Publish() {
  uint8_t* state = env()->StateBytes();
  if (state == nullptr) return;
  uint8_t bits = 0;
  if (Usable()) {
    if (ev_is_active(w())) bits |= kStateActive;
    if (ev_is_pending(w()) || Has(kQueued)) bits |= kStatePending;
    bits |= state[index_] & kStateQueued;
  }
  state[index_] = bits;
}

bool WatcherBase::Active() {
  if (!Usable()) return false;
  LoopCore::Lock lock(core());
  return ev_is_active(w());
}

bool WatcherBase::Pending() {
  if (!Usable()) return false;
  LoopCore::Lock lock(core());
  uint8_t* state = env()->StateBytes();
  return ev_is_pending(w()) || Has(kQueued) || (state != nullptr && (state[index_] & kStateQueued) != 0);
}

int WatcherBase::Start() {
  if (!Usable()) return 0;
  int status = BeforeStart();
  if (status != 0) return status;
  LoopCore::Lock lock(core(), /*wake=*/true);
  if (!ev_is_active(w())) {
    // A one-shot libev stopped whose callback has not run yet is still
    // counted: settle that before counting the new start.
    if (Has(kCounted)) NoteStopped(true);
    status = EvStart(core()->loop());
    if (ev_is_active(w())) NoteStarted();
  }
  Publish();
  return status;
}

void WatcherBase::Stop() {
  if (!Usable()) return;
  LoopCore::Lock lock(core());
  StopLocked();
  Publish();
}

void WatcherBase::StopLocked() {
  // Re-ref before the libev stop, as libev's manual prescribes.
  if (Has(kUnrefed)) {
    core()->EvRef();
    Set(kUnrefed, false);
  }
  EvStop(core()->loop());  // also clears a pending event
  Unqueue();
  if (Has(kCounted)) NoteStopped(false);
}

void WatcherBase::Unqueue() {
  if (Has(kQueued)) {
    Set(kQueued, false);
    core()->Forget(this);
  }
  if (uint8_t* state = env()->StateBytes()) state[index_] &= ~kStateQueued;
}

void WatcherBase::Feed(int revents) {
  if (!Usable()) return;
  LoopCore::Lock lock(core(), /*wake=*/true);
  // Pending already, libev adds the revents where it is; else it runs next.
  bool pending = ev_is_pending(w());
  ev_feed_event(core()->loop(), w(), FedRevents(revents & ~kKindReventsMask));
  if (!pending) core()->NoteFed(this);
  Publish();
}

int WatcherBase::ClearPending() {
  if (!Usable()) return 0;
  LoopCore::Lock lock(core());
  int revents = ev_clear_pending(core()->loop(), w());
  uint8_t* state = env()->StateBytes();
  if (Has(kQueued) || (state != nullptr && (state[index_] & kStateQueued) != 0)) revents |= recorded_;
  Unqueue();
  if (Has(kCounted) && !ev_is_active(w())) NoteStopped(true);
  Publish();
  return revents & ~kKindReventsMask;
}

void WatcherBase::SetParams(double a, double b) {
  if (!Usable()) {
    ApplyParams(a, b);
    return;
  }
  LoopCore::Lock lock(core());
  ApplyParams(a, b);
}

void WatcherBase::SetKeepalive(bool keep) {
  if (keep == Has(kKeepalive)) return;
  Set(kKeepalive, keep);
  if (!Usable() || !Has(kCounted)) return;
  LoopCore::Lock lock(core());
  if (keep && Has(kUnrefed)) {
    core()->EvRef();
    Set(kUnrefed, false);
  } else if (!keep && !Has(kUnrefed)) {
    core()->EvUnref();
    Set(kUnrefed, true);
  }
}

void WatcherBase::RefreshNowOutsideCallbacks() {
  if (!core()->InCallback()) ev_now_update(core()->loop());
}

void WatcherBase::SyncActivity() {
  bool active = ev_is_active(w());
  if (Has(kCounted) && !active) NoteStopped(true);
  if (!Has(kCounted) && active) NoteStarted();
  Publish();
}

void WatcherBase::NoteStarted() {
  Set(kCounted, true);
  core()->NoteActive(+1);
  core()->NoteLibevStarted();
  if (!Has(kKeepalive)) {
    core()->EvUnref();
    Set(kUnrefed, true);
  }
}

void WatcherBase::NoteStopped(bool libevDidIt) {
  Set(kCounted, false);
  core()->NoteActive(-1);
  core()->NoteLibevStopped();
  // libev's own stop did an ev_unref on top of ours: give ours back.
  if (libevDidIt && Has(kUnrefed)) {
    core()->EvRef();
    Set(kUnrefed, false);
  }
}

// Blocking: the JS thread, inside ev_invoke_pending. Attached: the loop
// thread, which must not touch the books or the state bytes (JS thread only):
// Collect does that on the JS thread.
void WatcherBase::Trampoline(struct ev_loop*, ev_watcher* w, int revents) noexcept {
  WatcherBase* self = Of(w);
  LoopCore* core = self->core();
  if (core == nullptr) return;
  self->recorded_ = self->Has(kQueued) ? self->recorded_ | revents : revents;
  self->Set(kQueued, true);
  core->Record(self, revents);
}

int WatcherBase::Collect(int revents, bool queuedForJs) noexcept {
  if (Has(kCounted) && !ev_is_active(w())) NoteStopped(true);
  if ((revents & EV_ERROR) != 0) revents = OnErrorEvent(revents);
  recorded_ = revents;
  if (queuedForJs) {
    // JS delivers it from the batch and clears the queued bit as it does.
    Set(kQueued, false);
    if (uint8_t* state = env()->StateBytes()) state[index_] |= kStateQueued;
  }
  Publish();
  return revents;
}

bool WatcherBase::Deliver() noexcept {
  if (!Has(kQueued)) return false;  // stopped since it was recorded
  Set(kQueued, false);
  Publish();
  return true;
}

void WatcherBase::Undeliver() {
  Set(kQueued, false);
  Publish();
}

void WatcherBase::ReleaseIfIdle() {
  if (persistent_) return;
  uint8_t* state = env()->StateBytes();
  if (state != nullptr && state[index_] != 0) return;
  if (Usable() && (ev_is_active(w()) || ev_is_pending(w()) || Has(kQueued))) return;
  Leave();
  delete this;
}

}  // namespace evkit
