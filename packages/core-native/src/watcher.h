// The one C++ base of every watcher kind.
//
// A native watcher is a plain C++ object addressed from JS by an integer id
// (EnvState::watchers): no JS handle object, no reference to its JS owner. JS keeps
// the owner alive while the watcher is active or pending (the "pins" live in
// JS, in the table's owners array) and learns the state it needs from the
// table's state bytes, which only the JS thread writes (Publish).
//
// Rules kept here, once, for all kinds:
// - libev is called only while the loop is alive (core() non-null and not
//   destroyed), and always under LoopCore::Lock, which serialises the JS
//   thread with an attached loop's thread. Watchers of a destroyed loop are
//   detached and inert.
// - Keep-alive uses Perl EV's two flags: keepalive (the user wants this
//   watcher to keep the loop alive) and unrefed (we called ev_unref for it).
//   Start = libev start then unref if needed; stop = re-ref if needed then
//   libev stop; a stop libev does by itself (one-shot timer) is noticed before
//   the callback.
// - Lifetime: a transient kind's native half exists only while the watcher is
//   active or pending; it is released (Release) the moment it is neither,
//   and made again by the next start or feed. A persistent kind (it keeps
//   state while stopped: async's sender, stat's attributes) lives from its
//   JS constructor to close() or the collection of its JS owner.
// - The trampoline is noexcept: nothing may unwind through libev. It only
//   records the event; the loop delivers recorded events to JS in batches
//   (blocking: one call per batch; attached: the JS thread, per callback).
// - A watcher leaves its loop one way, Leave(): close(), release, the loop's
//   destroy() and the env's teardown all go through it, so a kind's
//   OnLeavingLoop runs exactly once whichever comes first.
#pragma once

#include <napi.h>

#include <cstdint>

#include "env_state.h"
#include "ev_config.h"
#include "loop_core.h"

namespace evkit {

class EnvState;

// Bits of a watcher's state byte (EnvState::StateBytes), as JS reads them.
enum StateBits : uint8_t {
  kStateActive = 1,   // active in libev
  kStatePending = 2,  // pending in libev, or recorded by an attached loop's thread
  kStateQueued = 4,   // in the batch JS is delivering (JS clears it as it delivers)
};

class WatcherBase {
 public:
  WatcherBase(const WatcherBase&) = delete;
  WatcherBase& operator=(const WatcherBase&) = delete;
  virtual ~WatcherBase();

  // Kinds are numbered for the binding (binding.ts WatcherKind).
  int kind() const { return kind_; }
  bool persistent() const { return persistent_; }
  double id() const;
  uint32_t index() const { return index_; }

  // 0, or the kind's status for why the watcher could not start (an errno, a
  // libuv error: each kind documents its own in binding.ts). Never throws.
  int Start();
  void Stop();
  void Feed(int revents);
  // ev_clear_pending, also for an event already recorded or queued for JS:
  // the revents the callback would have got (0 when none), without the
  // kind's bits. A one-shot libev stopped is then inactive for good.
  int ClearPending();
  // Bits 28-30 of revents: libev uses none of them, so a kind marks its own
  // events there (io: where an ERROR came from; stat: a fed TIMER). feed()
  // never passes them on from the user.
  static constexpr int kKindReventsMask = 0x70000000;
  void SetKeepalive(bool keep);
  bool keepalive() const { return Has(kKeepalive); }
  bool Active();
  bool Pending();
  // Only while neither active nor pending (checked by the caller).
  void SetPriority(int priority) { ev_set_priority(w(), priority); }
  // The kind's two parameters changed in JS (a timer's after and repeat, an
  // io's fd and events): a watcher that has its native half takes them for
  // its next start (and, where libev allows, at once).
  void SetParams(double a, double b);
  int Priority() const { return ev_priority(w()); }
  void Close();
  bool closed() const { return Has(kClosed); }
  // The loop is being destroyed: stop in libev and forget the loop.
  void DetachFromLoop() { Leave(); }
  // The loop, kept in the libev watcher's `data` (the base is found from the
  // libev watcher by address instead): null once the watcher left it.
  LoopCore* core() const { return static_cast<LoopCore*>(w()->data); }
  bool Usable() const {
    LoopCore* core = this->core();
    return core != nullptr && !core->destroyed() && !Has(kClosed);
  }
  // The watcher whose libev watcher `w` is (KindWatcher puts it right after the base).
  static WatcherBase* Of(ev_watcher* w) {
    return reinterpret_cast<WatcherBase*>(reinterpret_cast<char*>(w) - EvOffset());
  }

  // The loop's delivery of an event recorded by the trampoline (JS thread).
  // Collect: the batch is about to be handed to JS (settles the books, adds
  // the kind's error bits, marks the state byte queued); returns the revents
  // JS gets. Deliver (attached, one callback at a time): false when the
  // watcher was stopped since it was recorded. Undeliver: the event was fed
  // back to libev instead.
  int Collect(int revents, bool queuedForJs) noexcept;
  bool Deliver() noexcept;
  void Undeliver();
  // After a stop, or once its event was delivered: a transient watcher that
  // is neither active nor pending lets its native half go. May delete `this`.
  void ReleaseIfIdle();

