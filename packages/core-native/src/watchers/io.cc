// Io (ev_io): readiness of a file descriptor, and the per-loop guard that
// keeps closed fds away from libev.
//
// Debian's libev keeps its asserts, and each backend meets a closed fd its own
// way: poll asserts on POLLNVAL, epoll asserts on EBADF from epoll_ctl (in
// fd_reify), io_uring asserts on an EBADF completion, select reports EV_ERROR.
// An application may close an fd at any moment, and an attached loop's thread
// may be inside the kernel at that moment. IoGuard makes that harmless:
//
// - poll and io_uring loops: libev watches evkit's own duplicate of each fd,
//   so nothing the application closes can be a closed fd for libev. A
//   duplicate is closed only where no thread can be polling it: at once when
//   the loop is blocking or parked in a delivery, otherwise by the loop thread
//   after its poll (LoopCore::ReleaseFd).
//   Before each poll the guard checks every active watcher's own fd and
//   retires the closed ones.
// - epoll loops: the kernel forgets a closed fd by itself, but epoll_ctl on
//   one aborts, and libev registers a started watcher's fd only at its next
//   fd_reify, right before the poll (a started watcher's, and the fd a
//   stopped one leaves to other watchers). The guard checks those fds before
//   each poll and again whenever JS has run on the thread holding the loop
//   (AfterJs), so the last check before fd_reify comes after the last JS
//   that could close them. On an
//   attached loop Node code runs beside the loop thread, so it does not run
//   on until that fd_reify has happened (LoopCore::ReifyBeforeJsGoesOn): a
//   start outside a callback waits for it, a delivery waits at its end. An
//   epoll fd is refused: epoll_ctl on the loop's own one aborts (checked
//   before each start).
// - select loops: libev finds EBADF itself and kills the fd (EV_ERROR).
// - every loop: once a second the guard checks every active watcher's fd, for
//   closes nothing would otherwise notice (an attached loop asleep in the
//   kernel; on epoll, an fd closed after it was registered), and so does its
//   fork watcher right before libev rebuilds its kernel state (loop.reinit(),
//   epoll's own recovery), which re-registers every watched fd.
//
// Retiring is what libev's own fd_kill does: ev_io_stop, then ev_feed_event
// with EV_ERROR|EV_READ|EV_WRITE, so the normal record/deliver path and
// WatcherBase's "libev stopped it" bookkeeping apply; the JS side turns the
// event into an EBADF error. The guard's check runs natively on the loop's
// thread (inside ev_invoke_pending): no JS, no keep-alive counts.
#include "watchers/io.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "fd_checks.h"
#include "internal_watcher.h"
#include "watcher_kind.h"

namespace evkit {
namespace {

// What an EV_ERROR event came from. JS gets it with the event, in revents
// bits libev does not use (WatcherBase::kKindReventsMask): binding.ts NativeIo.
enum Cause : int { kCauseOther = 0, kCauseClosedFd = 1, kCauseClosingFd = 2 };
constexpr int kCauseShift = 28;
static_assert(((kCauseClosingFd | kCauseClosedFd) << kCauseShift & ~WatcherBase::kKindReventsMask) == 0,
              "io's cause bits are a kind's own revents bits");

// How often the guard looks at every watched fd (IoGuard::Sweep), seconds.
constexpr ev_tstamp kSweepInterval = 1.0;

// start(): an epoll instance cannot be watched by an epoll loop.
constexpr int kRefuseEpollFd = -1;

class IoGuard;

// ev_io plus what the guard and the static StopIn need.
struct EvIo : ev_io {
  IoGuard* guard = nullptr;  // null once the loop is destroyed
  int userFd = -1;           // the application's fd; `fd` is what libev watches
  bool ownsFd = false;       // `fd` is evkit's duplicate of userFd
  bool counted = false;      // epoll: in IoGuard's count of active watchers on `fd`
  int cause = kCauseOther;
  // closingFd() took a keep-alive reference so the loop (and, attached, the
  // process) lives until its error event is delivered; released then, or by a
  // stop/start/close first.
  bool closingRef = false;
  // Positions in the guard's lists (-1: not in it), for O(1) removal.
  std::ptrdiff_t watcherSlot = -1;
  std::ptrdiff_t ownedSlot = -1;
};

// An unordered list of watchers that knows where each one is.
class SlotList {
 public:
  explicit SlotList(std::ptrdiff_t EvIo::*slot) : slot_(slot) {}
  void Add(EvIo* w) {
    if (w->*slot_ >= 0) return;
    w->*slot_ = static_cast<std::ptrdiff_t>(items_.size());
    items_.push_back(w);
  }
  void Remove(EvIo* w) {
    std::ptrdiff_t i = w->*slot_;
    if (i < 0) return;
    EvIo* last = items_.back();
    items_[static_cast<size_t>(i)] = last;
    last->*slot_ = i;
    items_.pop_back();
    w->*slot_ = -1;
  }
  void Clear() {
    for (EvIo* w : items_) w->*slot_ = -1;
    items_.clear();
  }
  const std::vector<EvIo*>& items() const { return items_; }

