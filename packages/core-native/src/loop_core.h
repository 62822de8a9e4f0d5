// LoopCore: one libev loop and everything evkit keeps about it. It is shared
// (shared_ptr) by the JS loop handle and by every watcher of the loop, so its
// memory outlives whichever of them the GC finalises last; `loop()` is null
// once the loop is destroyed, and no libev call is made after that.
//
// Two ways to run:
// - blocking: Run() calls ev_run on the JS thread. Its invoke-pending hook
//   runs pending watchers natively: libev's and evkit's internal watchers
//   finish on the spot, user watchers are recorded into batch_, and each
//   batch goes to JS in one call (the deliver hook walks it).
// - attached: libev's threading pattern (ev.pod "THREAD LOCKING EXAMPLE").
//   ev_run runs on a loop thread that holds mutex_ except while blocked in the
//   kernel (release/acquire callbacks). Its invoke-pending hook runs pending
//   watchers natively there: libev's and evkit's internal watchers finish on
//   the spot, user watchers are recorded into batch_. A non-empty batch is
//   handed to the JS thread (a uv_async wake-up while it may be in Node's poll,
//   else a flag its next prepare phase reads: jsMayPoll_) and the loop thread
//   waits until the JS thread has delivered it, each callback through
//   napi_make_callback. Any change the JS thread makes outside a delivery
//   takes mutex_ (LoopLock) and wakes the loop thread through wake_.
//   While the loop thread waits there, the JS thread holds the loop: it goes
//   on running passes itself (ev_run NOWAIT, nested as libev allows from a
//   callback) while they yield callbacks and a short budget lasts, so a busy
//   loop pays the thread round trip only when it has to sleep.
//   (loop_js_pass.cc)
#pragma once

#include <napi.h>
#include <pthread.h>
#include <uv.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ev_config.h"

namespace evkit {

class EnvState;
class WatcherBase;

class LoopCore : public std::enable_shared_from_this<LoopCore> {
 public:
  // Creates a loop with ev_loop_new. On failure returns null and sets *err
  // to the errno that explains it (0 when none does).
  static std::shared_ptr<LoopCore> Create(EnvState* env, unsigned flags, int* err);
  // Wraps an ev_loop that evkit does not own (native interop).
  static std::shared_ptr<LoopCore> WrapForeign(EnvState* env, struct ev_loop* loop);

  ~LoopCore();
  LoopCore(const LoopCore&) = delete;
  LoopCore& operator=(const LoopCore&) = delete;

  struct ev_loop* loop() const { return loop_; }
  // The number JS names this loop by (the env's IdTable of loops).
  double id() const;
  bool destroyed() const { return loop_ == nullptr || destroyRequested_; }
  bool owns() const { return owns_; }
  // The flags given to ev_loop_new (0 for a foreign loop: unknown).
  unsigned flags() const { return flags_; }
  EnvState* env() const { return env_; }

  // The JS object the drain and settle hooks are called on (held weakly).
  void SetOwner(napi_value owner);
  napi_value Owner() const;

