// Module entry: per-env state, the process-wide syserr hook, and the exports
// described in lib/binding.d.ts.
#include <napi.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

#include "env_state.h"
#include "ev_config.h"
#include "loop_core.h"
#include "loop_wrap.h"
#include "native_api.h"
#include "watcher_binding.h"
#include "watchers/async.h"
#include "watchers/io.h"
#include "watchers/prepare_check.h"
#include "watchers/fork.h"
#include "watchers/signal.h"
#include "watchers/stat.h"
#include "watchers/timer.h"

namespace evkit {
namespace {

// Bumped on any incompatible change of the binding's JS surface; @evkit/loop
// refuses to run against another major.
// 2: watchers are ids, not handle objects (watcherStart, the state bytes, the deliver hook).
constexpr int kAbiMajor = 2;
// 2.10: watcherCallInContext.
constexpr int kAbiMinor = 10;

// ev_set_syserr_cb is process-global and gets no loop: attribute the error to
// the loop running on this thread and break it, so a failing backend surfaces
// as an error from run() instead of libev's perror+abort or a spin.
void OnSyserr(const char* msg) noexcept {
  int err = errno;
  if (LoopCore* core = CurrentlyRunning()) {
    core->NoteSyserr(msg, err);
    return;
  }
  std::fprintf(stderr, "evkit: %s: %s\n", msg != nullptr ? msg : "(libev) system error",
               std::strerror(err));
}

void InstallSyserrHandler() {
  static std::once_flag once;
  std::call_once(once, [] { ev_set_syserr_cb(OnSyserr); });
}

void OnEnvCleanup(void* arg) {
  static_cast<EnvState*>(arg)->Teardown();
}

Napi::Value Versions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("runtimeMajor", ev_version_major());
  out.Set("runtimeMinor", ev_version_minor());
  out.Set("headerMajor", EV_VERSION_MAJOR);
  out.Set("headerMinor", EV_VERSION_MINOR);
  return out;
}

Napi::Value Backends(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("supported", ev_supported_backends());
  out.Set("recommended", ev_recommended_backends());
  out.Set("embeddable", ev_embeddable_backends());
  return out;
}

Napi::Value Time(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ev_time());
}

void SetHooks(const Napi::CallbackInfo& info) {
  if (!info[0].IsObject()) {
    Napi::TypeError::New(info.Env(), "setHooks(hooks: object)").ThrowAsJavaScriptException();
    return;
  }
  GetEnvState(info.Env())->SetHooks(info[0].As<Napi::Object>());
}

Napi::Value GetDebugCounts(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnvState* state = GetEnvState(env);
  Napi::Object out = Napi::Object::New(env);
  out.Set("loopsCreated", static_cast<double>(state->counts.loopsCreated));
  out.Set("loopsFreed", static_cast<double>(state->counts.loopsFreed));
  out.Set("loopsLive", static_cast<double>(state->cores.size()));
  out.Set("watchersCreated", static_cast<double>(state->counts.watchersCreated));
  out.Set("watchersFreed", static_cast<double>(state->counts.watchersFreed));
  return out;
}

