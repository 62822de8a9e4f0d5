// The one C++ base of every watcher kind.
//
// Rules kept here, once, for all kinds:
// - libev is called only while the loop is alive (core_ non-null and not
//   destroyed), and always under LoopCore::Lock, which serialises the JS
//   thread with an attached loop's thread. Watchers of a destroyed loop are
//   detached and inert.
// - Keep-alive uses Perl EV's two flags: keepalive_ (the user wants this watcher
//   to keep the loop alive) and unrefed_ (we called ev_unref for it). Start =
//   libev start then unref if needed; stop = re-ref if needed then libev stop;
//   a stop libev does by itself (one-shot timer) is noticed before the callback.
// - The JS owner is held weakly, and strongly while the watcher is active,
//   pending or queued for delivery, so a running watcher needs no user
//   reference and a stopped one can be collected. Callbacks live on the JS side.
// - The trampoline is noexcept: nothing may unwind through libev. On an
//   attached loop it runs on the loop thread and only records the event; the
//   JS thread delivers it (Deliver).
// - A watcher's state is one set of flags (libuv's handle->flags), and it
//   leaves its loop one way, Leave(): close(), the loop's destroy() and the
//   destructor (the GC) all go through it, so a kind's OnLeavingLoop runs
//   exactly once whichever comes first.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>

#include "env_state.h"
#include "ev_config.h"
#include "loop_core.h"

namespace evkit {

class WatcherBase {
 public:
  WatcherBase(const WatcherBase&) = delete;
  WatcherBase& operator=(const WatcherBase&) = delete;

  // 0, or the kind's status for why the watcher could not start (an errno, a
  // libuv error: each kind documents its own in binding.ts). Never throws.
  int Start();
  void Stop();
  void Feed(int revents);
  // Bits 28-30 of revents: libev uses none of them, so a kind marks its own
  // events there (io: where an ERROR came from; stat: a fed TIMER). feed()
  // never passes them on from the user.
  static constexpr int kKindReventsMask = 0x70000000;
  void SetKeepalive(bool keep);
  bool keepalive() const { return Has(kKeepalive); }
  bool Active();
  bool Pending();
  int Priority() const;
  // Returns false when libev forbids the change (active or pending).
  bool SetPriority(int priority);
  void Close();
  bool closed() const { return Has(kClosed); }
  // The loop is being destroyed: stop in libev and forget the loop.
  void DetachFromLoop() { Leave(); }
  LoopCore* core() const { return core_.get(); }
  bool Usable() const { return core_ && !core_->destroyed() && !Has(kClosed); }

  // Attached mode, JS thread: deliver an event recorded by the loop thread,
  // or forget it (the loop thread stopped before it could be delivered).
  void Deliver(int revents) noexcept;
  void Undeliver();

 protected:
  WatcherBase(napi_env env, std::shared_ptr<LoopCore> core, ev_watcher* w);
  virtual ~WatcherBase();

  void BindOwner(napi_value owner);
  // The one way out of the loop: stops the watcher in libev (under the loop
  // lock), lets the kind withdraw what it shares with the loop or other
  // threads (OnLeavingLoop), and lets go of the loop. Idempotent.
  void Leave();
  // Kinds whose start depends on the current time (timers) call this first:
  // outside a callback libev's cached time may be stale by the length of an
  // idle spell, inside one it is the batch's time (libev's rule).
  void RefreshNowOutsideCallbacks();
  // After a kind-specific libev call that may have started or stopped the
  // watcher (ev_timer_again), bring the books in line.
  void SyncActivity();
  // Runs a kind-specific libev call that may start or stop the watcher
  // (again()): under the loop lock, waking the loop thread, from a fresh clock.
  template <class Fn>
  void Rearm(Fn&& fn) {
    if (!Usable()) return;
    LoopCore::Lock lock(core_.get(), /*wake=*/true);
    RefreshNowOutsideCallbacks();
    fn(core_->loop());
    // libev's again() clears a pending event: so does it for one an attached
    // loop's thread already took for delivery.
    Set(kQueued, false);
    core_->Forget(this);
    SyncActivity();
  }

  // The revents feed() hands to libev, without kKindReventsMask (a kind whose
  // libev watcher carries events of its own translates the user's here).
  virtual int FedRevents(int revents) const { return revents; }

  // Kind-specific libev calls. EvStart returns 0 or the kind's failure status.
  virtual int EvStart(struct ev_loop* loop) = 0;
  virtual void EvStop(struct ev_loop* loop) = 0;
  // JS thread, loop lock held: the watcher leaves its loop for good (close(),
  // destroy(), or the GC), right after it was stopped there and before the
  // loop can be freed. A kind that shares its libev watcher with other threads
  // or with per-loop state withdraws that here; it runs once. A kind that
  // overrides it calls Leave() first in its destructor (no virtual calls
  // reach the kind from the base's destructors).
  virtual void OnLeavingLoop() {}
  // JS thread, outside the loop lock, right before a start of an inactive
  // watcher: 0 to go ahead, else the kind's failure status (Io checks its fd).
  virtual int BeforeStart() { return 0; }
  // JS thread, only for an event with EV_ERROR: the kind may add its status
  // bits to revents (Io says where the error came from) before JS sees it.
  virtual int OnErrorEvent(int revents) { return revents; }

  static void Trampoline(struct ev_loop* loop, ev_watcher* w, int revents) noexcept;

  ev_watcher* w_;

 private:
  void Fire(int revents) noexcept;
  void NoteStarted();
  void NoteStopped(bool libevDidIt);
  void UpdatePin();
  void StopLocked();

  enum Flag : uint8_t {
    kKeepalive = 1 << 0,  // the user wants it to keep the loop alive (ref())
    kUnrefed = 1 << 1,    // we called ev_unref for it (Perl EV's second flag)
    kCounted = 1 << 2,    // our books say the watcher is active
    kQueued = 1 << 3,     // recorded by the loop thread, not delivered yet
    kPinned = 1 << 4,     // the JS owner is held strongly
    kClosed = 1 << 5,     // close() was called
  };
  bool Has(Flag f) const { return (flags_ & f) != 0; }
  void Set(Flag f, bool on) { flags_ = on ? (flags_ | f) : (flags_ & ~f); }

  napi_env env_;
  std::shared_ptr<EnvState> state_;
  std::shared_ptr<LoopCore> core_;
  napi_ref owner_ = nullptr;
  uint8_t flags_ = kKeepalive;
  size_t registrySlot_ = SIZE_MAX;  // index in the loop's registry
  friend class LoopCore;
};

}  // namespace evkit
