// The C API other addons drive evkit loops with (include/evkit.h states the
// contract). Each entry finds the loop in the registry, checks the thread it
// is called on, holds the loop the way evkit's own calls do (LoopCore::Lock on
// the JS thread; the loop thread holds it already in a callback), validates
// what libev would assert on, and only then calls evkit's libev.
//
// Watchers started through the API are tracked (process-wide, by address:
// a watcher belongs to one loop at a time), so that a stale or foreign
// pointer never reaches libev, and so that a loop's destroy() can stop what
// an addon left active on it before libev frees the loop.
#include "native_api.h"

#include <cmath>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "evkit.h"
#include "fd_checks.h"
#include "loop_core.h"
#include "registry.h"

namespace evkit {
namespace {

using StopFn = void (*)(struct ev_loop*, ev_watcher*);

class ForeignLoop;

struct Tracked {
  ForeignLoop* owner;
  StopFn stop;
  bool cleanup;  // an ev_cleanup: libev itself runs it when the loop is destroyed
};

// Guards the tracking table and every ForeignLoop's watcher set and `retired`.
std::mutex& TrackMutex() {
  static std::mutex m;
  return m;
}

std::unordered_map<ev_watcher*, Tracked>& TrackTable() {
  static auto* table = new std::unordered_map<ev_watcher*, Tracked>();
  return *table;
}

// What the API keeps beside one loop.
class ForeignLoop : public LoopCore::Extension {
 public:
  explicit ForeignLoop(LoopCore* owner) : core(owner), loop(owner->loop()) {}

  static ForeignLoop* Of(LoopCore* core) { return static_cast<ForeignLoop*>(core->FindExtension(&kKey)); }
  static void Ensure(LoopCore* core) {
    if (Of(core) != nullptr) return;
    auto foreign = std::make_unique<ForeignLoop>(core);
    {
      std::lock_guard<std::mutex> guard(TrackMutex());
      ByLoop()[foreign->loop] = foreign.get();
    }
    core->AddExtension(&kKey, std::move(foreign));
  }

  // TrackMutex held: the core of a loop whose destroy() has begun, when the
  // caller is its loop thread, which finishes its iteration (and runs
  // callbacks) until destroy() joins it.
  static LoopCore* DyingLoopsThread(struct ev_loop* loop) {
    auto it = ByLoop().find(loop);
    if (it == ByLoop().end() || it->second->retired || !it->second->core->OnLoopThread()) return nullptr;
    return it->second->core;
  }

  ~ForeignLoop() override {
    std::lock_guard<std::mutex> guard(TrackMutex());
    for (ev_watcher* w : mine) TrackTable().erase(w);
    auto it = ByLoop().find(loop);
    if (it != ByLoop().end() && it->second == this) ByLoop().erase(it);
  }

  // Stops what the addons left active; their cleanup watchers stay for
  // ev_loop_destroy to run.
  void Retire(struct ev_loop* loop) noexcept override {
    std::lock_guard<std::mutex> guard(TrackMutex());
    retired = true;
    for (auto it = mine.begin(); it != mine.end();) {
      auto tracked = TrackTable().find(*it);
      if (tracked->second.cleanup) {
        ++it;
        continue;
      }
      tracked->second.stop(loop, *it);
      TrackTable().erase(tracked);
      it = mine.erase(it);
    }
  }

  // TrackMutex held: the active watchers that hold a reference on the loop
  // (libev's cleanup watchers never do: ev_cleanup_start unrefs for them).
  int ActiveWatchers() const {
    int n = 0;
    for (ev_watcher* w : mine) n += ev_is_active(w) && !TrackTable().at(w).cleanup ? 1 : 0;
    return n;
  }

  LoopCore* const core;          // valid until retired
  struct ev_loop* const loop;
  std::unordered_set<ev_watcher*> mine;  // TrackMutex
  bool retired = false;                  // TrackMutex
  int unrefs = 0;  // ev_unref calls not given back; under the loop's lock
  int holds = 0;   // hold() calls not released; JS thread

