// Stat: fires when a path's lstat() attributes change.
//
// evkit's own implementation, not libev's ev_stat: libev compares the time
// stamps in whole seconds, so a same-size rewrite within one second is never
// reported, and its inotify path leads straight into that comparison. Here
// mtime and ctime are compared to the nanosecond (atime, like libev, to the
// second, so reading a file does not count as a change). Everything else
// follows libev's design (ev.c, ev_stat):
//
// - one inotify fd per loop (created with the loop's first active Stat, closed
//   with its last), read by an internal, unref'd ev_io at EV_MAXPRI; every
//   event for a watched path re-runs lstat() and the comparison;
// - a path that does not exist is watched through its nearest existing
//   ancestor directory (creation hints), and re-resolved on every event there;
// - back-up polling with an ev_timer: none on local file systems libev trusts,
//   `interval` (default 30.1074891 s) on others, `interval` (default
//   5.0074891 s) without inotify (FLAG_NOINOTIFY, no inotify instance left)
//   or while the path is missing; `interval` is clamped to >= 0.1074891 s;
// - lstat(): symbolic links are watched themselves, not followed.
//
// The libev watcher evkit's base sees is that ev_timer (StatEv derives from
// it): it is active exactly while the Stat is started (with a dormant period
// when nothing needs polling), and a detected change is fed to it as EV_STAT,
// so deliveries take the ordinary path (priority, pending, attached hand-off).
// On an attached loop the inotify and timer callbacks, hence the lstat()
// calls, run natively on the loop thread; JS reads attr/prev under the lock.
#include "watchers/stat.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#ifdef __linux__
#include <sys/inotify.h>
#include <sys/vfs.h>
#define EVKIT_INOTIFY 1
#else
#define EVKIT_INOTIFY 0
#endif

#include "internal_watcher.h"
#include "watcher_kind.h"