  // ---- running
  int Run(int flags);  // blocking ev_run on the JS thread
  int depth() const { return runDepth_; }
  void Break(int how);
  // ev_suspend / ev_resume. libev allows no other call on a suspended loop,
  // so an attached loop's thread is stopped first and started again by
  // Resume(). Suspend() returns false (nothing done) inside a callback of this
  // loop's blocking run(), where ev_run would go on, or when suspended
  // already; Resume()
  // returns false when not suspended, or sets *error when re-attaching fails.
  bool Suspend();
  bool Resume(std::string* error);
  bool suspended() const { return suspended_; }
  void Destroy();
  // ev_loop_fork, made to keep libev's promise that fork watchers run on the
  // next iteration even when it is called from a prepare-phase callback.
  // Returns 0, or the errno (EMFILE) that keeps libev from re-creating its
  // wake-up fd (it would retry forever).
  int Reinit();
  // ev_verify, after SettleCounts() (until then libev counts an unref'd
  // one-shot it stopped itself twice as stopped, and its assert would abort).
  void Verify();
  // Takes one-shot watchers that libev stopped by itself (an expired timer
  // whose callback has not run yet) out of the counts now, so that
  // activeCount/refCount agree with each watcher's `active` at every point
  // of a batch. An attached loop's thread records events without touching
  // the books; those are settled as the JS thread collects them, unless `all`
  // (ev_verify needs every one settled).
  void SettleCounts(bool all = false);
  bool Attach(std::string* error);
  void Detach();
  bool attached() const { return attached_; }
  // Passes the JS thread runs on the stack now (ev_depth counts them, JS does
  // not: they are the attached loop's iterations, not a blocking run).
  int jsPassRuns() const { return jsPassRuns_; }
  // Inside a callback of this loop (blocking run or attached delivery):
  // libev's cached time is current and the loop thread is parked.
  bool InCallback() const { return runDepth_ > 0 || invoking_; }
  // Attached: the loop thread waits in its invoke hook for this delivery, out
  // of the kernel (not so for a direct one: it sleeps on in its poll).
  bool LoopThreadParked() const { return invoking_ && !direct_; }
  // Ask for the settle hook whenever nothing keeps the loop alive (runAsync).
  void SetWantSettle(bool want);

  // ---- keep-alive bookkeeping: the only place evkit's liveness count moves.
  // `keepalive_` mirrors the share of libev's activecnt that belongs to the
  // user: active referenced watchers, ref() calls and the runCallback queue.
  // When attached, the uv handle is ref'd exactly while it is above zero.
  void NoteLibevStarted() { AddKeepalive(+1); }
  void NoteLibevStopped() { AddKeepalive(-1); }
  void EvRef();
  void EvUnref();
  // The loop's own ref()/unref(): unref() only takes back an outstanding
  // ref() (returns false otherwise), so libev's count never goes below what
  // its watchers hold.
  void UserRef();
  bool UserUnref();
  void SetCallbacksQueued(bool queued);
  bool callbacksQueued() const { return callbacksQueued_; }
  int refCount() const { return keepalive_ - (callbacksQueued_ ? 1 : 0); }
  int activeCount() const { return activeCount_; }  // see SettleCounts()
  // loop.stats(): nanoseconds spent in the backend poll (attached: on the
  // loop thread; read under Lock) and in calls into JS.
  uint64_t pollNs() const { return pollNs_; }
  uint64_t callbackNs() const { return callbackNs_; }
  void NoteActive(int delta) { activeCount_ += delta; }


  // Native per-loop state a watcher kind keeps beside the loop (io keeps its
  // fd guard here), found by a key the kind owns. Made on first use (JS
  // thread); Retire() runs once when the loop is destroyed, on the JS thread
  // under the loop lock, after every watcher was detached and while no thread
  // polls the loop; the extension is freed with the core.
  class Extension {
   public:
    virtual ~Extension() = default;
    virtual void Retire(struct ev_loop* loop) noexcept = 0;
    // JS has just run on the thread that holds the loop (a blocking batch, an
    // attached delivery or pass) and may have closed fds; nobody polls.
    virtual void AfterJs(struct ev_loop*) noexcept {}
    // Attached mode, JS thread. OnAttach: `jsWake` now wakes this thread
    // (uv_async) and makes it deliver (JsInvoke); OnDetach: the loop thread
    // has stopped (detach, suspend, destroy) and the handle is about to close.
    virtual void OnAttach(uv_async_t*) noexcept {}
    virtual void OnDetach(struct ev_loop*) noexcept {}
    // Attached, JS thread, mutex_ held, woken through jsWake: records (as the
    // trampoline does) the events other threads sent straight to this thread.
    virtual void RecordDirect() noexcept {}
  };
  Extension* FindExtension(const void* key) const;
  void AddExtension(const void* key, std::unique_ptr<Extension> extension);
  // What wakes the JS thread to deliver while the loop is attached, else null.
  uv_async_t* jsWake() const { return attached_ ? uvAsync_ : nullptr; }