 private:
  std::ptrdiff_t EvIo::*slot_;
  std::vector<EvIo*> items_;
};

int IntArg(const Napi::CallbackInfo& info, size_t i, int fallback) {
  return info[i].IsNumber() ? info[i].As<Napi::Number>().Int32Value() : fallback;
}

class IoGuard final : public LoopCore::Extension {
 public:
  static const char kKey;

  static IoGuard* Find(LoopCore* core) { return static_cast<IoGuard*>(core->FindExtension(&kKey)); }

  // JS thread. Made with the first Io of a loop; lives as long as the loop.
  static IoGuard* Of(LoopCore* core) {
    if (IoGuard* found = Find(core)) return found;
    auto guard = std::make_unique<IoGuard>(core);
    IoGuard* raw = guard.get();
    core->AddExtension(&kKey, std::move(guard));
    return raw;
  }

  explicit IoGuard(LoopCore* core) : core_(core) {
    ev_prepare_init(&prepare_, OnPrepare);
    prepare_.data = this;
    // Lowest priority: after the runCallback drain and the user's prepares
    // (when they run natively, i.e. blocking).
    ev_set_priority(&prepare_, EV_MINPRI);
    ev_init(&sweep_, OnSweep);
    sweep_.data = this;
    ev_fork_init(&fork_, OnFork);
    fork_.data = this;
  }

  // poll and io_uring read the fds only in the kernel call, where an attached
  // loop's thread holds no lock: they get duplicates.
  bool Duplicates() const {
    return !retired_ && (ev_backend(core_->loop()) & (EVBACKEND_POLL | EVBACKEND_IOURING)) != 0;
  }
  bool Epoll() const { return !retired_ && (ev_backend(core_->loop()) & EVBACKEND_EPOLL) != 0; }
  bool retired() const { return retired_; }

  const std::vector<EvIo*>& watchers() const { return watchers_.items(); }
  LoopCore* core() const { return core_; }

  // JS thread, loop lock held.
  void DropClosingRef(EvIo* w) {
    if (!w->closingRef) return;
    w->closingRef = false;
    if (!retired_) core_->EvUnref();
  }

  // The calls below run on the JS thread with the loop lock held.
  void Add(EvIo* w) {
    watchers_.Add(w);
    w->guard = this;
  }

  void Remove(EvIo* w) {
    watchers_.Remove(w);
    owned_.Remove(w);
    w->guard = nullptr;
  }

  // Returns whether the caller must wait for the loop's fd_reify (attached).
  bool Started(EvIo* w) {
    if (retired_) return false;
    struct ev_loop* loop = core_->loop();
    if (!ev_is_active(&sweep_)) {
      ev_timer_set(&sweep_, kSweepInterval, kSweepInterval);
      StartInternal(loop, &sweep_, ev_timer_start);
    }
    bool epoll = Epoll();
    if (!w->ownsFd && !epoll) return false;  // select: libev copes
    StartInternal(loop, &prepare_, ev_prepare_start);
    StartInternal(loop, &fork_, ev_fork_start);
    if (w->ownsFd) {
      owned_.Add(w);
      return false;
    }
    CountIn(w);
    return MarkFresh(w->fd);
  }

  // Returns whether the caller must wait for the loop's fd_reify (attached).
  bool Stopped(EvIo* w) {
    owned_.Remove(w);
    return CountOut(w);
  }

  // libev no longer watches `fd`, one of evkit's duplicates.
  void ReleaseFd(int fd) {
    if (retired_) {
      close(fd);
    } else {
      core_->ReleaseFd(fd);
    }
  }