 private:
  static std::unordered_map<struct ev_loop*, ForeignLoop*>& ByLoop() {
    static auto* map = new std::unordered_map<struct ev_loop*, ForeignLoop*>();
    return *map;
  }
  static const char kKey;
};

const char ForeignLoop::kKey = 0;

// One API call's hold on a loop.
class Entry {
 public:
  // `lock`: take the loop's lock on the JS thread (false only for lock() itself).
  Entry(struct ev_loop* loop, bool wake, bool lock = true) {
    if (loop == nullptr) {
      status_ = -EINVAL;
      return;
    }
    keep_ = registry::FindAny(loop);
    if (keep_ != nullptr && !keep_->destroyed()) {
      core_ = keep_.get();
    } else {
      std::lock_guard<std::mutex> guard(TrackMutex());
      core_ = ForeignLoop::DyingLoopsThread(loop);
    }
    if (core_ == nullptr) {
      status_ = -ENOENT;
      return;
    }
    if (core_->OnJsThread()) {
      if (lock) lock_.emplace(core_, wake);
    } else if (!core_->OnLoopThread()) {
      status_ = -EPERM;
      return;
    }
    foreign_ = ForeignLoop::Of(core_);
    if (foreign_ == nullptr) status_ = -ENOENT;  // loop_from_value was never called for it
  }

  int status() const { return status_; }
  LoopCore* core() const { return core_; }
  ForeignLoop* foreign() const { return foreign_; }

 private:
  std::shared_ptr<LoopCore> keep_;
  LoopCore* core_ = nullptr;
  std::optional<LoopCore::Lock> lock_;
  ForeignLoop* foreign_ = nullptr;
  int status_ = 0;
};

bool Busy(const ev_watcher* w) { return ev_is_active(w) || ev_is_pending(w); }

// TrackMutex held: whether `w` is this loop's.
bool Owned(ForeignLoop* foreign, ev_watcher* w) {
  auto it = TrackTable().find(w);
  return it != TrackTable().end() && it->second.owner == foreign;
}

// TrackMutex held: makes `w` this loop's, unless it is busy elsewhere.
int Adopt(ForeignLoop* foreign, ev_watcher* w, StopFn stop, bool cleanup) {
  auto it = TrackTable().find(w);
  if (it != TrackTable().end() && it->second.owner == foreign) return 0;
  if (Busy(w)) return -EBUSY;  // another loop's, or never initialised
  if (it != TrackTable().end()) {
    it->second.owner->mine.erase(w);
    TrackTable().erase(it);
  }
  TrackTable().emplace(w, Tracked{foreign, stop, cleanup});
  foreign->mine.insert(w);
  return 0;
}

// TrackMutex held: after a stop, the unrefs that no active watcher holds any
// more are given back, so libev's count never falls below evkit's own.
void Rebalance(ForeignLoop* foreign, struct ev_loop* loop) {
  if (foreign->unrefs == 0) return;
  for (int active = foreign->ActiveWatchers(); foreign->unrefs > active; foreign->unrefs--) ev_ref(loop);
}

template <class T>
struct NotDeduced {
  using type = T;
};

template <class W>
int Start(struct ev_loop* loop, W* w, void (*start)(struct ev_loop*, W*), void (*stop)(struct ev_loop*, W*),
          typename NotDeduced<int (*)(struct ev_loop*, W*)>::type check = nullptr, bool cleanup = false) {
  if (w == nullptr || w->cb == nullptr) return -EINVAL;
  Entry entry(loop, /*wake=*/true);
  if (entry.status() != 0) return entry.status();
  if (entry.core()->suspended()) return -EAGAIN;
  if (check != nullptr) {
    if (int status = check(loop, w)) return status;
  }
  std::lock_guard<std::mutex> guard(TrackMutex());
  auto* base = reinterpret_cast<ev_watcher*>(w);
  if (int status = Adopt(entry.foreign(), base, reinterpret_cast<StopFn>(stop), cleanup)) return status;
  start(loop, w);
  return 0;
}

// A watcher of a loop that is gone only needs marking stopped; one that is
// nobody's is stopped already.
int StopDead(struct ev_loop* loop, ev_watcher* w, int status) {
  std::lock_guard<std::mutex> guard(TrackMutex());
  auto it = TrackTable().find(w);
  if (it == TrackTable().end()) return Busy(w) ? status : 0;
  if (!it->second.owner->retired || it->second.owner->loop != loop) return status;
  w->active = 0;
  w->pending = 0;
  it->second.owner->mine.erase(w);
  TrackTable().erase(it);
  return 0;
}

template <class W>
int Stop(struct ev_loop* loop, W* w, void (*stop)(struct ev_loop*, W*)) {
  if (w == nullptr) return -EINVAL;
  auto* base = reinterpret_cast<ev_watcher*>(w);
  Entry entry(loop, /*wake=*/true);
  if (entry.status() == -ENOENT) return StopDead(loop, base, -ENOENT);
  if (entry.status() != 0) return entry.status();
  std::lock_guard<std::mutex> guard(TrackMutex());
  auto it = TrackTable().find(base);
  if (it == TrackTable().end() || it->second.owner != entry.foreign()) return Busy(base) ? -EINVAL : 0;
  stop(loop, w);
  entry.foreign()->mine.erase(base);
  TrackTable().erase(it);
  Rebalance(entry.foreign(), loop);
  return 0;
}

// An operation on a watcher this loop tracks.
template <class R, class W, class Op>
R OnOwned(struct ev_loop* loop, W* w, bool wake, R failed, Op op) {
  if (w == nullptr) return failed;
  Entry entry(loop, wake);
  if (entry.status() != 0) return failed;
  std::lock_guard<std::mutex> guard(TrackMutex());
  if (!Owned(entry.foreign(), reinterpret_cast<ev_watcher*>(w))) return failed;
  return op(loop, w);
}

bool Finite(ev_tstamp t) { return std::isfinite(t); }

int CheckIo(struct ev_loop* loop, ev_io* w) {
  if (w->fd < 0 || (w->events & ~(EV__IOFDSET | EV_READ | EV_WRITE)) != 0) return -EINVAL;
  if (FdClosed(w->fd)) return -EBADF;
  if (ev_backend(loop) == EVBACKEND_EPOLL && IsEpollInstance(w->fd)) return -EINVAL;
  return 0;
}

int CheckTimer(struct ev_loop*, ev_timer* w) {
  return Finite(w->at) && Finite(w->repeat) && w->repeat >= 0 ? 0 : -EINVAL;
}

int CheckPeriodic(struct ev_loop*, ev_periodic* w) {
  if (w->reschedule_cb != nullptr) return -EINVAL;
  return Finite(w->offset) && Finite(w->interval) && w->interval >= 0 ? 0 : -EINVAL;
}

int CheckStat(struct ev_loop*, ev_stat* w) {
  return w->path != nullptr && Finite(w->interval) && w->interval >= 0 ? 0 : -EINVAL;
}

// ---------------------------------------------------------------- evkit's own

struct ev_loop* LoopFromValue(napi_env env, napi_value value) {
  napi_valuetype type = napi_undefined;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_bigint) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "evkit: expected a Loop's ptr (a bigint: loop.ptr)");
    return nullptr;
  }
  uint64_t raw = 0;
  bool lossless = false;
  napi_get_value_bigint_uint64(env, value, &raw, &lossless);
  auto* loop = reinterpret_cast<struct ev_loop*>(static_cast<uintptr_t>(raw));
  std::shared_ptr<LoopCore> core = lossless && raw != 0 ? registry::FindAny(loop) : nullptr;
  if (core == nullptr || core->destroyed()) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE",
                           "evkit: ptr is not a live evkit loop (pass the ptr of a Loop that is not destroyed)");
    return nullptr;
  }
  if (!core->OnJsThread()) {
    napi_throw_error(env, "EVKIT_WRONG_THREAD", "evkit: that loop belongs to another thread");
    return nullptr;
  }
  LoopCore::Lock lock(core.get());
  ForeignLoop::Ensure(core.get());
  return loop;
}