  // ---- native interop (native_api.cc, include/evkit.h)
  // The thread that made the loop; an attached loop's thread while it runs.
  bool OnJsThread() const { return std::this_thread::get_id() == jsThread_; }
  bool OnLoopThread() const { return loopThread_.load(std::memory_order_relaxed) == std::this_thread::get_id(); }
  // Another addon's function, to be called on the JS thread with that addon's
  // env once the current batch of callbacks has run (loop_posts.cc). The
  // caller holds the loop: it runs it, or holds its Lock.
  using PostFn = void (*)(napi_env env, void* data);
  void Post(napi_env env, PostFn fn, void* data);
  // JS thread: the C API's lock()/unlock(), nestable; while held, the loop
  // thread stays out of libev (as under Lock). Unlock returns false when not held.
  void ApiLock();
  bool ApiUnlock();

  // This loop's watchers (destroy(), activeCount, refCount). The loop keeps
  // their indexes in the env's table, 4 bytes each; a watcher keeps its place
  // here in what would be padding (WatcherBase::registrySlot_).
  void Register(WatcherBase* w);
  void Unregister(WatcherBase* w);
  std::vector<WatcherBase*> Watchers() const;

  // From a watcher's trampoline, on whichever thread runs the loop.
  void Record(WatcherBase* w, int revents);
  void RecordedBlocking();
  void Forget(WatcherBase* w);  // drop w's queued deliveries
  // A watcher was fed: inside a blocking delivery, libev's order has it run
  // next (see loop_blocking.cc).
  void NoteFed(WatcherBase* w);

  // epoll registers an fd in the kernel only at the loop's next fd_reify,
  // right before its poll; JS must not run on unchecked before then, or it may
  // close the fd first and epoll_ctl aborts (see watchers/io.cc). JS thread,
  // loop lock held: a watcher was started whose fd the loop has not
  // registered yet. On an attached loop, Node code may not run until the loop
  // has: a delivery waits at its end (JsInvoke); outside one, AwaitReify().
  void ReifyBeforeJsGoesOn() {
    if (attached_) reifyDue_ = true;
  }
  // JS thread, outside a delivery, may hold a Lock: wakes the loop thread and
  // waits until its next fd_reify, unless it is parked for a delivery (that
  // delivery's end waits instead) or stopping.
  void AwaitReify();
  // How many times the loop went through fd_reify into its poll, on any
  // thread: a watcher started before the count moved is registered.
  uint64_t reifications() const { return reifications_; }

  // JS thread, loop lock held: close an fd libev no longer watches (its
  // watcher was stopped) where no thread can be polling it: at once unless an
  // attached loop's thread may be in the kernel with it, else on that thread
  // after its poll returns.
  void ReleaseFd(int fd);

  // Calls into JS: napi_make_callback when attached (so nextTicks and promise
  // reactions settle after each callback), a plain call when blocking. A null
  // `recv` calls `fn` with itself as `this`.
  // `context`: the async context to call in when attached (the loop's when null).
  enum class CallResult { kOk, kThrew, kJsDead };
  CallResult CallJs(napi_ref fn, napi_value recv, size_t argc, napi_value* argv, napi_value* result,
                    napi_async_context context = nullptr) noexcept;

  // ---- async contexts (loop_contexts.cc), JS thread. UseContext: `w` was
  // started; with `capture` (the loop is attached) its callbacks run in the
  // async context current now, else in the loop's. DropContext: it was
  // stopped or leaves the loop.
  void UseContext(WatcherBase* w, bool capture);
  void DropContext(WatcherBase* w);
  // fn.call(recv, ...argv) in `w`'s start() context when it has one (a
  // blocking run() after detach() delivering it), else plainly. Returns the
  // result, or nullptr with the exception pending.
  napi_value CallInContext(const WatcherBase* w, napi_value recv, napi_value fn, size_t argc,
                           const napi_value* argv) noexcept;

  // Errors that must surface from run(): a syserr from libev, or an exception
  // that escaped the JS hooks.
  void NoteSyserr(const char* msg, int err);
  bool TakeSyserr(std::string* msg, int* err);
  void StashException(napi_value exc);
  napi_value TakeStashedException();
  void MarkJsDead();
  bool jsDead() const { return jsDead_; }

