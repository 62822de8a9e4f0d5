// evkit_testing.node: native helpers only evkit's tests and bench use. It is a
// separate addon of a private package, so nothing here ships in
// @evkit/core-native. It links its own static copy of the same libev build as
// evkit.node (identical code and struct layout), so it can operate on evkit's
// loops by their ev_loop* (loop.ptr). index.js wraps it and does the checks
// that need evkit's state.
#include <napi.h>

#include <ev.h>

#include "api_probe.h"

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_set>

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

// ---------------------------------------------------------------- raw loops

// The raw loops made here, so that no other address ever reaches libev.
std::mutex rawLoopsMutex;
std::unordered_set<struct ev_loop*> rawLoops;

// A bare ev_loop made the way foreign native code would, for the
// `new Loop({ ptr, unsafeForeignPointer: true })` tests.
Napi::Value RawLoopNew(const Napi::CallbackInfo& info) {
  struct ev_loop* loop = ev_loop_new(EVFLAG_NOENV);
  if (loop != nullptr) {
    std::lock_guard<std::mutex> hold(rawLoopsMutex);
    rawLoops.insert(loop);
  }
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(reinterpret_cast<uintptr_t>(loop)));
}

// The raw loop at info[0], or null (a RangeError is pending) when rawLoopNew
// did not make it or it was destroyed.
struct ev_loop* RawLoopArg(const Napi::CallbackInfo& info, bool forget) {
  bool lossless = false;
  uint64_t raw = info[0].IsBigInt() ? info[0].As<Napi::BigInt>().Uint64Value(&lossless) : 0;
  auto* loop = reinterpret_cast<struct ev_loop*>(static_cast<uintptr_t>(raw));
  std::lock_guard<std::mutex> hold(rawLoopsMutex);
  auto it = rawLoops.find(loop);
  if (!lossless || it == rawLoops.end()) {
    Napi::RangeError::New(info.Env(), "not a live loop made by rawLoopNew()").ThrowAsJavaScriptException();
    return nullptr;
  }
  if (forget) rawLoops.erase(it);
  return loop;
}

void RawLoopDestroy(const Napi::CallbackInfo& info) {
  if (struct ev_loop* loop = RawLoopArg(info, /*forget=*/true)) ev_loop_destroy(loop);
}

// Runs a raw loop once without blocking: proves watchers evkit started on it
// are driven by whoever owns the loop.
Napi::Value RawLoopRunNowait(const Napi::CallbackInfo& info) {
  struct ev_loop* loop = RawLoopArg(info, /*forget=*/false);
  if (loop == nullptr) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), ev_run(loop, EVRUN_NOWAIT));
}

// ---------------------------------------------------------------- socketpair

// A connected, non-blocking AF_UNIX stream pair that Node knows nothing about.
Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) {
    Napi::Error::New(env, std::string("socketpair: ") + std::strerror(errno)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, sv[0]);
  out.Set(1u, sv[1]);
  return out;
}

// ---------------------------------------------------------------- sigaction

// sigaction(signum) -> { handler: "SIG_DFL" | "SIG_IGN" | "0x...", flags }, or
// null for a number that is not a signal.
Napi::Value Sigaction(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int signum = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  struct sigaction sa {};
  if (signum <= 0 || signum >= NSIG || sigaction(signum, nullptr, &sa) != 0) return env.Null();
  void* fn = (sa.sa_flags & SA_SIGINFO) != 0 ? reinterpret_cast<void*>(sa.sa_sigaction)
                                              : reinterpret_cast<void*>(sa.sa_handler);
  Napi::Object out = Napi::Object::New(env);
  if (fn == reinterpret_cast<void*>(SIG_DFL)) {
    out.Set("handler", "SIG_DFL");
  } else if (fn == reinterpret_cast<void*>(SIG_IGN)) {
    out.Set("handler", "SIG_IGN");
  } else {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(fn)));
    out.Set("handler", buf);
  }
  out.Set("flags", static_cast<double>(static_cast<unsigned>(sa.sa_flags)));
  return out;
}

// ---------------------------------------------------------------- forkProbe
// A fork(2) whose child never returns into JavaScript (Node 20+ cannot run JS
// in a forked child: V8 maps its heap MADV_DONTFORK). The child re-initialises
// the loop, runs it with native watchers only and reports what it saw through
// its exit code.

// What the child saw, packed into its exit status (7 bits).
constexpr int kProbeMarker = 0x40;    // the child got as far as _exit
constexpr int kProbeForkMask = 0x03;  // fork watcher runs, capped at 3
constexpr int kProbeIo = 0x04;        // an io watcher on a fresh pipe fired
constexpr int kProbeTimer = 0x08;     // a 20 ms timer fired
constexpr int kProbeGuard = 0x10;     // the 5 s guard timer fired instead
constexpr int kProbeSetupFailed = 0x20;

struct ProbeState {
  int forks = 0;
  int io = 0;
  int timer = 0;
  int guard = 0;
  int fds[2] = {-1, -1};
};

void ProbeOnFork(struct ev_loop*, ev_fork* w, int) { static_cast<ProbeState*>(w->data)->forks++; }

void ProbeOnIo(struct ev_loop* loop, ev_io* w, int) {
  auto* state = static_cast<ProbeState*>(w->data);
  char byte;
  if (read(w->fd, &byte, 1) == 1) state->io++;
  ev_io_stop(loop, w);
}

