#include "loop_core.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <unistd.h>
#ifdef __linux__
#include <sys/eventfd.h>
#endif

#include "env_state.h"
#include "registry.h"
#include "watcher.h"

namespace evkit {
namespace {

thread_local LoopCore* tlsRunning = nullptr;

constexpr ev_tstamp kHeartbeatInterval = 0.1;

// libev creates its wake-up fd when the first async watcher starts and, if
// that fails (EMFILE), retries forever through the syserr hook. Check that one
// can be had before letting libev try (libev tries an eventfd first).
bool CanCreateWakeupFd(int* err) {
#ifdef __linux__
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) {
    *err = errno;
    return false;
  }
  close(fd);
#else
  int fds[2];
  if (pipe(fds) != 0) {
    *err = errno;
    return false;
  }
  close(fds[0]);
  close(fds[1]);
#endif
  return true;
}

}  // namespace

LoopCore* CurrentlyRunning() { return tlsRunning; }

LoopCore::LoopCore(EnvState* env, struct ev_loop* loop, bool owns)
    : env_(env), envHold_(env->shared_from_this()), loop_(loop), owns_(owns) {
  env_->cores.insert(this);
  env_->counts.loopsCreated++;
}

LoopCore::~LoopCore() {
  // Reached only after Destroy(): every owner of the shared_ptr is gone.
  env_->cores.erase(this);
  env_->counts.loopsFreed++;
}

std::shared_ptr<LoopCore> LoopCore::Create(EnvState* env, unsigned flags,
                                           std::string* error) {
  int err = 0;
  if (!CanCreateWakeupFd(&err)) {
    *error = std::string("cannot create the loop's wake-up fd: ") + std::strerror(err);
    return nullptr;
  }
  struct ev_loop* loop = ev_loop_new(flags);
  if (loop == nullptr) {
    *error = "ev_loop_new failed";
    return nullptr;
  }
  std::shared_ptr<LoopCore> core(new LoopCore(env, loop, true));
  ev_set_userdata(loop, core.get());
  core->StartInternalWatchers();
  registry::Add(loop, env, core);
  return core;
}

std::shared_ptr<LoopCore> LoopCore::WrapForeign(EnvState* env, struct ev_loop* loop) {
  std::shared_ptr<LoopCore> core(new LoopCore(env, loop, false));
  core->StartInternalWatchers();
  return core;
}

void LoopCore::StartInternalWatchers() {
  // The drain prepare is started first so that user prepares, started later,
  // run before it (libev invokes one priority's pending watchers LIFO).
  ev_prepare_init(&drainPrepare_, OnDrainPrepare);
  drainPrepare_.data = this;
  ev_prepare_start(loop_, &drainPrepare_);
  ev_unref(loop_);

  ev_async_init(&wake_, OnWake);
  wake_.data = this;
  ev_async_start(loop_, &wake_);
  ev_unref(loop_);

  ev_timer_init(&timer0_, OnTimer0, 0., 0.);
  timer0_.data = this;
  ev_timer_init(&heartbeat_, OnHeartbeat, kHeartbeatInterval, kHeartbeatInterval);
  heartbeat_.data = this;
}

void LoopCore::StopInternalWatchers() {
  // Internal watchers were unref'd after start: re-ref before each stop.
  if (ev_is_active(&drainPrepare_)) {
    ev_ref(loop_);
    ev_prepare_stop(loop_, &drainPrepare_);
  }
  if (ev_is_active(&wake_)) {
    ev_ref(loop_);
    ev_async_stop(loop_, &wake_);
  }
  if (ev_is_active(&timer0_)) {
    ev_ref(loop_);
    ev_timer_stop(loop_, &timer0_);
  }
  StopHeartbeat();
}

void LoopCore::SetOwner(napi_value owner) {
  if (owner_ != nullptr) napi_delete_reference(env_->env(), owner_);
  napi_create_reference(env_->env(), owner, 0, &owner_);
}

napi_value LoopCore::Owner() const {
  napi_value value = nullptr;
  if (owner_ != nullptr) napi_get_reference_value(env_->env(), owner_, &value);
  return value;
}

int LoopCore::Run(int flags) {
  auto keep = shared_from_this();
  LoopCore* previous = tlsRunning;
  tlsRunning = this;
  if (runDepth_++ == 0 && !env_->isMainThread) StartHeartbeat();
  int result = ev_run(loop_, flags);
  if (--runDepth_ == 0) StopHeartbeat();
  tlsRunning = previous;
  if (runDepth_ == 0 && destroyRequested_ && loop_ != nullptr) FinishDestroy();
  return result;
}

void LoopCore::Break(int how) {
  if (!destroyed()) ev_break(loop_, how);
}

void LoopCore::Destroy() {
  if (loop_ == nullptr || destroyRequested_) return;
  destroyRequested_ = true;
  auto keep = shared_from_this();
  if (owns_) registry::Remove(loop_);
  std::vector<WatcherBase*> watchers;
  watchers.swap(watchers_);
  for (WatcherBase* w : watchers) w->DetachFromLoop();
  if (callbacksQueued_) {
    ev_unref(loop_);
    callbacksQueued_ = false;
  }
  StopInternalWatchers();
  if (runDepth_ > 0) {
    // ev_run is on the stack (destroy() from inside a callback): break out and
    // let Run() finish the job once ev_run has returned.
    ev_break(loop_, EVBREAK_ALL);
    return;
  }
  FinishDestroy();
}

