// LoopCore's attached mode: the loop thread, the hand-off of each batch to
// the JS thread, and the lock the JS thread takes for every libev call (see
// loop_core.h for the design).
#include <csignal>

#include "env_state.h"
#include "loop_core.h"
#include "watcher.h"

namespace evkit {
namespace {

// Set on a loop thread: the release/acquire callbacks and the invoke hook
// tell it from the JS thread running a pass of the same loop.
thread_local bool tlsOnLoopThread = false;

// A handle of Node's loop that runs `callback` in one of its phases, every
// turn, without keeping the loop alive (uv_prepare_t, uv_check_t).
template <class Handle, class Callback>
Handle* StartPhaseHandle(uv_loop_t* uv, int (*init)(uv_loop_t*, Handle*), int (*start)(Handle*, Callback),
                         Callback callback, void* data) {
  auto* handle = new Handle();
  init(uv, handle);  // cannot fail for these kinds
  handle->data = data;
  start(handle, callback);
  uv_unref(reinterpret_cast<uv_handle_t*>(handle));
  return handle;
}

// Closes a handle of Node's loop that Attach() made; it is freed once closed.
template <class Handle>
void CloseUvHandle(Handle** handle) {
  if (*handle == nullptr) return;
  uv_close(reinterpret_cast<uv_handle_t*>(*handle),
           [](uv_handle_t* closed) { delete reinterpret_cast<Handle*>(closed); });
  *handle = nullptr;
}

}  // namespace

// ---------------------------------------------------------------- attached mode

LoopCore::Lock::Lock(LoopCore* core, bool wake) : core_(core), wake_(wake) {
  if (core_->attached_ && !core_->invoking_ && !core_->jsHolds_) {
    pthread_mutex_lock(&core_->mutex_);
    core_->jsHolds_ = true;
    locked_ = true;
  } else if (wake && core_->direct_) {
    // The loop thread is in its poll, waiting on what it saw before: it
    // looks again once the delivery is over.
    core_->wakeAfterDelivery_ = true;
  }
}

LoopCore::Lock::~Lock() {
  if (!locked_) return;
  // A wake-up still pending (`sent`, cleared only by whoever holds the mutex)
  // makes the loop thread run another iteration after it takes the mutex, so
  // after this unlock: sending again would only cost a memory fence (a
  // thousand starts in a row sent a thousand).
  const bool wake = wake_ && core_->loop_ != nullptr && ev_is_active(&core_->wake_) &&
                    !ev_async_pending(&core_->wake_);
  core_->jsHolds_ = false;
  pthread_mutex_unlock(&core_->mutex_);
  // After the unlock, so that the woken loop thread finds the mutex free
  // instead of going back to sleep on it (ev_async_send is thread-safe; only
  // this thread stops wake_ or frees the loop).
  if (wake) ev_async_send(core_->loop_, &core_->wake_);
}

void LoopCore::ApiLock() {
  if (apiLockDepth_++ == 0) apiLock_.emplace(this, /*wake=*/true);
}

bool LoopCore::ApiUnlock() {
  if (apiLockDepth_ == 0) return false;
  if (--apiLockDepth_ == 0) apiLock_.reset();  // what was done under it is for the loop thread to see
  return true;
}

bool LoopCore::Attach(std::string* error) {
  if (attached_) return true;
  if (!owns_) {
    *error = "a loop wrapped from a foreign pointer cannot be attached";
    return false;
  }
  if (runDepth_ > 0) {
    // ev_run is on this thread's stack: a second one on the loop thread
    // would be a recursion libev aborts on.
    *error = "attach() from inside a blocking run() of the same loop";
    return false;
  }
  napi_env env = env_->env();
  uv_loop_t* uvLoop = nullptr;
  if (napi_get_uv_event_loop(env, &uvLoop) != napi_ok || uvLoop == nullptr) {
    *error = "no Node event loop on this thread";
    return false;
  }
  uvAsync_ = new uv_async_t();
  if (uv_async_init(uvLoop, uvAsync_, OnUvAsync) != 0) {
    delete uvAsync_;
    uvAsync_ = nullptr;
    *error = "uv_async_init failed";
    return false;
  }
  uvAsync_->data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(uvAsync_));
  uvRefed_ = false;
  jsMayPoll_.store(true);
  uvPrepare_ = StartPhaseHandle(uvLoop, uv_prepare_init, uv_prepare_start, &OnUvPrepare, this);
  uvCheck_ = StartPhaseHandle(uvLoop, uv_check_init, uv_check_start, &OnUvCheck, this);
  if (asyncContext_ == nullptr) {
    napi_value resource, name;
    napi_create_object(env, &resource);
    napi_create_string_utf8(env, "evkit.Loop", NAPI_AUTO_LENGTH, &name);
    napi_async_init(env, resource, name, &asyncContext_);
  }
  // The loop thread must never stop on its own: an extra reference keeps its
  // ev_run going while nothing is active (it blocks in the kernel instead).
  ev_ref(loop_);
  ev_now_update(loop_);
  stopping_ = false;
  attached_ = true;
  attachEpoch_++;
  // Like a referenced Node handle, an attached loop lives until it is detached
  // or destroyed, whether or not JS still references it.
  if (owner_ != nullptr) napi_reference_ref(env, owner_, nullptr);
  thread_ = std::thread(LoopThreadMain, this);
  SyncUvRef();
  for (auto& extension : extensions_) extension.second->OnAttach(uvAsync_);
  return true;
}

