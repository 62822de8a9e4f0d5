// Fork (ev_fork): runs on the loop's next iteration after ev_loop_fork
// (loop.reinit()) or, on a FLAG_FORKCHECK loop, after libev noticed a new pid.
//
// Also the test-only helper testing.forkProbe: a fork(2) whose child never
// returns into JavaScript (Node 20+ cannot run JS in a forked child: V8 maps
// its heap MADV_DONTFORK). The child re-initialises the loop, runs it with
// native watchers only and reports what it saw through its exit code.
#include "watchers/fork.h"

#include <cerrno>
#include <cstdint>

#include <sys/wait.h>
#include <unistd.h>

#include "registry.h"
#include "watcher_wrap.h"

namespace evkit {
namespace {

// new binding.Fork(loop, owner)
class ForkWatcher final : public WatcherWrap<ForkWatcher, ev_fork> {
 public:
  explicit ForkWatcher(const Napi::CallbackInfo& info) : WatcherWrap(info) {}

  void StartIn(struct ev_loop* loop) { ev_fork_start(loop, &ev_); }
  static void StopIn(struct ev_loop* loop, ev_fork* w) { ev_fork_stop(loop, w); }
};

// ---------------------------------------------------------------- forkProbe

// What the child saw, packed into its exit status (7 bits).
constexpr int kProbeMarker = 0x40;   // the child got as far as _exit
constexpr int kProbeForkMask = 0x03; // fork watcher runs, capped at 3
constexpr int kProbeIo = 0x04;       // an io watcher on a fresh pipe fired
constexpr int kProbeTimer = 0x08;    // a 20 ms timer fired
constexpr int kProbeGuard = 0x10;    // the 5 s guard timer fired instead

struct ProbeState {
  int forks = 0;
  int io = 0;
  int timer = 0;
  int guard = 0;
  int fds[2] = {-1, -1};
};

void ProbeOnFork(struct ev_loop*, ev_fork* w, int) noexcept {
  static_cast<ProbeState*>(w->data)->forks++;
}

void ProbeOnIo(struct ev_loop* loop, ev_io* w, int) noexcept {
  auto* state = static_cast<ProbeState*>(w->data);
  char byte;
  if (read(w->fd, &byte, 1) == 1) state->io++;
  ev_io_stop(loop, w);
}

void ProbeOnTimer(struct ev_loop* loop, ev_timer* w, int) noexcept {
  static_cast<ProbeState*>(w->data)->timer++;
  ev_break(loop, EVBREAK_ALL);
}

void ProbeOnGuard(struct ev_loop* loop, ev_timer* w, int) noexcept {
  static_cast<ProbeState*>(w->data)->guard++;
  ev_break(loop, EVBREAK_ALL);
}

// Child side: no JS, no N-API, no locks that another thread might hold.
[[noreturn]] void ProbeChild(struct ev_loop* loop, bool reinit) {
  ProbeState state;
  if (reinit) ev_loop_fork(loop);
  if (pipe(state.fds) != 0) _exit(kProbeMarker | 0x20);
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
  if (write(state.fds[1], "x", 1) != 1) _exit(kProbeMarker | 0x20);
  ev_run(loop, 0);
  // Two more iterations: a fork watcher runs once per reinit, not per iteration.
  ev_run(loop, EVRUN_NOWAIT);
  ev_run(loop, EVRUN_NOWAIT);
  int forks = state.forks > 3 ? 3 : state.forks;
  _exit(kProbeMarker | forks | (state.io ? kProbeIo : 0) | (state.timer ? kProbeTimer : 0) |
        (state.guard ? kProbeGuard : 0));
}

// testing.forkProbe(ptr: bigint, reinit: boolean)
//   -> { exitCode, signal, forks, io, timer, guard }
// Only for a detached, idle loop of this thread with no active or pending
// user watchers and no queued callbacks: anything that would call into JS in
// the child is refused.
Napi::Value ForkProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsBigInt()) {
    Napi::TypeError::New(env, "forkProbe(ptr: bigint, reinit: boolean)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  bool lossless = false;
  uint64_t raw = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
  auto* loop = reinterpret_cast<struct ev_loop*>(static_cast<uintptr_t>(raw));
  std::shared_ptr<LoopCore> core;
  if (!lossless || registry::Find(loop, GetEnvState(env), &core) != registry::Found::kYes ||
      core->destroyed()) {
    Napi::RangeError::New(env, "forkProbe: not a live evkit loop of this thread").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const char* refusal = nullptr;
  if (core->attached()) {
    refusal = "the loop is attached (its thread and mutex do not exist in a child)";
  } else if (core->InCallback()) {
    refusal = "the loop is running";
  } else if (core->activeCount() != 0 || ev_pending_count(loop) != 0 || core->callbacksQueued()) {
    refusal = "the loop has active or pending watchers or queued callbacks (they would call JS in the child)";
  }
  if (refusal != nullptr) {
    Napi::Error::New(env, std::string("forkProbe: ") + refusal).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  bool reinit = info[1].ToBoolean().Value();
  pid_t pid = fork();
  if (pid < 0) {
    Napi::Error::New(env, "forkProbe: fork failed").ThrowAsJavaScriptException();
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
    bool ok = (code & ~0x7f) == 0 && (code & kProbeMarker) != 0 && (code & 0x20) == 0;
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

}  // namespace

void InitFork(Napi::Env env, Napi::Object exports) {
  exports.Set("Fork", ForkWatcher::DefineKind(env, "Fork"));
  Napi::Object testing = exports.Has("testing") && exports.Get("testing").IsObject()
                             ? exports.Get("testing").As<Napi::Object>()
                             : Napi::Object::New(env);
  testing.Set("forkProbe", Napi::Function::New<ForkProbe>(env, "forkProbe"));
  exports.Set("testing", testing);
}

}  // namespace evkit