int LockLoop(struct ev_loop* loop) {
  Entry entry(loop, false, /*lock=*/false);
  if (entry.status() != 0) return entry.status();
  if (!entry.core()->OnJsThread()) return -EPERM;
  entry.core()->ApiLock();
  return 0;
}

int UnlockLoop(struct ev_loop* loop) {
  Entry entry(loop, false, /*lock=*/false);
  if (entry.status() != 0) return entry.status();
  if (!entry.core()->OnJsThread()) return -EPERM;
  return entry.core()->ApiUnlock() ? 0 : -EINVAL;
}

int Hold(struct ev_loop* loop) {
  Entry entry(loop, true);
  if (entry.status() != 0) return entry.status();
  if (!entry.core()->OnJsThread()) return -EPERM;
  entry.foreign()->holds++;
  entry.core()->EvRef();
  return 0;
}

int Release(struct ev_loop* loop) {
  Entry entry(loop, true);
  if (entry.status() != 0) return entry.status();
  if (!entry.core()->OnJsThread()) return -EPERM;
  if (entry.foreign()->holds == 0) return -EINVAL;
  entry.foreign()->holds--;
  entry.core()->EvUnref();
  return 0;
}

int PostToJs(struct ev_loop* loop, napi_env env, evkit_post_cb cb, void* data) {
  if (env == nullptr || cb == nullptr) return -EINVAL;
  // From a cleanup watcher while the loop is freed: run right after.
  if (LoopCore* destroying = DestroyingHere(loop)) {
    destroying->Post(env, cb, data);
    return 0;
  }
  Entry entry(loop, true);
  if (entry.status() != 0) return entry.status();
  entry.core()->Post(env, cb, data);
  return 0;
}

