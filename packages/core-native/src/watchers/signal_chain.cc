#include "watchers/signal_chain.h"

#include <sched.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace evkit {
namespace signal_chain {
namespace {

// Linux/glibc: signals 1..64; glibc keeps 32 and 33 for NPTL.
constexpr int kNumSignals = NSIG;

// The handler touches only lock-free atomics (async-signal-safe).
static_assert(std::atomic<void*>::is_always_lock_free && std::atomic<int>::is_always_lock_free &&
                  std::atomic<uint64_t>::is_always_lock_free,
              "the signal chain needs lock-free atomics");

using PlainHandler = void (*)(int);
using InfoHandler = void (*)(int, siginfo_t*, void*);

struct Target {
  struct ev_loop* loop;
  ev_async* w;
};

// Immutable once published; read by the signal handler without locking.
struct Snapshot {
  size_t count = 0;
  Target* items = nullptr;
};

// What the handler calls after waking the watchers: a function pointer and its
// sa_flags. Atomics, so a handler racing a (re)install never reads a torn value.
struct ChainTo {
  std::atomic<void*> fn{nullptr};
  std::atomic<int> flags{0};
};

struct Slot {
  // Read by the handler.
  std::atomic<Snapshot*> snapshot{nullptr};
  std::atomic<uint64_t> raised{0};
  ChainTo next;   // libuv's handler (Node's listeners)
  ChainTo extra;  // SIGUSR1 only: the handler Node had before (inspector)
  // Guarded by Mutex().
  bool chained = false;
  int envs = 0;                   // envs whose uv_signal_t for this signal is started
  struct sigaction original{};    // in force before evkit's first uv_signal_start
  struct sigaction libuvAction{};  // read back after it: what the chain calls
  std::vector<Target> targets;
};

struct EnvHandle {
  uv_signal_t* handle;
  int watchers;
};

struct Registration {
  int signum;
  uv_loop_t* uv;
};

std::mutex& Mutex() {
  static auto* m = new std::mutex();
  return *m;
}

// Never freed: a signal may arrive while the process exits.
Slot* Slots() {
  static Slot* slots = new Slot[kNumSignals];
  return slots;
}

// Handlers inside a snapshot right now (all signals).
std::atomic<int>& Readers() {
  static auto* readers = new std::atomic<int>(0);
  return *readers;
}

std::map<std::pair<uv_loop_t*, int>, EnvHandle>& Handles() {
  static auto* handles = new std::map<std::pair<uv_loop_t*, int>, EnvHandle>();
  return *handles;
}

std::unordered_map<ev_async*, Registration>& Registered() {
  static auto* registered = new std::unordered_map<ev_async*, Registration>();
  return *registered;
}

void* HandlerOf(const struct sigaction& sa) {
  return (sa.sa_flags & SA_SIGINFO) ? reinterpret_cast<void*>(sa.sa_sigaction)
                                    : reinterpret_cast<void*>(sa.sa_handler);
}

void CallChained(const ChainTo& to, int signum, siginfo_t* info, void* context);

// The chain handler. Async-signal-safe: atomics, ev_async_send (libev documents
// it as safe from signal handlers: a flag and a write(2) to the loop's
// eventfd), and the chained handler. errno is preserved.
void ChainHandler(int signum, siginfo_t* info, void* context) {
  int savedErrno = errno;
  if (signum > 0 && signum < kNumSignals) {
    Slot& slot = Slots()[signum];
    slot.raised.fetch_add(1);
    std::atomic<int>& readers = Readers();
    readers.fetch_add(1);
    Snapshot* snapshot = slot.snapshot.load();
    if (snapshot != nullptr) {
      for (size_t i = 0; i < snapshot->count; i++) {
        ev_async_send(snapshot->items[i].loop, snapshot->items[i].w);
      }
    }
    readers.fetch_sub(1);
    // Function pointers only from here on: code addresses stay valid.
    CallChained(slot.extra, signum, info, context);
    CallChained(slot.next, signum, info, context);
  }
  errno = savedErrno;
}

void CallChained(const ChainTo& to, int signum, siginfo_t* info, void* context) {
  void* fn = to.fn.load();
  if (fn == nullptr || fn == reinterpret_cast<void*>(SIG_DFL) ||
      fn == reinterpret_cast<void*>(SIG_IGN) || fn == reinterpret_cast<void*>(ChainHandler)) {
    return;
  }
  if (to.flags.load() & SA_SIGINFO) {
    reinterpret_cast<InfoHandler>(fn)(signum, info, context);
  } else {
    reinterpret_cast<PlainHandler>(fn)(signum);
  }
}

void SetChainTo(ChainTo* to, const struct sigaction* sa) {
  to->flags.store(sa != nullptr ? sa->sa_flags : 0);
  to->fn.store(sa != nullptr ? HandlerOf(*sa) : nullptr);
}

// Waits until no handler is inside a snapshot that was current before now.
void WaitForReaders() {
  std::atomic<int>& readers = Readers();
  while (readers.load() != 0) sched_yield();
}

// Mutex held: publishes slot.targets to the handler, then frees the old
// snapshot once no handler can still be reading it.
void Publish(Slot& slot) {
  Snapshot* fresh = nullptr;
  if (!slot.targets.empty()) {
    fresh = new Snapshot();
    fresh->count = slot.targets.size();
    fresh->items = new Target[fresh->count];
    for (size_t i = 0; i < fresh->count; i++) fresh->items[i] = slot.targets[i];
  }
  Snapshot* old = slot.snapshot.exchange(fresh);
  WaitForReaders();
  if (old != nullptr) {
    delete[] old->items;
    delete old;
  }
}

// Mutex held; libuv's handler is in place (evkit's uv_signal_t just started).
void InstallChain(int signum, Slot& slot) {
  sigaction(signum, nullptr, &slot.libuvAction);
  SetChainTo(&slot.next, &slot.libuvAction);
  // Node starts its inspector on SIGUSR1 from a handler of its own, which
  // libuv's replaced when evkit's uv_signal_t started: keep calling it.
  void* originalFn = HandlerOf(slot.original);
  bool keepOriginal = signum == SIGUSR1 && originalFn != reinterpret_cast<void*>(SIG_DFL) &&
                      originalFn != reinterpret_cast<void*>(SIG_IGN) &&
                      originalFn != HandlerOf(slot.libuvAction);
  SetChainTo(&slot.extra, keepOriginal ? &slot.original : nullptr);
  struct sigaction chain {};
  chain.sa_sigaction = ChainHandler;
  chain.sa_flags = SA_SIGINFO | SA_RESTART;
  sigfillset(&chain.sa_mask);
  sigaction(signum, &chain, nullptr);
  slot.chained = true;
}

// Mutex held; the last evkit watcher of the signal (process-wide) is gone.
void RemoveChain(int signum, Slot& slot) {
  struct sigaction current {};
  sigaction(signum, nullptr, &current);
  // Somebody who replaced the chain since keeps the signal.
  if (HandlerOf(current) == reinterpret_cast<void*>(ChainHandler)) {
    sigaction(signum, &slot.libuvAction, nullptr);
  }
  slot.chained = false;
}

void CloseHandle(uv_signal_t* handle) {
  uv_signal_stop(handle);
  uv_close(reinterpret_cast<uv_handle_t*>(handle),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_signal_t*>(h); });
}

void NoopSignal(uv_signal_t*, int) {}

}  // namespace

