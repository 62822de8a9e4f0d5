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
// The callback sees EV_SIGNAL where libev reports EV_ASYNC.
#include "watchers/signal.h"

#include <csignal>

#include "watcher_wrap.h"
#include "watchers/signal_chain.h"

namespace evkit {
namespace {

// new binding.Signal(loop, owner, signum)
class SignalWatcher final : public WatcherWrap<SignalWatcher, ev_async> {
 public:
  explicit SignalWatcher(const Napi::CallbackInfo& info) : WatcherWrap(info) {
    ev_async_set(&ev_);
    ev_.cb = &SignalWatcher::OnAsync;
    if (core() == nullptr) return;  // the base threw
    Napi::Env env = info.Env();
    signum_ = info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : 0;
    // The JS layer refuses these with its error (signalLimits.refusals); a
    // raw binding call that gets here makes an inert watcher.
    if (signal_chain::RefusalReason(signum_) != nullptr) {
      Reject();
      return;
    }
    // Without a Node event loop (never in practice) start() reports UV_EINVAL.
    if (napi_get_uv_event_loop(env, &uv_) != napi_ok) uv_ = nullptr;
  }

  static Napi::Function Init(Napi::Env env) {
    return DefineKind(env, "Signal",
                      {
                          InstanceMethod<&SignalWatcher::Signum>("signum"),
                      });
  }

  // 0, or the (negative) libuv error that kept the signal from being watched.
  int StartIn(struct ev_loop* loop) {
    if (uv_ == nullptr) return UV_EINVAL;
    return signal_chain::Start(uv_, signum_, loop, &ev_);
  }
  static void StopIn(struct ev_loop* loop, ev_async* w) { signal_chain::Stop(loop, w); }

 private:
  static void OnAsync(struct ev_loop* loop, ev_async* w, int revents) noexcept {
    if (revents & EV_ASYNC) revents = (revents & ~EV_ASYNC) | EV_SIGNAL;
    Trampoline(loop, reinterpret_cast<ev_watcher*>(w), revents);
  }

  Napi::Value Signum(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), signum_); }

  int signum_ = 0;
  uv_loop_t* uv_ = nullptr;
};

}  // namespace

void InitSignal(Napi::Env env, Napi::Object exports) {
  exports.Set("Signal", SignalWatcher::Init(env));
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