  // JS-thread guard for every libev call on this loop. Locks mutex_ only when
  // the loop is attached and this thread does not hold it already (during a
  // delivery it does). With `wake`, tells the loop thread to look again.
  class Lock {
   public:
    explicit Lock(LoopCore* core, bool wake = false);
    ~Lock();
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

   private:
    LoopCore* core_;
    bool locked_ = false;
    bool wake_;
  };

 private:
  struct Posted {
    napi_env env;
    PostFn fn;
    void* data;
  };
  bool NothingToDeliver() const { return batch_.empty() && posts_.empty(); }
  // JS thread, holding the loop: runs posts_; returns how many ran.
  size_t DeliverPosts() noexcept;
  void CallPosted(const Posted& posted) noexcept;
  // The loop is gone: each post not run yet is called now, with env == NULL
  // when JS cannot run any more.
  void FlushPosts() noexcept;

  struct Delivery {
    WatcherBase* watcher;  // null: drain the runCallback queue
    int revents;
  };

  LoopCore(EnvState* env, struct ev_loop* loop, bool owns, unsigned flags);
  void StartInternalWatchers();
  void StopInternalWatchers();
  void FinishDestroy();
  void StartHeartbeat();
  void StopHeartbeat();
  void AddKeepalive(int delta);
  void SyncUvRef();
  void RunDrain() noexcept;
  // Blocking mode, JS thread (loop_blocking.cc): the invoke-pending hook, and
  // the hand-off of batch_ to JS, one call per run of entries.
  void InvokeBlocking() noexcept;
  void DeliverBatch() noexcept;
  size_t DeliverRun(std::vector<Delivery>* batch, size_t from, size_t to) noexcept;
  void Uncollect(std::vector<Delivery>* batch, size_t from) noexcept;
  bool ReserveBatchArray(size_t entries);
  // Attached mode, JS thread: one recorded event, through napi_make_callback.
  void DeliverOne(WatcherBase* w, int revents) noexcept;
  // Attached mode, JS thread, mutex_ held: delivers batch_ (one callback at a
  // time); returns how many callbacks and drains ran.
  size_t DeliverRecorded() noexcept;
  // Attached mode, JS thread, mutex_ held, no hand-off: delivers what
  // RecordDirect recorded while the loop thread stays in its poll. Returns
  // whether a callback changed what that poll waits for.
  bool DeliverDirect() noexcept;
  // Attached mode, JS thread, while the loop thread waits for a hand-off
  // (loop_js_pass.cc).
  void RunJsPasses(uint64_t epoch) noexcept;
  void InvokeOnJsThread() noexcept;
  // JS thread, mutex_ held, the loop thread awake (woken, or a hand-off just
  // ended): waits while the loop has fds to register before Node code may run
  // on (reifyDue_).
  void WaitForReify();
  void NotifyAfterJs() noexcept;
  bool JsPassMayGoOn() const;
  bool JsCanRun() noexcept;
  void StopThread();
  // Feeds undelivered deliveries (from index `from`) back to libev as pending
  // events, for a loop that is no longer attached.
  void Requeue(std::vector<Delivery>* deliveries, size_t from);
  // The next poll returns at once (timer0_, which then stops itself).
  void PollWithoutBlocking();
  void JsInvoke();
  void MaybeSettle();
  napi_async_context ContextOf(const WatcherBase* w) const;
  // Contexts dropped while a callback ran: destroyed once no call into JS is
  // on the stack (JsCallScope), or by destroy().
  void DestroyRetiredContexts() noexcept;
  // One call into JS (or into a posted function, which may make some): only
  // the outermost is timed (a callback may run this loop's drain or another
  // run() inside it), and when it ends the async contexts dropped meanwhile
  // are destroyed (a callback that re-arms its own watcher still runs in the
  // context it replaced).
  class JsCallScope {
   public:
    explicit JsCallScope(LoopCore* core) : core_(core), started_(core->callDepth_++ == 0 ? uv_hrtime() : 0) {}
    ~JsCallScope();
    JsCallScope(const JsCallScope&) = delete;
    JsCallScope& operator=(const JsCallScope&) = delete;

   private:
    LoopCore* core_;
    uint64_t started_;
  };
  void ReportAttachedSyserr();
  void CloseGraveyard() noexcept;