void LoopCore::Detach() {
  if (!attached_) return;
  StopThread();
}

// From JS outside a delivery, or inside one (a callback, or a promise
// continuation settled between callbacks): then this thread holds mutex_ for
// JsInvoke and the loop thread waits in OnInvokePending for the delivery to
// end, so the lock is handed over for the join and taken back for JsInvoke.
void LoopCore::StopThread() {
  if (!attached_) return;
  const bool inDelivery = invoking_;
  if (!inDelivery) pthread_mutex_lock(&mutex_);
  stopping_ = true;
  if (ev_is_active(&wake_)) ev_async_send(loop_, &wake_);
  pthread_cond_signal(&deliveredCv_);
  pthread_cond_broadcast(&blockedCv_);
  pthread_mutex_unlock(&mutex_);
  if (thread_.joinable()) thread_.join();
  if (inDelivery) pthread_mutex_lock(&mutex_);
  // Single-threaded again.
  CloseGraveyard();
  attached_ = false;
  stopping_ = false;
  handoff_ = false;
  reifyDue_ = false;  // whoever runs the loop next checks before its fd_reify
  if (inDelivery) Requeue(&delivering_, deliveringNext_);
  Requeue(&batch_, 0);
  for (auto& extension : extensions_) extension.second->OnDetach(loop_);
  if (!posts_.empty()) PollWithoutBlocking();  // whoever runs the loop next runs them
  ev_unref(loop_);
  CloseUvHandle(&uvAsync_);
  CloseUvHandle(&uvPrepare_);
  CloseUvHandle(&uvCheck_);
  uvRefed_ = false;
  // Inside a delivery the context is in use by the callback on the stack; it
  // is kept for the next attach() (FinishDestroy releases it).
  if (asyncContext_ != nullptr && !inDelivery) {
    napi_async_destroy(env_->env(), asyncContext_);
    asyncContext_ = nullptr;
  }
  if (owner_ != nullptr) napi_reference_unref(env_->env(), owner_, nullptr);
}

void LoopCore::LoopThreadMain(LoopCore* core) {
  // Signals are for Node's threads (libuv, evkit's chained handlers).
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  tlsOnLoopThread = true;
  SetCurrentlyRunning(core);
  core->loopThread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  pthread_mutex_lock(&core->mutex_);
  while (!core->stopping_) ev_run(core->loop_, 0);
  core->loopThread_.store(std::thread::id(), std::memory_order_relaxed);
  pthread_cond_broadcast(&core->blockedCv_);
  pthread_mutex_unlock(&core->mutex_);
  SetCurrentlyRunning(nullptr);
}