int Attached(struct ev_loop* loop) {
  Entry entry(loop, false);
  return entry.status() != 0 ? entry.status() : entry.core()->attached() ? 1 : 0;
}

// ---------------------------------------------------------------- libev's

ev_tstamp Now(struct ev_loop* loop) {
  Entry entry(loop, false);
  return entry.status() != 0 ? NAN : ev_now(loop);
}

int NowUpdate(struct ev_loop* loop) {
  Entry entry(loop, false);
  if (entry.status() != 0) return entry.status();
  ev_now_update(loop);
  return 0;
}

int Ref(struct ev_loop* loop) {
  Entry entry(loop, true);
  if (entry.status() != 0) return entry.status();
  if (entry.foreign()->unrefs == 0) return -EINVAL;
  entry.foreign()->unrefs--;
  ev_ref(loop);
  return 0;
}

int Unref(struct ev_loop* loop) {
  Entry entry(loop, true);
  if (entry.status() != 0) return entry.status();
  std::lock_guard<std::mutex> guard(TrackMutex());
  if (entry.foreign()->unrefs >= entry.foreign()->ActiveWatchers()) return -EINVAL;
  entry.foreign()->unrefs++;
  ev_unref(loop);
  return 0;
}

int BreakLoop(struct ev_loop* loop, int how) {
  if (how != EVBREAK_CANCEL && how != EVBREAK_ONE && how != EVBREAK_ALL) return -EINVAL;
  Entry entry(loop, false);
  if (entry.status() != 0) return entry.status();
  entry.core()->Break(how);
  return 0;
}

int FeedEvent(struct ev_loop* loop, void* w, int revents) {
  return OnOwned(loop, static_cast<ev_watcher*>(w), true, -EINVAL, [revents](struct ev_loop* l, ev_watcher* x) {
    ev_feed_event(l, x, revents);
    return 0;
  });
}

int Invoke(struct ev_loop* loop, void* w, int revents) {
  return OnOwned(loop, static_cast<ev_watcher*>(w), false, -EINVAL, [revents](struct ev_loop* l, ev_watcher* x) {
    ev_invoke(l, x, revents);
    return 0;
  });
}

int ClearPending(struct ev_loop* loop, void* w) {
  return OnOwned(loop, static_cast<ev_watcher*>(w), false, -EINVAL,
                 [](struct ev_loop* l, ev_watcher* x) { return ev_clear_pending(l, x); });
}

int TimerAgain(struct ev_loop* loop, ev_timer* w) {
  if (w == nullptr || w->cb == nullptr || !Finite(w->repeat) || w->repeat < 0) return -EINVAL;
  Entry entry(loop, true);
  if (entry.status() != 0) return entry.status();
  if (entry.core()->suspended()) return -EAGAIN;
  std::lock_guard<std::mutex> guard(TrackMutex());
  auto* base = reinterpret_cast<ev_watcher*>(w);
  if (int status = Adopt(entry.foreign(), base, reinterpret_cast<StopFn>(&ev_timer_stop), false)) return status;
  ev_timer_again(loop, w);
  return 0;
}

ev_tstamp TimerRemaining(struct ev_loop* loop, ev_timer* w) {
  return OnOwned(loop, w, false, static_cast<ev_tstamp>(NAN),
                 [](struct ev_loop* l, ev_timer* x) { return ev_timer_remaining(l, x); });
}

int PeriodicAgain(struct ev_loop* loop, ev_periodic* w) {
  if (w == nullptr) return -EINVAL;
  if (int status = CheckPeriodic(loop, w)) return status;
  return OnOwned(loop, w, true, -EINVAL, [](struct ev_loop* l, ev_periodic* x) {
    ev_periodic_again(l, x);
    return 0;
  });
}

int AsyncSend(struct ev_loop* loop, ev_async* w) {
  if (loop == nullptr || w == nullptr) return -EINVAL;
  // From any thread: the table's lock keeps the loop from being destroyed
  // under the send (Retire takes it first).
  std::lock_guard<std::mutex> guard(TrackMutex());
  auto it = TrackTable().find(reinterpret_cast<ev_watcher*>(w));
  if (it == TrackTable().end() || it->second.owner->retired || it->second.owner->loop != loop) return -ENOENT;
  ev_async_send(loop, w);
  return 0;
}