  static void OnDrainPrepare(struct ev_loop* loop, ev_prepare* w, int revents) noexcept;
  static void OnTimer0(struct ev_loop* loop, ev_timer* w, int revents) noexcept;
  static void OnWake(struct ev_loop* loop, ev_async* w, int revents) noexcept;
  static void OnHeartbeat(struct ev_loop* loop, ev_timer* w, int revents) noexcept;
  static void OnForkSeen(struct ev_loop* loop, ev_fork* w, int revents) noexcept;
  static void OnForkRepair(struct ev_loop* loop, ev_timer* w, int revents) noexcept;
  void StopForkRepair();
  static void OnRelease(struct ev_loop* loop) noexcept;
  static void OnAcquire(struct ev_loop* loop) noexcept;
  static void OnInvokePending(struct ev_loop* loop) noexcept;
  static void OnUvAsync(uv_async_t* handle);
  static void OnUvPrepare(uv_prepare_t* handle);
  static void OnUvCheck(uv_check_t* handle);
  // Loop thread, mutex_ held, handoff_ just set: see jsMayPoll_.
  void WakeJsForHandoff();
  static void LoopThreadMain(LoopCore* core);

  EnvState* env_;
  std::shared_ptr<EnvState> envHold_;  // keeps env_ valid until we are gone
  struct ev_loop* loop_;
  bool owns_;
  unsigned flags_;
  bool destroyRequested_ = false;
  bool suspended_ = false;
  bool resumeAttached_ = false;  // Suspend() stopped the loop thread
  bool suspendAfterPass_ = false;  // Suspend() from a JS-thread pass: ev_suspend once it unwinds
  bool jsDead_ = false;
  int runDepth_ = 0;
  int keepalive_ = 0;
  int userRefs_ = 0;  // outstanding loop.ref() calls
  bool reinitInForkPhase_ = false;  // see Reinit()
  // Fork watchers were queued in this iteration, and libev re-initialises its
  // kernel state (which ends the reinit) only after the prepare phase, before
  // its fd_reify: an attached loop's thread stopping until then must not break
  // out early, or the next run() queues the fork watchers again.
  bool forkNotReified_ = false;
  int activeCount_ = 0;
  uint64_t pollNs_ = 0;
  uint64_t releasedAt_ = 0;
  uint64_t callbackNs_ = 0;
  int callDepth_ = 0;
  bool callbacksQueued_ = false;
  napi_ref owner_ = nullptr;
  napi_ref stashed_ = nullptr;
  std::string syserrMsg_;
  int syserrErrno_ = 0;
  bool hasSyserr_ = false;
  std::vector<uint32_t> watchers_;  // Register(): indexes in env_->watchers
  uint32_t index_ = 0;  // in the env's IdTable of loops
  // (id, revents) pairs of a blocking batch, shared with the deliver hook.
  napi_ref batchArray_ = nullptr;
  double* batchData_ = nullptr;
  size_t batchCapacity_ = 0;
  std::vector<std::pair<const void*, std::unique_ptr<Extension>>> extensions_;