  // Writes this watcher's state byte (JS thread only).
  void Publish();

 protected:
  WatcherBase(LoopCore* core, int kind, bool persistent);

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
    LoopCore::Lock lock(core(), /*wake=*/true);
    RefreshNowOutsideCallbacks();
    fn(core()->loop());
    // libev's again() clears a pending event: so does it for one already
    // taken for delivery.
    Unqueue();
    SyncActivity();
  }

  // JS thread, loop lock held when the loop is alive: see SetParams().
  virtual void ApplyParams(double, double) {}

  // The revents feed() hands to libev, without kKindReventsMask (a kind whose
  // libev watcher carries events of its own translates the user's here).
  virtual int FedRevents(int revents) const { return revents; }

  // Kind-specific libev calls. EvStart returns 0 or the kind's failure status.
  virtual int EvStart(struct ev_loop* loop) = 0;
  virtual void EvStop(struct ev_loop* loop) = 0;
  // JS thread, loop lock held: the watcher leaves its loop for good, right
  // after it was stopped there and before the loop can be freed. A kind that
  // shares its libev watcher with other threads or with per-loop state
  // withdraws that here; it runs once. A kind that overrides it calls Leave()
  // first in its destructor (no virtual calls reach the kind from the base's
  // destructor).
  virtual void OnLeavingLoop() {}
  // JS thread, outside the loop lock, right before a start of an inactive
  // watcher: 0 to go ahead, else the kind's failure status (Io checks its fd).
  virtual int BeforeStart() { return 0; }
  // JS thread, only for an event with EV_ERROR: the kind may add its status
  // bits to revents (Io says where the error came from) before JS sees it.
  virtual int OnErrorEvent(int revents) { return revents; }
  // Attached delivery, JS thread, right before and after the call into JS
  // (After only if the watcher outlived it): a kind may hand JS what its
  // callback will ask for first (an AsyncMailbox's messages).
  virtual void BeforeJsDelivery() {}
  virtual void AfterJsDelivery() {}

  static void Trampoline(struct ev_loop* loop, ev_watcher* w, int revents) noexcept;

  // Memory for a watcher of `kind`, from its env's pool for the kind (JS
  // thread: where watchers are made and freed); null when there is none.
  static void* Allocate(int kind, size_t size) noexcept;
  static void Free(int kind, void* block, size_t size) noexcept;

  // The kind's libev watcher, found from this object's address: a pointer to
  // it would cost 8 bytes in every watcher.
  ev_watcher* w() const {
    return reinterpret_cast<ev_watcher*>(reinterpret_cast<char*>(const_cast<WatcherBase*>(this)) + EvOffset());
  }
  // Where every kind's libev watcher starts, from the base.
  static constexpr size_t EvOffset();
  // Watchers live on their env's JS thread: one env per thread (Node's main
  // thread, each Worker), so it is found there rather than kept in each.
  static EnvState* env() { return EnvState::OfThisThread(); }

 private:
  void NoteStarted();
  void NoteStopped(bool libevDidIt);
  void StopLocked();
  // Drops an event recorded or queued for JS (stop, again, close).
  void Unqueue();

  enum Flag : uint8_t {
    kKeepalive = 1 << 0,  // the user wants it to keep the loop alive (ref())
    kUnrefed = 1 << 1,    // we called ev_unref for it (Perl EV's second flag)
    kCounted = 1 << 2,    // our books say the watcher is active
    kQueued = 1 << 3,     // recorded by the trampoline, not delivered yet
    kClosed = 1 << 5,     // close() was called
  };
  bool Has(Flag f) const { return (flags_ & f) != 0; }
  void Set(Flag f, bool on) { flags_ = on ? (flags_ | f) : (flags_ & ~f); }

  // Laid out to fill 24 bytes with the vtable pointer: every field here is
  // paid once per watcher (a timer's whole object is 80 bytes, a block of
  // its kind's pool: see BlockPool).
  uint32_t index_ = 0;                  // in EnvState::watchers
  uint32_t registrySlot_ = UINT32_MAX;  // in its loop's list (LoopCore::Register)
  // The revents of an event recorded by the trampoline (kQueued) or handed to
  // JS in a blocking batch (kStateQueued) and not delivered yet.
  int recorded_ = 0;
  uint8_t flags_ = kKeepalive;
  uint8_t kind_;
  bool persistent_;
  // Its loop keeps an async context for it (LoopCore::UseContext). JS thread
  // only, so not in flags_, which an attached loop's thread changes too.
  bool hasContext_ = false;
  friend class LoopCore;
};

constexpr size_t WatcherBase::EvOffset() { return sizeof(WatcherBase); }
static_assert(sizeof(WatcherBase) % alignof(ev_timer) == 0, "a kind's libev watcher must start right after the base");

}  // namespace evkit