int StatStat(struct ev_loop* loop, ev_stat* w) {
  return OnOwned(loop, w, false, -EINVAL, [](struct ev_loop* l, ev_stat* x) {
    ev_stat_stat(l, x);
    return 0;
  });
}

#define EVKIT_START_STOP(kind, check)                                                             \
  int kind##Start(struct ev_loop* loop, ev_##kind* w) {                                           \
    return Start(loop, w, &ev_##kind##_start, &ev_##kind##_stop, check);                          \
  }                                                                                               \
  int kind##Stop(struct ev_loop* loop, ev_##kind* w) { return Stop(loop, w, &ev_##kind##_stop); }

EVKIT_START_STOP(io, CheckIo)
EVKIT_START_STOP(timer, CheckTimer)
EVKIT_START_STOP(periodic, CheckPeriodic)
EVKIT_START_STOP(idle, nullptr)
EVKIT_START_STOP(prepare, nullptr)
EVKIT_START_STOP(check, nullptr)
EVKIT_START_STOP(fork, nullptr)
EVKIT_START_STOP(async, nullptr)
EVKIT_START_STOP(stat, CheckStat)
#undef EVKIT_START_STOP

int cleanupStart(struct ev_loop* loop, ev_cleanup* w) {
  return Start(loop, w, &ev_cleanup_start, &ev_cleanup_stop, nullptr, /*cleanup=*/true);
}
int cleanupStop(struct ev_loop* loop, ev_cleanup* w) { return Stop(loop, w, &ev_cleanup_stop); }

const evkit_api* Table() {
  static const evkit_api table = [] {
    evkit_api t{};
    t.version = EVKIT_API_VERSION;
    t.revision = EVKIT_API_REVISION;
    t.size = sizeof(evkit_api);
    t.libev_major = ev_version_major();
    t.libev_minor = ev_version_minor();
    const uint16_t sizes[EVKIT_SIZE_COUNT] = {
        sizeof(ev_watcher), sizeof(ev_io), sizeof(ev_timer), sizeof(ev_periodic),
        sizeof(ev_idle), sizeof(ev_prepare), sizeof(ev_check), sizeof(ev_fork),
        sizeof(ev_cleanup), sizeof(ev_async), sizeof(ev_stat)};
    std::copy(sizes, sizes + EVKIT_SIZE_COUNT, t.watcher_sizes);
    t.loop_from_value = LoopFromValue;
    t.lock = LockLoop;
    t.unlock = UnlockLoop;
    t.hold = Hold;
    t.release = Release;
    t.post = PostToJs;
    t.attached = Attached;
    t.time = ev_time;
    t.now = Now;
    t.now_update = NowUpdate;
    t.ref = Ref;
    t.unref = Unref;
    t.break_loop = BreakLoop;
    t.feed_event = FeedEvent;
    t.invoke = Invoke;
    t.clear_pending = ClearPending;
    t.io_start = ioStart;
    t.io_stop = ioStop;
    t.timer_start = timerStart;
    t.timer_stop = timerStop;
    t.timer_again = TimerAgain;
    t.timer_remaining = TimerRemaining;
    t.periodic_start = periodicStart;
    t.periodic_stop = periodicStop;
    t.periodic_again = PeriodicAgain;
    t.idle_start = idleStart;
    t.idle_stop = idleStop;
    t.prepare_start = prepareStart;
    t.prepare_stop = prepareStop;
    t.check_start = checkStart;
    t.check_stop = checkStop;
    t.fork_start = forkStart;
    t.fork_stop = forkStop;
    t.cleanup_start = cleanupStart;
    t.cleanup_stop = cleanupStop;
    t.async_start = asyncStart;
    t.async_stop = asyncStop;
    t.async_send = AsyncSend;
    t.stat_start = statStart;
    t.stat_stop = statStop;
    t.stat_stat = StatStat;
    return t;
  }();
  return &table;
}

}  // namespace

napi_value NativeApiValue(napi_env env) {
  static const napi_type_tag tag = {EVKIT_API_TAG_LOWER, EVKIT_API_TAG_UPPER};
  napi_value external = nullptr;
  if (napi_create_external(env, const_cast<evkit_api*>(Table()), nullptr, nullptr, &external) != napi_ok) {
    return nullptr;
  }
  napi_type_tag_object(env, external, &tag);
  return external;
}

}  // namespace evkit
