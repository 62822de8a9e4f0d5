#include "loop_core.h"

#include <algorithm>
#include <cstdint>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <unistd.h>
#ifdef __linux__
#include <sys/eventfd.h>
#endif

#include "env_state.h"
#include "internal_watcher.h"
#include "registry.h"
#include "watcher.h"

namespace evkit {
namespace {

thread_local LoopCore* tlsRunning = nullptr;
thread_local LoopCore* tlsDestroying = nullptr;

constexpr ev_tstamp kHeartbeatInterval = 0.1;
// Internal "one-shot" timers repeat with this period and stop themselves in
// their callbacks: a timer libev stops by itself is counted as stopped before
// its callback runs, and for an unref'd one that dips libev's active count
// below what ev_verify accepts.
constexpr ev_tstamp kSelfStopping = 1e9;

// libev creates its wake-up fd when the first async watcher starts (and again
// after ev_loop_fork) and, if that fails (EMFILE), retries forever through the
// syserr hook. Check that one can be had right before letting libev try
// (libev tries an eventfd first).
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
LoopCore* DestroyingHere(struct ev_loop* loop) {
  return tlsDestroying != nullptr && tlsDestroying->loop() == loop ? tlsDestroying : nullptr;
}
void SetCurrentlyRunning(LoopCore* core) { tlsRunning = core; }

// ---------------------------------------------------------------- lifecycle

LoopCore::LoopCore(EnvState* env, struct ev_loop* loop, bool owns, unsigned flags)
    : env_(env), envHold_(env->shared_from_this()), loop_(loop), owns_(owns), flags_(flags),
      jsThread_(std::this_thread::get_id()) {
  pthread_mutex_init(&mutex_, nullptr);
  pthread_cond_init(&deliveredCv_, nullptr);
  pthread_cond_init(&blockedCv_, nullptr);
  env_->cores.insert(this);
  index_ = env_->loops.Add(this);
  env_->counts.loopsCreated++;
}

double LoopCore::id() const { return env_->loops.IdOf(index_); }

LoopCore::~LoopCore() {
  // Reached only after Destroy(): every owner of the shared_ptr is gone.
  env_->cores.erase(this);
  env_->loops.Remove(index_);
  env_->counts.loopsFreed++;
  pthread_cond_destroy(&deliveredCv_);
  pthread_cond_destroy(&blockedCv_);
  pthread_mutex_destroy(&mutex_);
}

std::shared_ptr<LoopCore> LoopCore::Create(EnvState* env, unsigned flags, int* err) {
  *err = 0;
  errno = 0;
  struct ev_loop* loop = ev_loop_new(flags);
  if (loop == nullptr) {
    *err = errno;  // the backend's own fd (epoll_create1 ...), when that failed
    return nullptr;
  }
  // After the backend took its fd: the wake-up fd is made in
  // StartInternalWatchers, and libev would spin if it cannot be had.
  if (!CanCreateWakeupFd(err)) {
    ev_loop_destroy(loop);
    return nullptr;
  }
  std::shared_ptr<LoopCore> core(new LoopCore(env, loop, true, flags));
  ev_set_userdata(loop, core.get());
  ev_set_invoke_pending_cb(loop, OnInvokePending);
  // Times the poll in every mode (loop.stats()); attached, it also hands the
  // loop lock over around the poll.
  ev_set_loop_release_cb(loop, OnRelease, OnAcquire);
  core->StartInternalWatchers();
  registry::Add(loop, env, core);
  return core;
}

std::shared_ptr<LoopCore> LoopCore::WrapForeign(EnvState* env, struct ev_loop* loop) {
  std::shared_ptr<LoopCore> core(new LoopCore(env, loop, false, 0));
  core->StartInternalWatchers();
  return core;
}

void LoopCore::StartInternalWatchers() {
  // The drain prepare is started first so that user prepares, started later,
  // run before it (libev invokes one priority's pending watchers LIFO).
  ev_prepare_init(&drainPrepare_, OnDrainPrepare);
  drainPrepare_.data = this;
  StartInternal(loop_, &drainPrepare_, ev_prepare_start);

  ev_async_init(&wake_, OnWake);
  wake_.data = this;
  StartInternal(loop_, &wake_, ev_async_start);

  ev_timer_init(&timer0_, OnTimer0, 0., 0.);
  timer0_.data = this;
  ev_check_init(&postPoll_, [](struct ev_loop*, ev_check*, int) noexcept {});
  StartInternal(loop_, &postPoll_, ev_check_start);
  ev_timer_init(&heartbeat_, OnHeartbeat, kHeartbeatInterval, kHeartbeatInterval);
  heartbeat_.data = this;
  ev_fork_init(&forkSeen_, OnForkSeen);
  forkSeen_.data = this;
  ev_timer_init(&forkRepair_, OnForkRepair, 0., 0.);
  forkRepair_.data = this;
}

void LoopCore::StopInternalWatchers() {
  StopInternal(loop_, &drainPrepare_, ev_prepare_stop);
  // While a loop thread runs, wake_ is how it is told to stop: FinishDestroy
  // stops wake_ after joining the thread.
  if (!attached_) StopInternal(loop_, &wake_, ev_async_stop);
  StopInternal(loop_, &timer0_, ev_timer_stop);
  StopInternal(loop_, &postPoll_, ev_check_stop);
  StopHeartbeat();
  StopForkRepair();
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

bool LoopCore::Suspend() {
  if (destroyed() || suspended_ || runDepth_ > 0) return false;
  resumeAttached_ = attached_;
  if (attached_) StopThread();
  suspended_ = true;
  // Inside a pass the JS thread runs, ev_run is on this stack: libev suspends
  // once it has unwound (RunJsPasses).
  if (jsPassRuns_ > 0) {
    suspendAfterPass_ = true;
  } else {
    ev_suspend(loop_);
  }
  return true;
}

bool LoopCore::Resume(std::string* error) {
  if (!suspended_ || destroyed()) return false;
  if (suspendAfterPass_) {
    suspendAfterPass_ = false;
  } else {
    ev_resume(loop_);
  }
  suspended_ = false;
  if (!resumeAttached_) return true;
  resumeAttached_ = false;
  return Attach(error);
}

void LoopCore::Destroy() {
  if (loop_ == nullptr || destroyRequested_) return;
  if (suspended_) {
    if (!suspendAfterPass_) ev_resume(loop_);
    suspendAfterPass_ = false;
    suspended_ = false;
    resumeAttached_ = false;
  }
  destroyRequested_ = true;
  auto keep = shared_from_this();
  if (owns_) registry::Remove(loop_);
  // Outside a delivery the loop thread can be joined now; inside one it is
  // waiting for this very delivery, so JsInvoke() finishes the job.
  if (attached_ && !invoking_) StopThread();
  {
    Lock lock(this);
    for (WatcherBase* w : Watchers()) {
      w->DetachFromLoop();
      // A transient watcher's native half exists only in its loop.
      if (!w->persistent()) delete w;
    }
    for (auto& extension : extensions_) extension.second->Retire(loop_);
    batch_.clear();
    if (callbacksQueued_) {
      ev_unref(loop_);
      callbacksQueued_ = false;
    }
    StopInternalWatchers();
  }
  if (invoking_) return;
  if (runDepth_ > 0) {
    // ev_run is on this stack (destroy() from inside a callback of a blocking
    // run): break out and let Run() finish once ev_run has returned.
    ev_break(loop_, EVBREAK_ALL);
    return;
  }
  FinishDestroy();
}

void LoopCore::FinishDestroy() {
  if (attached_) StopThread();
  DestroyRetiredContexts();
  if (asyncContext_ != nullptr) {
    napi_async_destroy(env_->env(), asyncContext_);
    asyncContext_ = nullptr;
  }
  StopInternalWatchers();
  CloseGraveyard();
  if (owns_) {
    ev_set_userdata(loop_, nullptr);
    // Runs other addons' cleanup watchers, which may still post.
    tlsDestroying = this;
    ev_loop_destroy(loop_);
    tlsDestroying = nullptr;
  }
  loop_ = nullptr;
  FlushPosts();
  env_->cores.erase(this);
  keepalive_ = 0;
  activeCount_ = 0;
  napi_env env = env_->env();
  if (owner_ != nullptr) napi_delete_reference(env, owner_);
  if (stashed_ != nullptr) napi_delete_reference(env, stashed_);
  if (batchArray_ != nullptr) napi_delete_reference(env, batchArray_);
  owner_ = stashed_ = batchArray_ = nullptr;
  batchData_ = nullptr;
  batchCapacity_ = 0;
}

// ---------------------------------------------------------------- reinit

// libev queues fork watchers at the start of an iteration, runs the prepare
// phase, then re-initialises the kernel state and clears its fork flag. A
// reinit() made during the prepare phase (a Prepare callback, a runCallback,
// or while an attached loop's thread waits for such a batch) would therefore
// be consumed without running any fork watcher. Two unref'd internal watchers
// repair that: forkSeen_ notes that fork watchers were queued, and the 0 s
// timer forkRepair_ (which also keeps that iteration's poll from blocking)
// asks again when they were not. forkSeen_ stops both, so fork watchers run
// once per reinit, on the next iteration.
int LoopCore::Reinit() {
  int err = 0;
  if (!CanCreateWakeupFd(&err)) return err;
  Lock lock(this, /*wake=*/true);
  // From a fork callback, whose phase forkSeen_ has not finished yet: libev
  // consumes this request in the same iteration, so forkSeen_ must leave the
  // repair armed this once.
  if (ev_is_pending(&forkSeen_)) reinitInForkPhase_ = true;
  StartInternal(loop_, &forkSeen_, ev_fork_start);
  StopInternal(loop_, &forkRepair_, ev_timer_stop);  // re-armed at 0 s
  ev_timer_set(&forkRepair_, 0., kSelfStopping);
  StartInternal(loop_, &forkRepair_, ev_timer_start);
  ev_loop_fork(loop_);
  return 0;
}

void LoopCore::Verify() {
  Lock lock(this);
  SettleCounts(/*all=*/true);
  ev_verify(loop_);
}

void LoopCore::SettleCounts(bool all) {
  Lock lock(this);
  // In place: settling neither adds nor removes watchers.
  for (uint32_t index : watchers_) {
    WatcherBase* w = env_->watchers.At(index);
    if (w == nullptr || !w->Has(WatcherBase::kCounted) || ev_is_active(w->w())) continue;
    if (attached_ && !all && w->Has(WatcherBase::kQueued)) continue;
    w->NoteStopped(true);
    w->Publish();
  }
}

void LoopCore::StopForkRepair() {
  if (loop_ == nullptr) return;
  StopInternal(loop_, &forkSeen_, ev_fork_stop);
  StopInternal(loop_, &forkRepair_, ev_timer_stop);
}

// Both run natively, on whichever thread runs the loop.
void LoopCore::OnForkSeen(struct ev_loop*, ev_fork* w, int) noexcept {
  auto* self = static_cast<LoopCore*>(w->data);
  self->forkNotReified_ = true;
  if (self->reinitInForkPhase_) {
    self->reinitInForkPhase_ = false;
    return;
  }
  self->StopForkRepair();
}

void LoopCore::OnForkRepair(struct ev_loop* loop, ev_timer*, int) noexcept {
  // No fork watchers ran since the reinit (forkSeen_ would have stopped this
  // timer): request them again. Harmless when the request is still pending.
  // The timer stays active (kSelfStopping) until forkSeen_ stops both.
  ev_loop_fork(loop);
}

// ---------------------------------------------------------------- blocking run

int LoopCore::Run(int flags) {
  auto keep = shared_from_this();
  // A foreign loop gets evkit's batching hook only while evkit runs it.
  if (!owns_) ev_set_invoke_pending_cb(loop_, OnInvokePending);
  LoopCore* previous = tlsRunning;
  tlsRunning = this;
  // A run() from a callback of a pass the JS thread runs for an attached loop
  // (after detach()) is a plain blocking run: its hook delivers as such.
  const bool inJsPass = jsPass_;
  jsPass_ = false;
  if (runDepth_++ == 0 && !env_->isMainThread) StartHeartbeat();
  int result = ev_run(loop_, flags);
  jsPass_ = inJsPass;
  if (!owns_ && loop_ != nullptr) ev_set_invoke_pending_cb(loop_, ev_invoke_pending);
  if (--runDepth_ == 0) StopHeartbeat();
  tlsRunning = previous;
  if (runDepth_ == 0 && destroyRequested_ && loop_ != nullptr) FinishDestroy();
  return result;
}

void LoopCore::Break(int how) {
  // An attached loop's thread never stops on break(): runAsync() settles in JS.
  if (!destroyed() && !attached_) ev_break(loop_, how);
}

void LoopCore::StartHeartbeat() {
  if (ev_is_active(&heartbeat_)) return;
  ev_timer_set(&heartbeat_, kHeartbeatInterval, kHeartbeatInterval);
  StartInternal(loop_, &heartbeat_, ev_timer_start);
}

void LoopCore::StopHeartbeat() {
  if (loop_ != nullptr) StopInternal(loop_, &heartbeat_, ev_timer_stop);
}

// ---------------------------------------------------------------- keep-alive

void LoopCore::AddKeepalive(int delta) {
  keepalive_ += delta;
  SyncUvRef();
}

void LoopCore::SyncUvRef() {
  if (uvAsync_ == nullptr) return;
  // A runAsync() waiting to settle holds the process too, so that Node cannot
  // exit before the settle hook has run.
  bool want = attached_ && (keepalive_ > 0 || wantSettle_);
  if (want != uvRefed_) {
    uvRefed_ = want;
    if (want) {
      uv_ref(reinterpret_cast<uv_handle_t*>(uvAsync_));
    } else {
      uv_unref(reinterpret_cast<uv_handle_t*>(uvAsync_));
    }
  }
  // Outside a delivery nobody else would notice that the loop went idle.
  if (keepalive_ == 0 && wantSettle_ && !invoking_ && uvAsync_ != nullptr) uv_async_send(uvAsync_);
}

void LoopCore::EvRef() {
  ev_ref(loop_);
  AddKeepalive(+1);
}

void LoopCore::EvUnref() {
  ev_unref(loop_);
  AddKeepalive(-1);
}

void LoopCore::UserRef() {
  Lock lock(this, /*wake=*/true);
  userRefs_++;
  EvRef();
}

bool LoopCore::UserUnref() {
  if (userRefs_ == 0) return false;
  Lock lock(this, /*wake=*/true);
  userRefs_--;
  EvUnref();
  return true;
}

void LoopCore::ReleaseFd(int fd) {
  if (attached_ && !LoopThreadParked() && !stopping_) {
    // The loop thread may be inside the kernel with this fd right now.
    graveyard_.push_back(fd);
    if (ev_is_active(&wake_)) ev_async_send(loop_, &wake_);
    return;
  }
  close(fd);
}

// The loop thread after its poll returned, or any thread while none polls:
// the stopped watchers' fds are out of the poll set by the next fd_reify.
void LoopCore::CloseGraveyard() noexcept {
  for (int fd : graveyard_) close(fd);
  graveyard_.clear();
}

void LoopCore::SetCallbacksQueued(bool queued) {
  if (queued == callbacksQueued_ || destroyed()) return;
  Lock lock(this, /*wake=*/queued);
  callbacksQueued_ = queued;
  if (queued) {
    EvRef();
    // Queued after this iteration's drain (a later prepare, a callback, its
    // promise reactions): the next poll must not block, so that the next
    // iteration's drain runs it. RunDrain stops the timer.
    PollWithoutBlocking();
  } else {
    EvUnref();
    StopInternal(loop_, &timer0_, ev_timer_stop);
  }
}

LoopCore::Extension* LoopCore::FindExtension(const void* key) const {
  for (const auto& extension : extensions_) {
    if (extension.first == key) return extension.second.get();
  }
  return nullptr;
}

void LoopCore::AddExtension(const void* key, std::unique_ptr<Extension> extension) {
  extensions_.emplace_back(key, std::move(extension));
}

void LoopCore::Register(WatcherBase* w) {
  w->registrySlot_ = static_cast<uint32_t>(watchers_.size());
  watchers_.push_back(w->index());
}

void LoopCore::Unregister(WatcherBase* w) {
  uint32_t slot = w->registrySlot_;
  if (slot >= watchers_.size() || watchers_[slot] != w->index()) return;
  uint32_t last = watchers_.back();
  watchers_[slot] = last;
  if (WatcherBase* moved = env_->watchers.At(last)) moved->registrySlot_ = slot;
  watchers_.pop_back();
  w->registrySlot_ = UINT32_MAX;
}

std::vector<WatcherBase*> LoopCore::Watchers() const {
  std::vector<WatcherBase*> mine;
  mine.reserve(watchers_.size());
  for (uint32_t index : watchers_) mine.push_back(env_->watchers.At(index));
  return mine;
}

// ---------------------------------------------------------------- calling JS

LoopCore::JsCallScope::~JsCallScope() {
  if (--core_->callDepth_ != 0) return;
  core_->callbackNs_ += uv_hrtime() - started_;
  if (!core_->retiredContexts_.empty()) core_->DestroyRetiredContexts();
}

LoopCore::CallResult LoopCore::CallJs(napi_ref fnRef, napi_value recv, size_t argc, napi_value* argv,
                                      napi_value* result, napi_async_context context) noexcept {
  napi_env env = env_->env();
  if (env_->exiting || fnRef == nullptr) return CallResult::kJsDead;
  napi_value fn = nullptr;
  if (napi_get_reference_value(env, fnRef, &fn) != napi_ok || fn == nullptr) {
    return CallResult::kJsDead;
  }
  // napi_make_callback wants an object as `this`: the function itself serves
  // the hooks that ignore it (cheaper than the global, per event).
  if (recv == nullptr) recv = fn;
  // The callback may detach the loop: report what escapes it by the mode it
  // was called in.
  const bool attached = attached_ && asyncContext_ != nullptr;
  if (context == nullptr) context = asyncContext_;
  napi_status status;
  {
    JsCallScope scope(this);
    status = attached ? napi_make_callback(env, context, recv, fn, argc, argv, result)
                      : napi_call_function(env, recv, fn, argc, argv, result);
  }
  if (status == napi_ok) return CallResult::kOk;
  // The JS hooks catch every exception a user callback throws, so reaching
  // here means JS cannot run (worker terminating, process.exit in a worker)
  // or the error path itself failed. Termination leaves no exception value.
  napi_value exc = nullptr;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) napi_get_and_clear_last_exception(env, &exc);
  napi_valuetype type = napi_undefined;
  if (exc != nullptr) napi_typeof(env, exc, &type);
  if (exc == nullptr || (type == napi_undefined && !JsCanRun())) return CallResult::kJsDead;
  if (attached) {
    // What escaped a callback's scope (its nextTicks, or evkit's own rethrow
    // when there is no errorHandler) is reported as Node reports a throwing
    // timer: 'uncaughtException', exit code 1 when nobody listens.
    napi_fatal_exception(env, exc);
    return CallResult::kThrew;
  }
  StashException(exc);
  return CallResult::kThrew;
}

// A terminating isolate leaves `undefined` as the pending exception, and so
// does `throw undefined`: a second, trivial call tells them apart.
bool LoopCore::JsCanRun() noexcept {
  napi_env env = env_->env();
  napi_value fn = nullptr, undefined = nullptr, result = nullptr;
  if (env_->heartbeat() == nullptr || napi_get_reference_value(env, env_->heartbeat(), &fn) != napi_ok ||
      fn == nullptr) {
    return false;
  }
  napi_get_undefined(env, &undefined);
  if (napi_call_function(env, undefined, fn, 0, nullptr, &result) == napi_ok) return true;
  napi_value ignored;
  napi_get_and_clear_last_exception(env, &ignored);
  return false;
}

void LoopCore::RunDrain() noexcept {
  if (!callbacksQueued_ || jsDead_ || env_->exiting) return;
  auto keep = shared_from_this();
  struct ev_loop* loop = loop_;
  StopInternal(loop, &timer0_, ev_timer_stop);
  napi_env env = env_->env();
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value owner = Owner();
  bool more = false;
  if (owner != nullptr) {
    napi_value result = nullptr;
    CallResult r = CallJs(env_->drain(), owner, 0, nullptr, &result);
    if (r == CallResult::kOk && result != nullptr) napi_get_value_bool(env, result, &more);
    if (r == CallResult::kJsDead) MarkJsDead();
  }
  napi_close_handle_scope(env, scope);
  if (destroyed()) return;
  // Callbacks may have run for a while: poll with a fresh clock.
  ev_now_update(loop);
  if (more) PollWithoutBlocking();
}

void LoopCore::OnDrainPrepare(struct ev_loop*, ev_prepare* w, int) noexcept {
  auto* self = static_cast<LoopCore*>(w->data);
  self->CloseGraveyard();
  // Its place in the batch: the callbacks recorded before it run first, and
  // whether there is anything to drain is decided when its turn comes (in a
  // blocking run; one of those callbacks may queue the first runCallback).
  if (self->callbacksQueued_ || (!self->attached_ && !self->batch_.empty())) self->Record(nullptr, 0);
}

void LoopCore::PollWithoutBlocking() {
  if (ev_is_active(&timer0_)) return;
  ev_timer_set(&timer0_, 0., kSelfStopping);
  StartInternal(loop_, &timer0_, ev_timer_start);
}

void LoopCore::OnTimer0(struct ev_loop* loop, ev_timer* w, int) noexcept {
  // Its job (a poll that does not block) is done.
  StopInternal(loop, w, ev_timer_stop);
}

void LoopCore::OnWake(struct ev_loop* loop, ev_async* w, int) noexcept {
  auto* self = static_cast<LoopCore*>(w->data);
  self->CloseGraveyard();
  if (!self->hasSyserr_) return;
  // A failing backend: stop polling instead of spinning. An attached loop's
  // thread ends and the JS thread hears of it (ReportAttachedSyserr).
  if (self->attached_) {
    self->stopping_ = true;
    uv_async_send(self->uvAsync_);
  }
  ev_break(loop, EVBREAK_ALL);
}

void LoopCore::OnHeartbeat(struct ev_loop*, ev_timer* w, int) noexcept {
  auto* self = static_cast<LoopCore*>(w->data);
  if (self->jsDead_) return;
  napi_value undefined, result;
  napi_get_undefined(self->env_->env(), &undefined);
  if (self->CallJs(self->env_->heartbeat(), undefined, 0, nullptr, &result) == CallResult::kJsDead) {
    self->MarkJsDead();
  }
}

// ---------------------------------------------------------------- errors

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

}  // namespace evkit
