// Signal: a watcher for a POSIX signal that coexists with Node's own signal
// handling (see signal_chain.h for the process-wide part).
//
// The libev watcher behind it is an ev_async per Signal, never an ev_signal.
// The chain handler ev_async_send's it, so the event goes through libev's
// normal pending/invoke path:
// - liveness: an active Signal is an active libev watcher, so a referenced
//   one keeps run() (and an attached loop) alive until it is stopped, and an
//   unreferenced one does not (the base's two-flag ref machine);
// - priority and pending: those of any watcher; signals that arrive before
//   the callback runs coalesce into one callback, as with libev's ev_signal;
// - delivery: the async wakes a blocking run() or an attached loop's thread
//   from whatever thread the kernel ran the handler on.
// The callback sees EV_SIGNAL where libev reports EV_ASYNC. Transient: the
// signal number lives in JS while the watcher is stopped.
#include "watchers/signal.h"

#include <csignal>

#include "watcher_kind.h"
#include "watchers/signal_chain.h"

namespace evkit {
namespace {

class SignalWatcher final : public KindWatcher<SignalWatcher, ev_async> {
 public:
  static constexpr Kind kKind = kKindSignal;

  // The JS layer refuses bad signals with its error (signalLimits.refusals);
  // a raw binding call with one makes no watcher (EINVAL).
  static WatcherBase* Make(LoopCore* core, double signum, double, int*) {
    int number = static_cast<int>(signum);
    if (number != signum || signal_chain::RefusalReason(number) != nullptr) return nullptr;
    return new SignalWatcher(core, number);
  }

  // 0, or the (negative) libuv error that kept the signal from being watched.
  int StartIn(struct ev_loop* loop) {
    uv_loop_t* uv = nullptr;
    // Without a Node event loop (never in practice) start() reports UV_EINVAL.
    if (napi_get_uv_event_loop(core()->env()->env(), &uv) != napi_ok || uv == nullptr) return UV_EINVAL;
    return signal_chain::Start(uv, signum_, loop, &ev_);
  }
  static void StopIn(struct ev_loop* loop, ev_async* w) { signal_chain::Stop(loop, w); }

 private:
  SignalWatcher(LoopCore* core, int signum) : KindWatcher(core, false), signum_(signum) {
    ev_async_set(&ev_);
    ev_.cb = &SignalWatcher::OnAsync;
  }

  static void OnAsync(struct ev_loop* loop, ev_async* w, int revents) noexcept {
    if (revents & EV_ASYNC) revents = (revents & ~EV_ASYNC) | EV_SIGNAL;
    Trampoline(loop, reinterpret_cast<ev_watcher*>(w), revents);
  }

  int signum_;
};

}  // namespace

void InitSignal(Napi::Env env, Napi::Object exports) {
  RegisterKind(kKindSignal, &SignalWatcher::Make);
  Napi::Object limits = Napi::Object::New(env);
  limits.Set("nsig", NSIG);
  limits.Set("rtmin", SIGRTMIN);
  limits.Set("rtmax", SIGRTMAX);
  // The one list of signals evkit refuses, with why: [[signum, reason], ...].
  Napi::Array refusals = Napi::Array::New(env);
  for (int signum = 1; signum < NSIG; signum++) {
    const char* why = signal_chain::RefusalReason(signum);
    if (why == nullptr) continue;
    Napi::Array entry = Napi::Array::New(env, 2);
    entry.Set(0u, Napi::Number::New(env, signum));
    entry.Set(1u, Napi::String::New(env, why));
    refusals.Set(refusals.Length(), entry);
  }
  limits.Set("refusals", refusals);
  exports.Set("signalLimits", limits);
  exports.Set("signalChainState", Napi::Function::New<signal_chain::State>(env, "signalChainState"));
}

}  // namespace evkit