  // Attached mode. mutex_ guards the loop against the loop thread; the flags
  // below it are read and written under it (invoking_ and jsHolds_ only ever
  // by the JS thread).
  pthread_mutex_t mutex_;
  pthread_cond_t deliveredCv_;
  pthread_cond_t blockedCv_;  // the loop thread reified, parked or stopped
  uint64_t reifications_ = 0;
  bool reifyDue_ = false;     // see ReifyBeforeJsGoesOn
  std::thread thread_;
  uv_async_t* uvAsync_ = nullptr;
  bool uvRefed_ = false;
  // A hand-off wakes the JS thread (uvAsync_) only when it may be in Node's
  // poll: from its prepare phase (uvPrepare_) to its check phase (uvCheck_).
  // Otherwise the JS thread is running, and its next prepare phase takes the
  // hand-off (handoff_) without a wake-up: no eventfd write on the loop
  // thread, no read and no extra turn of Node's loop on the JS thread. Each
  // side stores its flag, then reads the other's (seq_cst): at least one of
  // them sees the other, so no hand-off waits unnoticed.
  uv_prepare_t* uvPrepare_ = nullptr;
  uv_check_t* uvCheck_ = nullptr;
  std::atomic<bool> jsMayPoll_{true};
  napi_async_context asyncContext_ = nullptr;
  std::unordered_map<const WatcherBase*, napi_async_context> contexts_;  // see UseContext
  std::vector<napi_async_context> retiredContexts_;
  bool attached_ = false;
  bool stopping_ = false;
  // A batch waits for the JS thread (written under mutex_; atomic for the
  // prepare phase, which reads it without the mutex: see jsMayPoll_).
  std::atomic<bool> handoff_{false};
  bool invoking_ = false;
  // invoking_ for events that came straight to the JS thread (DeliverDirect):
  // the loop thread is not parked but in its poll, or waiting for mutex_.
  bool direct_ = false;
  bool wakeAfterDelivery_ = false;  // a Lock(wake) came during DeliverDirect
  bool jsHolds_ = false;
  bool wantSettle_ = false;
  bool collecting_ = false;  // blocking: inside ev_invoke_pending, recording a batch
  // The JS thread runs passes of this attached loop (RunJsPasses). Written
  // only by the JS thread under mutex_, while the loop thread waits for a
  // hand-off; the loop thread never reads it.
  bool jsPass_ = false;
  uint64_t attachEpoch_ = 0;  // bumped by each Attach(): passes stop when it moves
  uint64_t passEpoch_ = 0;
  size_t jsDelivered_ = 0;    // callbacks and drains the passes ran
  int jsPassRuns_ = 0;
  // The last turn of passes ended because Node had work waiting: the next one
  // asks more often (loop_js_pass.cc).
  bool nodeWasBusy_ = false;
  // The loop thread's hand-off comes from the invoke at the end of an
  // iteration (postPoll_ was pending), not from its fork or prepare phase:
  // only then may the JS thread run passes, which must not come between a
  // prepare phase and the poll it prepares.
  bool handoffPostPoll_ = false;
  bool deliveringBatch_ = false;  // blocking: the deliver hook is running
  std::vector<double> fed_;  // ids fed while deliveringBatch_
  std::vector<size_t> sentScratch_;  // DeliverRun's, kept for its capacity
  std::vector<Delivery> batch_;       // recorded by the loop thread
  std::vector<Delivery> delivering_;  // the batch JsInvoke is delivering
  // The batch a blocking run is delivering (DeliverBatch's own): what a
  // callback stops or closes must leave it too, or a later run of it would
  // reach a watcher its stop freed.
  std::vector<Delivery>* blockingBatch_ = nullptr;
  size_t deliveringNext_ = 0;
  std::vector<Posted> posts_;   // see Post(); guarded like batch_
  int apiLockDepth_ = 0;
  std::optional<Lock> apiLock_;  // held from the outermost ApiLock() to its ApiUnlock()
  std::thread::id jsThread_;
  std::atomic<std::thread::id> loopThread_{};
  std::vector<int> graveyard_;  // fds for the loop thread to close (ReleaseFd)

  // Internal watchers, all unref'd: they never keep run() alive.
  ev_prepare drainPrepare_;  // drains the runCallback queue before blocking
  ev_timer timer0_;          // makes the next poll non-blocking when callbacks remain
  ev_async wake_;            // wakes the loop thread; also sets up libev's wake-up fd
  ev_timer heartbeat_;       // workers: notices termination during a blocking run()
  ev_check postPoll_;        // pending only in the invoke that ends an iteration
  // Active only between a reinit() and the iteration that runs fork watchers.
  ev_fork forkSeen_;         // fork watchers were queued: the reinit was honoured
  ev_timer forkRepair_;      // 0 s: libev dropped the reinit's fork event, ask again
};

// The loop whose ev_run is on this thread's stack (for ev_set_syserr_cb).
LoopCore* CurrentlyRunning();
// The loop being freed on this thread (its cleanup watchers run), if `loop`.
LoopCore* DestroyingHere(struct ev_loop* loop);
void SetCurrentlyRunning(LoopCore* core);

}  // namespace evkit