  // The loop is being destroyed (JS thread, lock held, nobody polls).
  void Retire(struct ev_loop* loop) noexcept override {
    StopInternal(loop, &prepare_, ev_prepare_stop);
    StopInternal(loop, &sweep_, ev_timer_stop);
    StopInternal(loop, &fork_, ev_fork_stop);
    for (EvIo* w : watchers_.items()) w->guard = nullptr, w->counted = false;
    watchers_.Clear();
    activeOnFd_.clear();
    markedAt_.clear();
    owned_.Clear();
    freshFds_.clear();
    retired_ = true;
  }

 private:
  // `fd` goes to the kernel (epoll_ctl) at the loop's next fd_reify: check
  // it until then. Returns whether a start or stop outside a callback must
  // wait for that; inside one, the delivery's end waits.
  bool MarkFresh(int fd) {
    const uint64_t now = core_->reifications();
    if (now != freshAt_) freshFds_.clear();  // registered since
    freshAt_ = now;
    const auto slot = static_cast<size_t>(fd);
    if (slot >= markedAt_.size()) markedAt_.resize(slot + 1, 0);
    // Once per fd and reification (+1: 0 means never).
    if (markedAt_[slot] != now + 1) {
      markedAt_[slot] = now + 1;
      freshFds_.push_back(fd);
    }
    core_->ReifyBeforeJsGoesOn();
    return !core_->InCallback();
  }

  void CountIn(EvIo* w) {
    if (w->counted) return;
    const auto fd = static_cast<size_t>(w->fd);
    if (fd >= activeOnFd_.size()) activeOnFd_.resize(fd + 1, 0);
    activeOnFd_[fd]++;
    w->counted = true;
  }

  // A stopped watcher leaves the others on its fd number to libev, which
  // registers their events again (epoll_ctl) when they change. One of them
  // may be watching an fd the application closed (misuse the sweep has not
  // found yet): its fd is checked like a new one. Returns whether to wait
  // (MarkFresh).
  bool CountOut(EvIo* w) {
    if (!w->counted) return false;
    w->counted = false;
    if (--activeOnFd_[static_cast<size_t>(w->fd)] == 0) return false;
    return MarkFresh(w->fd);
  }

  // The loop's thread (attached) or the JS thread inside run() (blocking);
  // either way nobody is polling: this is the prepare phase, before fd_reify.
  void Check(struct ev_loop* loop) noexcept {
    // Duplicates stay valid for libev whatever the application closes: check
    // the application's fds, so a closed one surfaces as an error.
    const std::vector<EvIo*>& owned = owned_.items();
    for (size_t i = owned.size(); i-- > 0;) {
      EvIo* w = owned[i];
      if (ev_is_active(w) && FdClosed(w->userFd)) {
        owned_.Remove(w);  // moves the last one here: already checked
        Kill(loop, w);
      }
    }
    CheckFresh(loop);
  }

  // epoll: fds about to be registered must be open. They stay on the list
  // until the loop has registered them: JS may run again before that. A
  // closed one retires every watcher on it (a close is the application's
  // misuse: rare, so the scan is affordable).
  void CheckFresh(struct ev_loop* loop) noexcept {
    if (freshFds_.empty()) return;
    if (core_->reifications() != freshAt_) {
      freshFds_.clear();
      return;
    }
    // By index: a kill marks its fd (marked already), never appends.
    for (size_t i = 0; i < freshFds_.size(); i++) {
      const int fd = freshFds_[i];
      if (!FdClosed(fd)) continue;
      for (EvIo* w : watchers_.items()) {
        if (w->counted && w->fd == fd && ev_is_active(w)) Kill(loop, w);
      }
    }
  }

  void AfterJs(struct ev_loop* loop) noexcept override {
    if (!retired_) CheckFresh(loop);
  }

  // Every watcher, every kSweepInterval: finds fds closed while the loop slept
  // in the kernel (nothing woke it), and on epoll fds closed after they were
  // registered (the kernel drops them silently: the watcher would wait forever).
  void Sweep(struct ev_loop* loop) noexcept {
    for (EvIo* w : watchers_.items()) {
      if (!ev_is_active(w) || !FdClosed(w->userFd)) continue;
      owned_.Remove(w);
      Kill(loop, w);
    }
  }

  // libev's fd_kill, for one watcher.
  void Kill(struct ev_loop* loop, EvIo* w) noexcept {
    ev_io_stop(loop, w);
    CountOut(w);
    if (w->ownsFd) {
      close(w->fd);
      w->ownsFd = false;
    }
    w->cause = kCauseClosedFd;
    ev_feed_event(loop, w, EV_ERROR | EV_READ | EV_WRITE);
  }