const char* RefusalReason(int signum) {
  if (signum <= 0 || signum >= kNumSignals) return "not a signal number";
  switch (signum) {
    case SIGKILL:
    case SIGSTOP:
      return "it can be neither caught nor ignored";
    case SIGSEGV:
    case SIGBUS:
    case SIGFPE:
    case SIGILL:
      return "V8 and Node handle it themselves (faults, guard pages)";
    default:
      break;
  }
  if (signum == 32 || signum == 33) return "glibc reserves it for its threads' internal use";
  return nullptr;
}

int Start(uv_loop_t* uv, int signum, struct ev_loop* loop, ev_async* w) {
  if (RefusalReason(signum) != nullptr) return UV_EINVAL;
  std::lock_guard<std::mutex> lock(Mutex());
  Slot& slot = Slots()[signum];
  auto key = std::make_pair(uv, signum);
  auto it = Handles().find(key);
  if (it == Handles().end()) {
    bool first = slot.envs == 0;
    if (first) sigaction(signum, nullptr, &slot.original);
    auto* handle = new uv_signal_t();
    int r = uv_signal_init(uv, handle);
    if (r != 0) {
      delete handle;
      return r;
    }
    r = uv_signal_start(handle, NoopSignal, signum);
    if (r != 0) {
      uv_close(reinterpret_cast<uv_handle_t*>(handle),
               [](uv_handle_t* h) { delete reinterpret_cast<uv_signal_t*>(h); });
      return r;
    }
    uv_unref(reinterpret_cast<uv_handle_t*>(handle));
    slot.envs++;
    it = Handles().emplace(key, EnvHandle{handle, 0}).first;
    if (first) InstallChain(signum, slot);
  }
  it->second.watchers++;
  ev_async_start(loop, w);
  Registered()[w] = Registration{signum, uv};
  slot.targets.push_back(Target{loop, w});
  Publish(slot);
  return 0;
}