// Around every poll of an owned loop. Off the loop thread (a blocking run, or
// the JS thread's passes, which hold mutex_ throughout) they only time it.
void LoopCore::OnRelease(struct ev_loop* loop) noexcept {
  auto* self = static_cast<LoopCore*>(ev_userdata(loop));
  self->releasedAt_ = uv_hrtime();
  // fd_reify has just run (libev calls this right before the poll).
  self->reifications_++;
  self->reifyDue_ = false;
  self->forkNotReified_ = false;
  if (!tlsOnLoopThread) return;
  pthread_cond_broadcast(&self->blockedCv_);
  pthread_mutex_unlock(&self->mutex_);
}

void LoopCore::OnAcquire(struct ev_loop* loop) noexcept {
  auto* self = static_cast<LoopCore*>(ev_userdata(loop));
  if (tlsOnLoopThread) pthread_mutex_lock(&self->mutex_);
  self->pollNs_ += uv_hrtime() - self->releasedAt_;
}

// Blocking: the JS thread inside Run(). Attached: the loop thread, mutex_ held.
// Either way this thread's running loop is this one (a foreign loop's userdata
// is its owner's, not evkit's).
void LoopCore::OnInvokePending(struct ev_loop* loop) noexcept {
  LoopCore* self = CurrentlyRunning();
  if (self == nullptr || self->loop_ != loop) {
    ev_invoke_pending(loop);
    return;
  }
  if (!tlsOnLoopThread && self->jsPass_) {
    self->InvokeOnJsThread();
    return;
  }
  if (!self->attached_) {
    self->InvokeBlocking();
    return;
  }
  self->handoffPostPoll_ = ev_is_pending(&self->postPoll_);
  // Callbacks may make watchers pending (feed(), io's closingFd): those run
  // before the loop blocks, as they do inside a blocking run's ev_invoke_pending.
  while (!self->stopping_) {
    ev_invoke_pending(loop);  // internal watchers run here; user ones are recorded
    if (self->NothingToDeliver()) break;
    self->handoff_ = true;
    pthread_cond_broadcast(&self->blockedCv_);
    self->WakeJsForHandoff();
    while (self->handoff_ && !self->stopping_) {
      pthread_cond_wait(&self->deliveredCv_, &self->mutex_);
    }
    if (ev_pending_count(loop) == 0) break;
  }
  if (self->stopping_) {
    // Collect what is still pending (the wake-up pipe's own watcher among
    // it) so that nothing of this iteration is left for the next run() to
    // find at its start: user events land in batch_, which StopThread feeds
    // back to be delivered by whatever runs the loop next.
    ev_invoke_pending(loop);
    // In the fork or prepare phase of a reinit's iteration: go on to its end
    // without blocking (libev's re-initialisation comes first), and break there.
    if (self->forkNotReified_) {
      self->PollWithoutBlocking();
      return;
    }
    // ev_break must come from this thread: from another one, assert-enabled
    // libev overwrites it after the poll.
    ev_break(loop, EVBREAK_ALL);
  }
}

void LoopCore::AwaitReify() {
  if (!attached_ || invoking_ || loop_ == nullptr) return;
  const bool locked = !jsHolds_;
  if (locked) pthread_mutex_lock(&mutex_);
  if (reifyDue_ && !stopping_ && !handoff_ && ev_is_active(&wake_)) {
    ev_async_send(loop_, &wake_);
    WaitForReify();
  }
  if (locked) pthread_mutex_unlock(&mutex_);
}

// The loop thread goes on to its next fd_reify without running JS, unless it
// hands off again first (a delivery then delivers that batch: JsInvoke) or stops.
void LoopCore::WaitForReify() {
  while (reifyDue_ && attached_ && !stopping_ && !handoff_) pthread_cond_wait(&blockedCv_, &mutex_);
}

void LoopCore::NotifyAfterJs() noexcept {
  if (loop_ == nullptr || destroyRequested_) return;
  for (auto& extension : extensions_) extension.second->AfterJs(loop_);
}

void LoopCore::Record(WatcherBase* w, int revents) {
  batch_.push_back(Delivery{w, revents});
  if (!attached_) RecordedBlocking();
}