void LoopCore::FinishDestroy() {
  if (owns_) {
    ev_set_userdata(loop_, nullptr);
    ev_loop_destroy(loop_);
  }
  loop_ = nullptr;
  env_->cores.erase(this);
  keepalive_ = 0;
  activeCount_ = 0;
  napi_env env = env_->env();
  if (owner_ != nullptr) napi_delete_reference(env, owner_);
  if (stashed_ != nullptr) napi_delete_reference(env, stashed_);
  owner_ = stashed_ = nullptr;
}

void LoopCore::EvRef() {
  ev_ref(loop_);
  ++keepalive_;
}

void LoopCore::EvUnref() {
  ev_unref(loop_);
  --keepalive_;
}

void LoopCore::SetCallbacksQueued(bool queued) {
  if (queued == callbacksQueued_ || destroyed()) return;
  callbacksQueued_ = queued;
  if (queued) {
    EvRef();
  } else {
    EvUnref();
  }
}

void LoopCore::Unregister(WatcherBase* w) {
  auto it = std::find(watchers_.begin(), watchers_.end(), w);
  if (it == watchers_.end()) return;
  *it = watchers_.back();
  watchers_.pop_back();
}

void LoopCore::NoteSyserr(const char* msg, int err) {
  if (!hasSyserr_) {  // keep the first: later ones are its echoes
    hasSyserr_ = true;
    syserrMsg_ = msg != nullptr ? msg : "(libev) system error";
    syserrErrno_ = err;
  }
  // Usually called from inside the backend poll, where an ev_break would be
  // overwritten (assert-enabled libev resets loop_done after the poll). Queue
  // the internal wake watcher instead: its callback breaks after the poll.
  if (loop_ != nullptr && ev_is_active(&wake_)) ev_feed_event(loop_, &wake_, EV_CUSTOM);
}

bool LoopCore::TakeSyserr(std::string* msg, int* err) {
  if (!hasSyserr_) return false;
  hasSyserr_ = false;
  *msg = syserrMsg_;
  *err = syserrErrno_;
  return true;
}

void LoopCore::StashException(napi_value exc) {
  if (stashed_ == nullptr && exc != nullptr) {
    napi_create_reference(env_->env(), exc, 1, &stashed_);
  }
  Break(EVBREAK_ONE);
}

napi_value LoopCore::TakeStashedException() {
  if (stashed_ == nullptr) return nullptr;
  napi_value value = nullptr;
  napi_get_reference_value(env_->env(), stashed_, &value);
  napi_delete_reference(env_->env(), stashed_);
  stashed_ = nullptr;
  return value;
}

void LoopCore::MarkJsDead() {
  jsDead_ = true;
  Break(EVBREAK_ALL);
}

void LoopCore::StartHeartbeat() {
  if (ev_is_active(&heartbeat_)) return;
  ev_timer_set(&heartbeat_, kHeartbeatInterval, kHeartbeatInterval);
  ev_timer_start(loop_, &heartbeat_);
  ev_unref(loop_);
}

void LoopCore::StopHeartbeat() {
  if (loop_ == nullptr || !ev_is_active(&heartbeat_)) return;
  ev_ref(loop_);
  ev_timer_stop(loop_, &heartbeat_);
}

void LoopCore::OnDrainPrepare(struct ev_loop* loop, ev_prepare* w, int) noexcept {
  auto* self = static_cast<LoopCore*>(w->data);
  if (!self->callbacksQueued_ || self->jsDead_ || self->env_->exiting) return;
  auto keep = self->shared_from_this();
  if (ev_is_active(&self->timer0_)) {
    ev_ref(loop);
    ev_timer_stop(loop, &self->timer0_);
  }
  napi_env env = self->env_->env();
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value owner = self->Owner();
  bool more = false;
  if (owner != nullptr) {
    napi_value thrown = nullptr;
    auto result = self->env_->CallDrain(owner, &more, &thrown);
    if (result == EnvState::CallResult::kThrew) self->StashException(thrown);
    if (result == EnvState::CallResult::kJsDead) self->MarkJsDead();
  }
  napi_close_handle_scope(env, scope);
  if (self->destroyed()) return;
  // Callbacks may have run for a while: poll with a fresh clock.
  ev_now_update(loop);
  if (more && !ev_is_active(&self->timer0_)) {
    ev_timer_set(&self->timer0_, 0., 0.);
    ev_timer_start(loop, &self->timer0_);
    ev_unref(loop);
  }
}

void LoopCore::OnTimer0(struct ev_loop* loop, ev_timer*, int) noexcept {
  // libev stopped this one-shot timer itself, which unref'd the loop a second
  // time (we unref'd after start): balance it.
  ev_ref(loop);
}

void LoopCore::OnWake(struct ev_loop* loop, ev_async* w, int) noexcept {
  auto* self = static_cast<LoopCore*>(w->data);
  if (self->hasSyserr_) ev_break(loop, EVBREAK_ALL);
}

void LoopCore::OnHeartbeat(struct ev_loop*, ev_timer* w, int) noexcept {
  auto* self = static_cast<LoopCore*>(w->data);
  if (self->jsDead_) return;
  if (self->env_->CallHeartbeat() == EnvState::CallResult::kJsDead) self->MarkJsDead();
}

}  // namespace evkit