// Libev's own constant values, so the TS side can check its tables against
// the header it was built with.
Napi::Object HeaderConstants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  c.Set("READ", static_cast<double>(EV_READ));
  c.Set("WRITE", static_cast<double>(EV_WRITE));
  c.Set("TIMER", static_cast<double>(EV_TIMER));
  c.Set("PERIODIC", static_cast<double>(EV_PERIODIC));
  c.Set("SIGNAL", static_cast<double>(EV_SIGNAL));
  c.Set("CHILD", static_cast<double>(EV_CHILD));
  c.Set("STAT", static_cast<double>(EV_STAT));
  c.Set("IDLE", static_cast<double>(EV_IDLE));
  c.Set("PREPARE", static_cast<double>(EV_PREPARE));
  c.Set("CHECK", static_cast<double>(EV_CHECK));
  c.Set("EMBED", static_cast<double>(EV_EMBED));
  c.Set("FORK", static_cast<double>(EV_FORK));
  c.Set("CLEANUP", static_cast<double>(EV_CLEANUP));
  c.Set("ASYNC", static_cast<double>(EV_ASYNC));
  c.Set("CUSTOM", static_cast<double>(EV_CUSTOM));
  c.Set("ERROR", static_cast<double>(static_cast<uint32_t>(EV_ERROR)));
  c.Set("MINPRI", static_cast<double>(EV_MINPRI));
  c.Set("MAXPRI", static_cast<double>(EV_MAXPRI));
  c.Set("BACKEND_SELECT", static_cast<double>(EVBACKEND_SELECT));
  c.Set("BACKEND_POLL", static_cast<double>(EVBACKEND_POLL));
  c.Set("BACKEND_EPOLL", static_cast<double>(EVBACKEND_EPOLL));
  c.Set("BACKEND_KQUEUE", static_cast<double>(EVBACKEND_KQUEUE));
  c.Set("BACKEND_DEVPOLL", static_cast<double>(EVBACKEND_DEVPOLL));
  c.Set("BACKEND_PORT", static_cast<double>(EVBACKEND_PORT));
  c.Set("BACKEND_LINUXAIO", static_cast<double>(EVBACKEND_LINUXAIO));
  c.Set("BACKEND_IOURING", static_cast<double>(EVBACKEND_IOURING));
  c.Set("BACKEND_ALL", static_cast<double>(EVBACKEND_ALL));
  c.Set("BACKEND_MASK", static_cast<double>(EVBACKEND_MASK));
  c.Set("FLAG_NOENV", static_cast<double>(EVFLAG_NOENV));
  c.Set("FLAG_FORKCHECK", static_cast<double>(EVFLAG_FORKCHECK));
  c.Set("FLAG_NOINOTIFY", static_cast<double>(EVFLAG_NOINOTIFY));
  c.Set("FLAG_SIGNALFD", static_cast<double>(EVFLAG_SIGNALFD));
  c.Set("FLAG_NOSIGMASK", static_cast<double>(EVFLAG_NOSIGMASK));
  c.Set("FLAG_NOTIMERFD", static_cast<double>(EVFLAG_NOTIMERFD));
  c.Set("BREAK_CANCEL", static_cast<double>(EVBREAK_CANCEL));
  c.Set("BREAK_ONE", static_cast<double>(EVBREAK_ONE));
  c.Set("BREAK_ALL", static_cast<double>(EVBREAK_ALL));
  c.Set("RUN_NOWAIT", static_cast<double>(EVRUN_NOWAIT));
  c.Set("RUN_ONCE", static_cast<double>(EVRUN_ONCE));
  return c;
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InstallSyserrHandler();
  auto* holder = new std::shared_ptr<EnvState>(std::make_shared<EnvState>(env));
  napi_set_instance_data(
      env, holder,
      [](napi_env, void* data, void*) { delete static_cast<std::shared_ptr<EnvState>*>(data); },
      nullptr);
  napi_add_env_cleanup_hook(env, OnEnvCleanup, holder->get());

  Napi::Object abi = Napi::Object::New(env);
  abi.Set("major", kAbiMajor);
  abi.Set("minor", kAbiMinor);
  exports.Set("abi", abi);
  exports.Set("constants", HeaderConstants(env));
  exports.Set("versions", Napi::Function::New<Versions>(env, "versions"));
  exports.Set("backends", Napi::Function::New<Backends>(env, "backends"));
  exports.Set("time", Napi::Function::New<Time>(env, "time"));
  exports.Set("setHooks", Napi::Function::New<SetHooks>(env, "setHooks"));
  exports.Set("debugCounts", Napi::Function::New<GetDebugCounts>(env, "debugCounts"));
  exports.Set("nativeApi", Napi::Value(env, NativeApiValue(env)));
  exports.Set("Loop", LoopWrap::Init(env));
  InitWatcherBinding(env, exports);
  InitPrepareCheck(env, exports);
  InitTimer(env, exports);
  InitSignal(env, exports);
  InitAsync(env, exports);
  InitFork(env, exports);
  InitStat(env, exports);
  InitIo(env, exports);
  return exports;
}

}  // namespace evkit

static Napi::Object InitEvkit(Napi::Env env, Napi::Object exports) {
  return evkit::Init(env, exports);
}

NODE_API_MODULE(evkit, InitEvkit)