void LoopCore::DeliverOne(WatcherBase* w, int revents) noexcept {
  double id = w->id();
  if (!w->Deliver()) return;  // stopped since it was recorded
  napi_env env = env_->env();
  if (!jsDead_ && !env_->exiting) {
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) == napi_ok) {
      napi_value argv[2], result;
      napi_create_double(env, id, &argv[0]);
      napi_create_int32(env, revents, &argv[1]);
      w->BeforeJsDelivery();
      if (CallJs(env_->dispatch(), nullptr, 2, argv, &result, ContextOf(w)) == CallResult::kJsDead) MarkJsDead();
      napi_close_handle_scope(env, scope);
    }
  }
  // The callback may have stopped, restarted, closed or destroyed anything.
  if (WatcherBase* again = env_->watchers.Find(id)) {
    again->AfterJsDelivery();
    again->ReleaseIfIdle();
  }
}

// The watcher may be freed right after: no entry may point at it.
void LoopCore::Forget(WatcherBase* w) {
  for (Delivery& d : batch_) {
    if (d.watcher == w) d.watcher = nullptr, d.revents = -1;
  }
  for (size_t i = deliveringNext_; i < delivering_.size(); i++) {
    Delivery& d = delivering_[i];
    if (d.watcher == w) d.watcher = nullptr, d.revents = -1;
  }
  if (blockingBatch_ != nullptr) {
    for (Delivery& d : *blockingBatch_) {
      if (d.watcher == w) d.watcher = nullptr, d.revents = -1;
    }
  }
}

void LoopCore::Requeue(std::vector<Delivery>* deliveries, size_t from) {
  bool any = false;
  // Feed first, then settle: a watcher recorded twice gets both events OR-ed
  // into one pending event, as libev does.
  for (size_t i = from; i < deliveries->size(); i++) {
    const Delivery& d = (*deliveries)[i];
    // A stopped or forgotten watcher, or the drain (its queue stays).
    if (d.watcher == nullptr || !d.watcher->Has(WatcherBase::kQueued)) continue;
    ev_feed_event(loop_, d.watcher->w(), d.revents);
    any = true;
  }
  for (size_t i = from; i < deliveries->size(); i++) {
    WatcherBase* w = (*deliveries)[i].watcher;
    if (w != nullptr && w->Has(WatcherBase::kQueued)) w->Undeliver();  // also re-pins
  }
  deliveries->clear();
  // They run at the start of the next iteration: its poll must not block
  // (run({ once }) handles them and returns).
  if (any) PollWithoutBlocking();
}

void LoopCore::OnUvAsync(uv_async_t* handle) {
  static_cast<LoopCore*>(handle->data)->JsInvoke();
}

void LoopCore::WakeJsForHandoff() {
  if (jsMayPoll_.load()) uv_async_send(uvAsync_);
}

// Node's prepare phase, right before its poll: a hand-off posted while this
// thread ran is delivered now instead of by a wake-up from the poll.
void LoopCore::OnUvPrepare(uv_prepare_t* handle) {
  auto* self = static_cast<LoopCore*>(handle->data);
  self->jsMayPoll_.store(true);
  if (self->handoff_.load()) self->JsInvoke();
}

void LoopCore::OnUvCheck(uv_check_t* handle) {
  static_cast<LoopCore*>(handle->data)->jsMayPoll_.store(false);
}

size_t LoopCore::DeliverRecorded() noexcept {
  delivering_.swap(batch_);
  deliveringNext_ = 0;
  // The books and the state bytes JS reads catch up with the whole batch
  // before its first callback, as in a blocking run.
  for (Delivery& d : delivering_) {
    if (d.watcher != nullptr && d.watcher->Has(WatcherBase::kQueued)) {
      d.revents = d.watcher->Collect(d.revents, /*queuedForJs=*/false);
    }
  }
  size_t ran = 0;
  // detach() from one of these callbacks feeds the rest back to libev
  // (StopThread), which ends this loop.
  while (deliveringNext_ < delivering_.size() && !destroyRequested_) {
    const Delivery d = delivering_[deliveringNext_++];
    if (d.watcher != nullptr) {
      DeliverOne(d.watcher, d.revents);
      ran++;
    } else if (d.revents != -1) {
      RunDrain();
      ran++;
    }
  }
  delivering_.clear();
  ran += DeliverPosts();
  NotifyAfterJs();
  return ran;
}