  static void OnPrepare(struct ev_loop* loop, ev_prepare* w, int) noexcept {
    static_cast<IoGuard*>(w->data)->Check(loop);
  }

  static void OnSweep(struct ev_loop* loop, ev_timer* w, int) noexcept {
    static_cast<IoGuard*>(w->data)->Sweep(loop);
  }

  // libev is about to rebuild its kernel state (loop.reinit(), or epoll's own
  // recovery) and will re-register every watched fd: a closed one would abort.
  static void OnFork(struct ev_loop* loop, ev_fork* w, int) noexcept {
    static_cast<IoGuard*>(w->data)->Sweep(loop);
  }

  LoopCore* core_;  // the guard lives inside the core
  ev_prepare prepare_;
  ev_timer sweep_;
  ev_fork fork_;
  bool retired_ = false;
  SlotList watchers_{&EvIo::watcherSlot};  // every Io of the loop, active or not
  SlotList owned_{&EvIo::ownedSlot};       // active, watched through a duplicate
  // epoll: fds libev registers again at its next fd_reify (a start, or a
  // stop that leaves other watchers on the fd), and when each was marked.
  std::vector<int> freshFds_;
  uint64_t freshAt_ = 0;  // core_->reifications() while freshFds_ was filled
  std::vector<uint64_t> markedAt_;    // per fd number: freshAt_ + 1 when on freshFds_
  std::vector<uint32_t> activeOnFd_;  // epoll: counted active watchers per fd number
};

const char IoGuard::kKey = 0;

// Transient: fd and events live in JS while the watcher is stopped.
class IoWatcher final : public KindWatcher<IoWatcher, EvIo> {
 public:
  static constexpr Kind kKind = kKindIo;

  // libev asserts on a negative fd or a bad mask; the JS layer checks both
  // (a raw binding call with either makes no watcher: EINVAL).
  static WatcherBase* Make(LoopCore* core, double fd, double events, int*) {
    if (!(fd >= 0 && fd <= INT32_MAX) || !(events >= EV_READ && events <= (EV_READ | EV_WRITE))) return nullptr;
    if (static_cast<int>(fd) != fd || static_cast<int>(events) != events) return nullptr;
    return new IoWatcher(core, static_cast<int>(fd), static_cast<int>(events));
  }

  ~IoWatcher() override {
    Leave();
    if (prepared_ >= 0) close(prepared_);
  }

  static IoWatcher* Of(EvIo* w) { return static_cast<IoWatcher*>(WatcherBase::Of(reinterpret_cast<ev_watcher*>(w))); }

  void StartIn(struct ev_loop* loop) {
    IoGuard* guard = ev_.guard;
    if (guard != nullptr) {
      guard->DropClosingRef(&ev_);
      guard->Stopped(&ev_);  // stopped by libev itself (fd_kill), if counted still
    }
    int fd = ev_.userFd;
    bool owns = false;
    if (guard != nullptr && guard->Duplicates()) {
      fd = prepared_ >= 0 ? prepared_ : fcntl(ev_.userFd, F_DUPFD_CLOEXEC, 0);
      prepared_ = -1;
      if (fd < 0) return;  // stays inactive; BeforeStart reports why
      owns = true;
    }
    ev_io_set(&ev_, fd, events_);
    ev_.ownsFd = owns;
    // A restart keeps a pending error event what it was (closingFd's).
    if (!ev_is_pending(&ev_)) ev_.cause = kCauseOther;
    ev_io_start(loop, &ev_);
    if (guard != nullptr && guard->Started(&ev_)) core()->AwaitReify();
  }

  static void StopIn(struct ev_loop* loop, EvIo* w) {
    ev_io_stop(loop, w);
    if (w->guard != nullptr) {
      const bool wait = w->guard->Stopped(w);
      w->guard->DropClosingRef(w);
      if (wait) w->guard->core()->AwaitReify();
    }
    if (w->ownsFd) {
      w->ownsFd = false;
      if (w->guard != nullptr) {
        w->guard->ReleaseFd(w->fd);
      } else {
        close(w->fd);
      }
    }
  }

  // closingFd(): stop, then an error event (JS thread, loop lock held).
  bool RetireForClose() {
    if (!Usable() || !ev_is_active(&ev_) || ev_.guard == nullptr) return false;
    Stop();
    ev_.cause = kCauseClosingFd;
    // Stopped, the watcher no longer keeps the loop alive: hold it until the
    // error event has been delivered (OnErrorEvent), or Node could exit first.
    core()->EvRef();
    ev_.closingRef = true;
    Feed(EV_ERROR | events_);
    return true;
  }