void ProbeOnTimer(struct ev_loop* loop, ev_timer* w, int) {
  static_cast<ProbeState*>(w->data)->timer++;
  ev_break(loop, EVBREAK_ALL);
}

void ProbeOnGuard(struct ev_loop* loop, ev_timer* w, int) {
  static_cast<ProbeState*>(w->data)->guard++;
  ev_break(loop, EVBREAK_ALL);
}

// Child side: no JS, no N-API, no locks that another thread might hold.
[[noreturn]] void ProbeChild(struct ev_loop* loop, bool reinit) {
  ProbeState state;
  if (reinit) ev_loop_fork(loop);
  if (pipe(state.fds) != 0) _exit(kProbeMarker | kProbeSetupFailed);
  ev_fork fork;
  ev_fork_init(&fork, ProbeOnFork);
  fork.data = &state;
  ev_fork_start(loop, &fork);
  ev_io io;
  ev_io_init(&io, ProbeOnIo, state.fds[0], EV_READ);
  io.data = &state;
  ev_io_start(loop, &io);
  ev_timer timer;
  ev_timer_init(&timer, ProbeOnTimer, 0.02, 0.);
  timer.data = &state;
  ev_timer guard;
  ev_timer_init(&guard, ProbeOnGuard, 5., 0.);
  guard.data = &state;
  ev_now_update(loop);
  ev_timer_start(loop, &timer);
  ev_timer_start(loop, &guard);
  if (write(state.fds[1], "x", 1) != 1) _exit(kProbeMarker | kProbeSetupFailed);
  ev_run(loop, 0);
  // Two more iterations: a fork watcher runs once per reinit, not per iteration.
  ev_run(loop, EVRUN_NOWAIT);
  ev_run(loop, EVRUN_NOWAIT);
  int forks = state.forks > 3 ? 3 : state.forks;
  _exit(kProbeMarker | forks | (state.io ? kProbeIo : 0) | (state.timer ? kProbeTimer : 0) |
        (state.guard ? kProbeGuard : 0));
}

// forkProbe(ptr: bigint, reinit: boolean) -> { exitCode, signal, completed, forks, io, timer, guard }
// index.js has checked that ptr is a live, detached, idle evkit loop of this
// thread with nothing that could call into JS in the child.
Napi::Value ForkProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool lossless = false;
  uint64_t raw = info[0].IsBigInt() ? info[0].As<Napi::BigInt>().Uint64Value(&lossless) : 0;
  if (!lossless || raw == 0) {
    Napi::RangeError::New(env, "forkProbe: not a loop address").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto* loop = reinterpret_cast<struct ev_loop*>(static_cast<uintptr_t>(raw));
  bool reinit = info[1].ToBoolean().Value();
  pid_t pid = fork();
  if (pid < 0) {
    Napi::Error::New(env, std::string("forkProbe: fork failed: ") + std::strerror(errno)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (pid == 0) ProbeChild(loop, reinit);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  Napi::Object out = Napi::Object::New(env);
  if (WIFEXITED(status)) {
    int code = WEXITSTATUS(status);
    out.Set("exitCode", code);
    out.Set("signal", env.Null());
    bool ok = (code & ~0x7f) == 0 && (code & kProbeMarker) != 0 && (code & kProbeSetupFailed) == 0;
    out.Set("completed", ok);
    out.Set("forks", code & kProbeForkMask);
    out.Set("io", (code & kProbeIo) != 0);
    out.Set("timer", (code & kProbeTimer) != 0);
    out.Set("guard", (code & kProbeGuard) != 0);
  } else {
    out.Set("exitCode", env.Null());
    out.Set("signal", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    out.Set("completed", false);
  }
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // This addon's copy of libev looks for the monotonic clock when it first
  // makes a loop. Look now, so that forkProbe's child, which runs an evkit loop
  // through this copy, reads the same clock evkit's copy set the loop up with.
  static std::once_flag clockProbed;
  std::call_once(clockProbed, [] {
    if (struct ev_loop* probe = ev_loop_new(EVFLAG_NOENV)) ev_loop_destroy(probe);
  });
  exports.Set("rawLoopNew", Napi::Function::New<RawLoopNew>(env, "rawLoopNew"));
  exports.Set("rawLoopDestroy", Napi::Function::New<RawLoopDestroy>(env, "rawLoopDestroy"));
  exports.Set("rawLoopRunNowait", Napi::Function::New<RawLoopRunNowait>(env, "rawLoopRunNowait"));
  exports.Set("socketpair", Napi::Function::New<SocketPair>(env, "socketpair"));
  exports.Set("sigaction", Napi::Function::New<Sigaction>(env, "sigaction"));
  exports.Set("forkProbe", Napi::Function::New<ForkProbe>(env, "forkProbe"));
  exports.Set("apiProbe", Napi::Function::New<ApiProbe>(env, "apiProbe"));
  exports.Set("apiLeave", Napi::Function::New<ApiLeave>(env, "apiLeave"));
  exports.Set("apiAfterDestroy", Napi::Function::New<ApiAfterDestroy>(env, "apiAfterDestroy"));
  return exports;
}

}  // namespace

NODE_API_MODULE(evkit_testing, Init)