// JS thread: deliver the batch the loop thread is waiting on, then run the
// loop here while that pays (loop_js_pass.cc).
void LoopCore::JsInvoke() {
  auto keep = shared_from_this();
  pthread_mutex_lock(&mutex_);
  // Sends from other threads that woke this thread rather than the loop's.
  // During a hand-off they join its batch; otherwise they are delivered here.
  for (auto& extension : extensions_) extension.second->RecordDirect();
  bool wakeLoopThread = !handoff_ && !batch_.empty() && attached_ && !stopping_ && DeliverDirect();
  while (handoff_) {
    invoking_ = true;
    const uint64_t epoch = attachEpoch_;
    if (DeliverRecorded() > 0 && handoffPostPoll_) RunJsPasses(epoch);
    invoking_ = false;
    handoff_ = false;
    pthread_cond_signal(&deliveredCv_);
    WaitForReify();
  }
  bool failed = hasSyserr_ && stopping_;
  wakeLoopThread = wakeLoopThread && attached_ && !stopping_ && !destroyRequested_;
  pthread_mutex_unlock(&mutex_);
  // After the unlock, as in ~Lock (only this thread stops wake_ or frees the loop).
  if (wakeLoopThread) ev_async_send(loop_, &wake_);
  if (destroyRequested_ && loop_ != nullptr) {
    FinishDestroy();
    return;
  }
  if (failed) {
    ReportAttachedSyserr();
    return;
  }
  if (attached_) MaybeSettle();
}

bool LoopCore::DeliverDirect() noexcept {
  // What a hand-off's iteration would have done first: callbacks see the
  // current time (libev's cached one is from before the poll).
  ev_now_update(loop_);
  invoking_ = true;
  direct_ = true;
  wakeAfterDelivery_ = false;
  DeliverRecorded();
  invoking_ = false;
  direct_ = false;
  // A callback started a watcher on an fd the loop registers only at its next
  // fd_reify: Node code may not run on before that (ReifyBeforeJsGoesOn).
  if (reifyDue_ && attached_ && !stopping_) {
    ev_async_send(loop_, &wake_);
    WaitForReify();
    return false;
  }
  return wakeAfterDelivery_;
}

void LoopCore::SetWantSettle(bool want) {
  if (want == wantSettle_) return;
  wantSettle_ = want;
  SyncUvRef();
}

void LoopCore::MaybeSettle() {
  if (!wantSettle_ || keepalive_ != 0 || jsDead_ || env_->exiting) return;
  napi_env env = env_->env();
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value owner = Owner();
  if (owner != nullptr) {
    wantSettle_ = false;
    SyncUvRef();
    napi_value result;
    if (CallJs(env_->settle(), owner, 0, nullptr, &result) == CallResult::kJsDead) MarkJsDead();
  }
  napi_close_handle_scope(env, scope);
}

// The loop thread stopped on a system error from libev (a failing backend).
// JS reports it as a callback error of an attached loop (the syserr hook gets
// the message and errno, and detaches); the loop is left detached either way.
void LoopCore::ReportAttachedSyserr() {
  auto keep = shared_from_this();
  if (!jsDead_ && !env_->exiting) {
    napi_env env = env_->env();
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) == napi_ok) {
      napi_value owner = Owner();
      napi_value result;
      std::string msg = "(libev) system error";
      int err = 0;
      TakeSyserr(&msg, &err);
      napi_value argv[2];
      napi_create_string_utf8(env, msg.c_str(), msg.size(), &argv[0]);
      napi_create_int32(env, err, &argv[1]);
      if (owner != nullptr &&
          CallJs(env_->syserr(), owner, 2, argv, &result) == CallResult::kJsDead) {
        MarkJsDead();
      }
      napi_close_handle_scope(env, scope);
    }
  }
  if (loop_ != nullptr && !destroyRequested_) StopThread();
}

}  // namespace evkit