void Stop(struct ev_loop* loop, ev_async* w) {
  std::unique_lock<std::mutex> lock(Mutex());
  auto reg = Registered().find(w);
  if (reg == Registered().end()) {
    lock.unlock();
    ev_async_stop(loop, w);
    return;
  }
  int signum = reg->second.signum;
  uv_loop_t* uv = reg->second.uv;
  Registered().erase(reg);
  Slot& slot = Slots()[signum];
  for (size_t i = 0; i < slot.targets.size(); i++) {
    if (slot.targets[i].w == w) {
      slot.targets.erase(slot.targets.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  // After this no handler touches w: it may be stopped and freed.
  Publish(slot);
  ev_async_stop(loop, w);

  auto it = Handles().find(std::make_pair(uv, signum));
  if (it == Handles().end() || --it->second.watchers > 0) return;
  uv_signal_t* handle = it->second.handle;
  Handles().erase(it);
  if (slot.envs == 1) RemoveChain(signum, slot);
  // While another env keeps its handle, libuv leaves the disposition alone.
  CloseHandle(handle);
  if (--slot.envs > 0) return;
  // libuv set SIG_DFL if this was its last handle for the signal; otherwise
  // (a Node listener remains) its handler is still in and stays.
  struct sigaction current {};
  sigaction(signum, nullptr, &current);
  if (HandlerOf(current) == reinterpret_cast<void*>(SIG_DFL) &&
      HandlerOf(slot.original) != HandlerOf(slot.libuvAction)) {
    sigaction(signum, &slot.original, nullptr);
  }
  SetChainTo(&slot.extra, nullptr);
}

// signalChainState(signum): { chained, envs, watchers, raised, handler } for
// a signal number, else null. `handler` is the chain handler's address as
// sigaction(2) shows it, so a test can tell whether it is in force.
Napi::Value State(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int signum = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  if (signum <= 0 || signum >= kNumSignals) return env.Null();
  std::lock_guard<std::mutex> lock(Mutex());
  Slot& slot = Slots()[signum];
  Napi::Object out = Napi::Object::New(env);
  out.Set("chained", slot.chained);
  out.Set("envs", slot.envs);
  out.Set("watchers", static_cast<double>(slot.targets.size()));
  out.Set("raised", static_cast<double>(slot.raised.load()));
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx",
                static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(reinterpret_cast<void*>(ChainHandler))));
  out.Set("handler", buf);
  return out;
}

}  // namespace signal_chain
}  // namespace evkit