  int userFd() const { return ev_.userFd; }

  // fd and events, for the next start of a stopped (pending) watcher; ignored
  // while active (the JS layer refuses that) and when unusable for libev.
  void ApplyParams(double fd, double events) override {
    if (!(fd >= 0 && fd <= INT32_MAX) || !(events >= EV_READ && events <= (EV_READ | EV_WRITE))) return;
    if (Usable() && ev_is_active(&ev_)) return;
    ev_.userFd = static_cast<int>(fd);
    events_ = static_cast<int>(events);
    if (prepared_ >= 0) {
      close(prepared_);
      prepared_ = -1;
    }
  }

 private:
  IoWatcher(LoopCore* core, int fd, int events) : KindWatcher(core, false), events_(events) {
    ev_.fd = -1;
    ev_.events = 0;
    ev_.userFd = fd;
    LoopCore::Lock lock(core);
    IoGuard::Of(core)->Add(&ev_);
  }

  // Right before a start (JS thread, outside the lock): 0 when it may go
  // ahead, an errno (EBADF: the fd is not open; EMFILE: no duplicate could be
  // made) or kRefuseEpollFd; start() returns it. Makes the duplicate
  // poll/io_uring loops need.
  int BeforeStart() override {
    IoGuard* guard = ev_.guard;
    bool duplicates = false;
    bool epoll = false;
    {
      LoopCore::Lock lock(core());
      if (ev_is_active(&ev_)) return 0;
      if (guard != nullptr) {
        duplicates = guard->Duplicates();
        epoll = guard->Epoll();
      }
    }
    struct stat st;
    if (fstat(ev_.userFd, &st) != 0) return errno;
    // Anonymous inodes (no file type) include epoll instances.
    if (epoll && (st.st_mode & S_IFMT) == 0 && IsEpollInstance(ev_.userFd)) return kRefuseEpollFd;
    if (duplicates) {
      if (prepared_ >= 0) close(prepared_);
      prepared_ = fcntl(ev_.userFd, F_DUPFD_CLOEXEC, 0);
      if (prepared_ < 0) return errno;
    }
    return 0;
  }

  // An ERROR event on its way to JS: it carries its cause, and closingFd's
  // keep-alive reference has done its job.
  int OnErrorEvent(int revents) override {
    int cause = ev_.cause;
    ev_.cause = kCauseOther;
    if (ev_.closingRef && ev_.guard != nullptr && Usable()) {
      LoopCore::Lock lock(core());
      ev_.guard->DropClosingRef(&ev_);
    }
    return revents | (cause << kCauseShift);
  }

  // Stopped already (which released a duplicate through the guard).
  void OnLeavingLoop() override {
    if (ev_.guard != nullptr) ev_.guard->Remove(&ev_);
  }

  int events_ = 0;
  int prepared_ = -1;  // a duplicate made by BeforeStart, for StartIn
};

// ioFdStatus(fd): 0 when fd is open, else the errno of fcntl(F_GETFD).
Napi::Value FdStatus(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, -1);
  if (fd < 0) return Napi::Number::New(info.Env(), EBADF);
  return Napi::Number::New(info.Env(), fcntl(fd, F_GETFD) == -1 ? errno : 0);
}

// ioClosingFd(loopId, fd): every active Io of the loop on `fd` stops and gets
// an error event; returns how many did.
Napi::Value ClosingFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoopCore* core = GetEnvState(env)->loops.Find(NumberArg(info, 0));
  if (core == nullptr || core->destroyed()) return env.Undefined();
  int fd = IntArg(info, 1, -1);
  IoGuard* guard = IoGuard::Find(core);
  int count = 0;
  if (guard != nullptr && fd >= 0) {
    LoopCore::Lock lock(core, /*wake=*/true);
    std::vector<EvIo*> all = guard->watchers();
    for (EvIo* w : all) {
      if (w->userFd == fd && IoWatcher::Of(w)->RetireForClose()) count++;
    }
  }
  return Napi::Number::New(env, count);
}

}  // namespace

void InitIo(Napi::Env env, Napi::Object exports) {
  RegisterKind(kKindIo, &IoWatcher::Make);
  exports.Set("ioFdStatus", Napi::Function::New<FdStatus>(env, "ioFdStatus"));
  exports.Set("ioClosingFd", Napi::Function::New<ClosingFd>(env, "ioClosingFd"));
}

}  // namespace evkit