namespace evkit {
namespace {

// libev's constants, so intervals read back as with ev_stat.
constexpr ev_tstamp kMinInterval = 0.1074891;
constexpr ev_tstamp kDefaultInterval = 5.0074891;
constexpr ev_tstamp kRemoteInterval = 30.1074891;
// The timer's period when no polling is needed: it only marks the watcher active.
constexpr ev_tstamp kDormant = 1e9;

struct Inotify;

struct StatEv : ev_timer {
  const char* path;     // owned by the StatWatcher, which outlives every use
  Inotify* infy;        // this loop's inotify, or null: polling only
  int wd;               // inotify watch descriptor, -1 for none
  bool onAncestor;      // wd watches an existing ancestor of a missing path
  bool hasAttr;         // attr was read at least once
  ev_tstamp interval;   // as given, clamped like libev's on start (0: default)
  ev_tstamp poll;       // current back-up poll period, 0 for none
  struct stat attr;
  struct stat prev;
};

// Reads the path's attributes; nlink 0 means "does not exist" (libev's rule).
void ReadAttr(const char* path, struct stat* out) {
  if (lstat(path, out) != 0) {
    std::memset(out, 0, sizeof *out);
  } else if (out->st_nlink == 0) {
    out->st_nlink = 1;
  }
}

bool SameTime(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

bool Differs(const struct stat& a, const struct stat& b) {
  return a.st_dev != b.st_dev || a.st_ino != b.st_ino || a.st_mode != b.st_mode ||
         a.st_nlink != b.st_nlink || a.st_uid != b.st_uid || a.st_gid != b.st_gid ||
         a.st_rdev != b.st_rdev || a.st_size != b.st_size || a.st_atim.tv_sec != b.st_atim.tv_sec ||
         !SameTime(a.st_mtim, b.st_mtim) || !SameTime(a.st_ctim, b.st_ctim);
}

// lstat() again; on a difference the old attributes become prev.
bool Refresh(StatEv* w) {
  struct stat now;
  ReadAttr(w->path, &now);
  bool changed = w->hasAttr && Differs(w->attr, now);
  if (changed) w->prev = w->attr;
  w->attr = now;
  w->hasAttr = true;
  return changed;
}

void SetPoll(struct ev_loop* loop, StatEv* w, ev_tstamp poll) {
  w->poll = poll;
  ev_tstamp period = poll > 0 ? poll : kDormant;
  if (w->repeat != period || !ev_is_active(w)) {
    // ev_timer_again clears a pending event: keep a reported change reported.
    bool pending = ev_is_pending(w) != 0;
    w->repeat = period;
    ev_timer_again(loop, w);  // repeat > 0: (re)starts it, `period` from now
    if (pending) ev_feed_event(loop, w, EV_STAT);
  }
}

#if EVKIT_INOTIFY

constexpr uint32_t kPathMask = IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_MODIFY | IN_CREATE |
                               IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DONT_FOLLOW | IN_MASK_ADD;
constexpr uint32_t kAncestorMask = IN_DELETE_SELF | IN_MOVE_SELF | IN_MASK_ADD | IN_ONLYDIR;
// The watch is gone: the kernel dropped it (deleted, unmounted).
constexpr uint32_t kWatchGone = IN_IGNORED | IN_UNMOUNT;
// The watched inode left the path: resolve the path again.
constexpr uint32_t kLeftPath = IN_DELETE_SELF | IN_MOVE_SELF;

void OnInotify(struct ev_loop* loop, ev_io* io, int revents) noexcept;

// A loop's inotify instance: made with its first active Stat, closed with its
// last. Kept beside the loop (LoopCore::Extension, JS thread, loop lock held);
// the loop thread reaches it through io.data.
struct Inotify final : LoopCore::Extension {
  static const char kKey;
  struct ev_loop* loop = nullptr;
  int fd = -1;
  int users = 0;
  ev_io io;
  std::unordered_map<int, std::vector<StatEv*>> byWd;

  void Retire(struct ev_loop* from) noexcept override {
    // Every Stat left the loop already; nobody polls now.
    StopInternal(from, &io, ev_io_stop);
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

const char Inotify::kKey = 0;

Inotify* Acquire(LoopCore* core) {
  auto* infy = static_cast<Inotify*>(core->FindExtension(&Inotify::kKey));
  if (infy == nullptr) {
    auto made = std::make_unique<Inotify>();
    infy = made.get();
    infy->loop = core->loop();
    core->AddExtension(&Inotify::kKey, std::move(made));
  }
  if (infy->users == 0) {
    infy->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (infy->fd < 0) return nullptr;  // e.g. max_user_instances reached: poll instead
    ev_io_init(&infy->io, OnInotify, infy->fd, EV_READ);
    infy->io.data = infy;
    ev_set_priority(&infy->io, EV_MAXPRI);
    StartInternal(infy->loop, &infy->io, ev_io_start);
  }
  infy->users++;
  return infy;
}

void Release(Inotify* infy, LoopCore* core) {
  if (--infy->users > 0) return;
  StopInternal(infy->loop, &infy->io, ev_io_stop);
  // An attached loop's thread may be in the kernel with the fd right now.
  core->ReleaseFd(infy->fd);
  infy->fd = -1;
}

void Unwatch(StatEv* w, bool gone) {
  if (w->wd < 0) return;
  Inotify* infy = w->infy;
  auto it = infy->byWd.find(w->wd);
  if (it != infy->byWd.end()) {
    std::vector<StatEv*>& list = it->second;
    for (size_t i = 0; i < list.size(); i++) {
      if (list[i] == w) {
        list[i] = list.back();
        list.pop_back();
        break;
      }
    }
    if (list.empty()) {
      infy->byWd.erase(it);
      if (!gone) inotify_rm_watch(infy->fd, w->wd);
    }
  }
  w->wd = -1;
  w->onAncestor = false;
}

// The nearest ancestor directory of `p` ("a/b" -> "a" -> "."; "/a" -> "/").
bool Parent(std::string* p) {
  std::string& s = *p;
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  if (s == "/" || s == "." || s.empty()) return false;
  size_t slash = s.find_last_of('/');
  if (slash == std::string::npos) {
    s = ".";
  } else if (slash == 0) {
    s = "/";
  } else {
    s.resize(slash);
    while (s.size() > 1 && s.back() == '/') s.pop_back();
  }
  return true;
}

// Known local file systems, where inotify sees every change (libev's list
// plus f2fs): no back-up polling there.
bool IsLocal(const char* path) {
  // statfs follows symbolic links, but the watch is on the link itself, which
  // lives in its directory's file system: judge a link by its directory.
  struct stat st;
  struct statfs sfs;
  if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
    std::string dir = path;
    if (!Parent(&dir) || statfs(dir.c_str(), &sfs) != 0) return false;
  } else if (statfs(path, &sfs) != 0) {
    return false;
  }
  switch (static_cast<unsigned long>(sfs.f_type)) {
    case 0x1373UL:      // devfs
    case 0x4006UL:      // fat
    case 0x4d44UL:      // msdos
    case 0xEF53UL:      // ext2/3/4
    case 0x72b6UL:      // jffs2
    case 0x858458f6UL:  // ramfs
    case 0x5346544eUL:  // ntfs
    case 0x3153464aUL:  // jfs
    case 0x9123683eUL:  // btrfs
    case 0x52654973UL:  // reiserfs
    case 0x01021994UL:  // tmpfs
    case 0x58465342UL:  // xfs
    case 0xF2F52010UL:  // f2fs
      return true;
    default:
      return false;
  }
}

#endif  // EVKIT_INOTIFY

// (Re)establishes the inotify watch for w's path (or its nearest existing
// ancestor) and the back-up poll period. `gone`: w's current wd no longer
// exists in the kernel.
void Watch(struct ev_loop* loop, StatEv* w, bool gone) {
  ev_tstamp poll = w->interval > 0 ? w->interval : kDefaultInterval;
#if EVKIT_INOTIFY
  if (w->infy != nullptr) {
    int fd = w->infy->fd;
    bool ancestor = false;
    int wd = inotify_add_watch(fd, w->path, kPathMask);
    if (wd >= 0) {
      poll = IsLocal(w->path) ? 0. : (w->interval > 0 ? w->interval : kRemoteInterval);
    } else if (errno == ENOENT || errno == EACCES || errno == ENOTDIR) {
      // Missing (or unreadable): watch the nearest ancestor for hints; keep polling.
      std::string dir = w->path;
      int why = errno;
      while (Parent(&dir)) {
        uint32_t mask = kAncestorMask | (why == EACCES ? IN_ATTRIB : (IN_CREATE | IN_MOVED_TO));
        wd = inotify_add_watch(fd, dir.c_str(), mask);
        if (wd >= 0) {
          ancestor = true;
          break;
        }
        if (errno != ENOENT && errno != EACCES && errno != ENOTDIR) break;
        why = errno;
      }
    }
    if (wd != w->wd || gone) {
      Unwatch(w, gone);
      if (wd >= 0) {
        w->wd = wd;
        w->infy->byWd[wd].push_back(w);
      }
    }
    w->onAncestor = wd >= 0 && ancestor;
  }
#endif
  SetPoll(loop, w, poll);
}

// A change was seen: report it (as libev does, after re-resolving the watch,
// so a replaced file is followed to its new inode).
void Changed(struct ev_loop* loop, StatEv* w) {
#if EVKIT_INOTIFY
  if (w->infy != nullptr) {
    Watch(loop, w, false);
    struct stat again;  // the inode may have changed between lstat and add_watch
    ReadAttr(w->path, &again);
    w->attr = again;
  }
#endif
  ev_feed_event(loop, w, EV_STAT);
}

#if EVKIT_INOTIFY

// Loop thread (attached) or the JS thread inside run(): native only; changes
// are fed to the watchers and delivered later in the same pass.
void OnInotify(struct ev_loop* loop, ev_io* io, int) noexcept {
  auto* infy = static_cast<Inotify*>(io->data);
  alignas(struct inotify_event) char buf[8192];
  std::vector<std::pair<StatEv*, uint32_t>> hits;
  auto hit = [&hits](StatEv* w, uint32_t mask) {
    for (auto& h : hits) {
      if (h.first == w) {
        h.second |= mask;
        return;
      }
    }
    hits.emplace_back(w, mask);
  };
  bool overflow = false;
  for (int round = 0; round < 16; round++) {
    ssize_t n = read(infy->fd, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t off = 0; off + static_cast<ssize_t>(sizeof(struct inotify_event)) <= n;) {
      auto* ev = reinterpret_cast<struct inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(struct inotify_event) + ev->len);
      if (ev->mask & IN_Q_OVERFLOW) {
        overflow = true;
        continue;
      }
      auto it = infy->byWd.find(ev->wd);
      if (it == infy->byWd.end()) continue;  // a watch removed since
      for (StatEv* w : it->second) hit(w, ev->mask);
    }
  }
  if (overflow) {
    // Events were lost: look at every watcher again.
    for (auto& entry : infy->byWd) {
      for (StatEv* w : entry.second) hit(w, 0);
    }
  }
  for (auto& h : hits) {
    StatEv* w = h.first;
    uint32_t mask = h.second;
    bool gone = (mask & kWatchGone) != 0;
    if (gone || w->onAncestor || (mask & kLeftPath) != 0 || overflow) Watch(loop, w, gone);
    if (Refresh(w)) Changed(loop, w);
  }
}

#endif  // EVKIT_INOTIFY

// Persistent: attr and prev stay readable while stopped, so the native half
// lives from the JS constructor (statCreate) to close() or the GC.
class StatWatcher final : public KindWatcher<StatWatcher, StatEv> {
 public:
  static constexpr Kind kKind = kKindStat;

  // statCreate(loopId, flags, path: Buffer, interval): the new watcher's id,
  // or 0 (watcherStatus() says why; EINVAL for a path the JS layer would
  // have refused).
  static Napi::Value Create(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    EnvState* state = GetEnvState(env);
    LoopCore* core = LoopForNewWatcher(state, NumberArg(info, 0));
    if (core == nullptr) return Napi::Number::New(env, 0);
    if (info.Length() < 3 || !info[2].IsBuffer()) {
      state->lastStatus = EINVAL;
      return Napi::Number::New(env, 0);
    }
    auto bytes = info[2].As<Napi::Buffer<char>>();
    std::string path(bytes.Data(), bytes.Length());
    if (path.empty() || path.find('\0') != std::string::npos) {
      state->lastStatus = EINVAL;
      return Napi::Number::New(env, 0);
    }
    double interval = NumberArg(info, 3);
    auto* w = new StatWatcher(core, std::move(path), interval);
    if (w == nullptr) {
      state->lastStatus = ENOMEM;
      return Napi::Number::New(env, 0);
    }
    ApplyWatcherFlags(w, NumberArg(info, 1));
    return Napi::Number::New(env, w->id());
  }

  void StartIn(struct ev_loop* loop) {
    if (ev_.path == nullptr) return;
    RefreshNowOutsideCallbacks();
    if (ev_.interval > 0 && ev_.interval < kMinInterval) ev_.interval = kMinInterval;
    // As ev_stat_start: attr is read afresh, prev stays what it was.
    ReadAttr(ev_.path, &ev_.attr);
    ev_.hasAttr = true;
#if EVKIT_INOTIFY
    if ((core()->flags() & EVFLAG_NOINOTIFY) == 0) ev_.infy = Acquire(core());
#endif
    Watch(loop, &ev_, false);
  }

  static void StopIn(struct ev_loop* loop, StatEv* w) {
#if EVKIT_INOTIFY
    if (w->infy != nullptr) {
      Unwatch(w, false);
      Release(w->infy, static_cast<LoopCore*>(w->data));
      w->infy = nullptr;
    }
#endif
    w->poll = 0;
    ev_timer_stop(loop, w);
  }

 public:
  // A fed EV_TIMER travels as kFedTimer, so that it is not taken for the
  // back-up poll timer's own expiry.
  static constexpr int kFedTimer = 0x40000000;
  static_assert((kFedTimer & ~kKindReventsMask) == 0, "a kind's own revents bit");
  int FedRevents(int revents) const override {
    return (revents & EV_TIMER) != 0 ? (revents & ~EV_TIMER) | kFedTimer : revents;
  }

  // The timer's callback: user events (fed changes, feed()) are delivered;
  // an expiry is a back-up poll.
  static void OnTimer(struct ev_loop* loop, ev_timer* t, int revents) noexcept {
    auto* w = static_cast<StatEv*>(t);
    int user = revents & ~EV_TIMER;
    if ((user & kFedTimer) != 0) user = (user & ~kFedTimer) | EV_TIMER;
    if (user != 0) Trampoline(loop, reinterpret_cast<ev_watcher*>(t), user);
    // The callback may have stopped it (or destroyed the loop).
    if ((revents & EV_TIMER) != 0 && ev_is_active(t) && Refresh(w)) Changed(loop, w);
  }

  Napi::Value Snapshot(Napi::Env env, bool previous) {
    struct stat st;
    bool has;
    {
      std::unique_ptr<LoopCore::Lock> lock;
      if (Usable()) lock.reset(new LoopCore::Lock(core()));
      has = ev_.hasAttr;
      st = previous ? ev_.prev : ev_.attr;
    }
    if (!has || st.st_nlink == 0) return env.Null();
    Napi::Float64Array out = Napi::Float64Array::New(env, 16);
    double* d = out.Data();
    d[0] = static_cast<double>(st.st_dev);
    d[1] = static_cast<double>(st.st_ino);
    d[2] = static_cast<double>(st.st_mode);
    d[3] = static_cast<double>(st.st_nlink);
    d[4] = static_cast<double>(st.st_uid);
    d[5] = static_cast<double>(st.st_gid);
    d[6] = static_cast<double>(st.st_rdev);
    d[7] = static_cast<double>(st.st_size);
    d[8] = static_cast<double>(st.st_blksize);
    d[9] = static_cast<double>(st.st_blocks);
    d[10] = static_cast<double>(st.st_atim.tv_sec);
    d[11] = static_cast<double>(st.st_atim.tv_nsec);
    d[12] = static_cast<double>(st.st_mtim.tv_sec);
    d[13] = static_cast<double>(st.st_mtim.tv_nsec);
    d[14] = static_cast<double>(st.st_ctim.tv_sec);
    d[15] = static_cast<double>(st.st_ctim.tv_nsec);
    return out;
  }

  Napi::Value Attr(const Napi::CallbackInfo& info) { return Snapshot(info.Env(), false); }
  Napi::Value Prev(const Napi::CallbackInfo& info) { return Snapshot(info.Env(), true); }

  // stat(): lstat now into attr (libev's ev_stat_stat: prev stays, nothing fires).
  Napi::Value StatNow(const Napi::CallbackInfo& info) {
    std::unique_ptr<LoopCore::Lock> lock;
    if (Usable()) lock.reset(new LoopCore::Lock(core()));
    ReadAttr(ev_.path, &ev_.attr);
    ev_.hasAttr = true;
    return info.Env().Undefined();
  }

  template <class T>
  Napi::Value Read(const Napi::CallbackInfo& info, T value) {
    return Napi::Number::New(info.Env(), static_cast<double>(value));
  }

  Napi::Value Interval(const Napi::CallbackInfo& info) {
    std::unique_ptr<LoopCore::Lock> lock;
    if (Usable()) lock.reset(new LoopCore::Lock(core()));
    return Read(info, ev_.interval);
  }

  Napi::Value PollInterval(const Napi::CallbackInfo& info) {
    std::unique_ptr<LoopCore::Lock> lock;
    if (Usable()) lock.reset(new LoopCore::Lock(core()));
    return Read(info, ev_is_active(&ev_) ? ev_.poll : 0.);
  }

  Napi::Value UsesInotify(const Napi::CallbackInfo& info) {
    std::unique_ptr<LoopCore::Lock> lock;
    if (Usable()) lock.reset(new LoopCore::Lock(core()));
    return Napi::Boolean::New(info.Env(), ev_is_active(&ev_) && ev_.infy != nullptr);
  }

 private:
  StatWatcher(LoopCore* core, std::string path, double interval)
      : KindWatcher(core, true), path_(std::move(path)) {
    ev_.cb = &StatWatcher::OnTimer;
    ev_.infy = nullptr;
    ev_.wd = -1;
    ev_.onAncestor = false;
    ev_.hasAttr = false;
    ev_.poll = 0;
    std::memset(&ev_.attr, 0, sizeof ev_.attr);
    std::memset(&ev_.prev, 0, sizeof ev_.prev);
    ev_timer_set(&ev_, 0., kDormant);
    // The JS layer validates; keep nonsense out when the raw binding is misused.
    ev_.interval = interval == interval && interval >= 0 && interval < 1e300 ? interval : 0.;
    ev_.path = path_.c_str();
  }

  std::string path_;
};

}  // namespace

void InitStat(Napi::Env env, Napi::Object exports) {
  exports.Set("statCreate", Napi::Function::New<&StatWatcher::Create>(env, "statCreate"));
  ExportKindFunction<StatWatcher, &StatWatcher::Attr>(env, exports, "statAttr");
  ExportKindFunction<StatWatcher, &StatWatcher::Prev>(env, exports, "statPrev");
  ExportKindFunction<StatWatcher, &StatWatcher::StatNow>(env, exports, "statStat");
  ExportKindFunction<StatWatcher, &StatWatcher::Interval>(env, exports, "statInterval");
  ExportKindFunction<StatWatcher, &StatWatcher::PollInterval>(env, exports, "statPollInterval");
  ExportKindFunction<StatWatcher, &StatWatcher::UsesInotify>(env, exports, "statUsesInotify");
}

}  // namespace evkit
