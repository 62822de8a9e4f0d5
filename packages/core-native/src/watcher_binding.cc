// The binding functions every watcher kind shares: a watcher is named by its
// id (WatcherTable), and the hot ones are raw N-API (no wrapper objects).
//
// JS keeps, per watcher, its id (0 while a transient kind has no native half)
// and reads active/pending from the state bytes (watcherState()).
#include "watcher_binding.h"

#include <cerrno>

#include "env_state.h"
#include "watcher.h"
#include "watcher_kind.h"

namespace evkit {
namespace {

KindFactory factories[kKindCount] = {};

// Statuses of watcherStart/watcherCreate beside the kinds' own (binding.ts).
constexpr int kStatusLoopGone = -10001;
constexpr int kStatusTooMany = -10002;

template <size_t N>
EnvState* Args(napi_env env, napi_callback_info info, double (&out)[N]) {
  napi_value argv[N];
  size_t argc = N;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  for (size_t i = 0; i < N; i++) {
    out[i] = 0;
    if (i < argc) napi_get_value_double(env, argv[i], &out[i]);
  }
  return GetEnvState(env);
}

napi_value Number(napi_env env, double value) {
  napi_value result;
  napi_create_double(env, value, &result);
  return result;
}

napi_value Boolean(napi_env env, bool value) {
  napi_value result;
  napi_get_boolean(env, value, &result);
  return result;
}

napi_value Undefined(napi_env env) {
  napi_value result;
  napi_get_undefined(env, &result);
  return result;
}

// The watcher (loopId, kind, flags, a, b) asks for, not started; null with
// env->lastStatus set when it cannot be made.
WatcherBase* Make(EnvState* env, const double* arg) {
  LoopCore* core = LoopForNewWatcher(env, arg[0]);
  if (core == nullptr) return nullptr;
  int kind = static_cast<int>(arg[1]);
  if (kind <= 0 || kind >= kKindCount || factories[kind] == nullptr || kind != arg[1]) {
    env->lastStatus = EINVAL;
    return nullptr;
  }
  int status = EINVAL;
  WatcherBase* w = factories[kind](core, arg[3], arg[4], &status);
  if (w == nullptr) {
    env->lastStatus = status;
    return nullptr;
  }
  ApplyWatcherFlags(w, arg[2]);
  return w;
}

// A started watcher's callbacks run in the async context of the start when
// `capture` (JS asks so on an attached loop), else in the loop's.
void UseContext(WatcherBase* w, double capture) {
  if (LoopCore* core = w->core()) core->UseContext(w, capture != 0);
}

// watcherStart(loopId, kind, flags, a, b, capture?): the id of a new, started
// watcher, or 0 (watcherStatus() says why).
napi_value Start(napi_env env, napi_callback_info info) {
  double arg[6];
  EnvState* state = Args(env, info, arg);
  WatcherBase* w = Make(state, arg);
  if (w == nullptr) return Number(env, 0);
  int status = w->Start();
  if (status != 0) {
    state->lastStatus = status;
    w->Close();
    delete w;
    return Number(env, 0);
  }
  UseContext(w, arg[5]);
  return Number(env, w->id());
}

// watcherCreate(loopId, kind, flags, a, b): the id of a new inactive watcher, or 0.
napi_value Create(napi_env env, napi_callback_info info) {
  double arg[5];
  EnvState* state = Args(env, info, arg);
  WatcherBase* w = Make(state, arg);
  return Number(env, w != nullptr ? w->id() : 0);
}

napi_value Status(napi_env env, napi_callback_info) { return Number(env, GetEnvState(env)->lastStatus); }

// watcherRestart(id, capture?): start() of a watcher that has a native half:
// 0 or the kind's status.
napi_value Restart(napi_env env, napi_callback_info info) {
  double arg[2];
  EnvState* state = Args(env, info, arg);
  WatcherBase* w = state->watchers.Find(arg[0]);
  if (w == nullptr) return Number(env, 0);
  int status = w->Start();
  if (status == 0) UseContext(w, arg[1]);
  return Number(env, status);
}

// watcherStop(id): stops it and, for a transient kind, lets its native half go.
napi_value Stop(napi_env env, napi_callback_info info) {
  double arg[1];
  EnvState* state = Args(env, info, arg);
  if (WatcherBase* w = state->watchers.Find(arg[0])) {
    w->Stop();
    UseContext(w, 0);
    w->ReleaseIfIdle();
  }
  return nullptr;
}

// watcherClose(id): stops it and frees its native half (close(), or the GC
// collected a persistent kind's owner). Its id is stale from here on.
napi_value Close(napi_env env, napi_callback_info info) {
  double arg[1];
  EnvState* state = Args(env, info, arg);
  if (WatcherBase* w = state->watchers.Find(arg[0])) {
    w->Close();
    delete w;
  }
  return nullptr;
}

// watcherCallInContext(id, fn, recv, a, b, c): fn.call(recv, a, b, c) in the
// async context the watcher's attached start() kept natively, if it has one.
napi_value CallInContext(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  size_t argc = 6;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  napi_valuetype type = napi_undefined;
  if (argc < 3 || napi_typeof(env, argv[1], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "watcherCallInContext(id, fn, recv, ...): fn must be a function");
    return nullptr;
  }
  for (size_t i = argc; i < 6; i++) napi_get_undefined(env, &argv[i]);
  double id = 0;
  napi_get_value_double(env, argv[0], &id);
  WatcherBase* w = GetEnvState(env)->watchers.Find(id);
  LoopCore* core = w != nullptr ? w->core() : nullptr;
  if (core == nullptr) {
    napi_value result = nullptr;
    napi_call_function(env, argv[2], argv[1], 3, argv + 3, &result);
    return result;
  }
  return core->CallInContext(w, argv[2], argv[1], 3, argv + 3);
}

// watcherFeed(id, revents)
napi_value Feed(napi_env env, napi_callback_info info) {
  double arg[2];
  EnvState* state = Args(env, info, arg);
  if (WatcherBase* w = state->watchers.Find(arg[0])) {
    w->Feed(static_cast<int>(static_cast<int64_t>(arg[1])));
  }
  return nullptr;
}

// watcherClearPending(id): the revents cleared (0 when it was not pending).
napi_value ClearPending(napi_env env, napi_callback_info info) {
  double arg[1];
  EnvState* state = Args(env, info, arg);
  int revents = 0;
  if (WatcherBase* w = state->watchers.Find(arg[0])) {
    revents = w->ClearPending();
    w->ReleaseIfIdle();
  }
  return Number(env, revents);
}

// watcherSetKeepalive(id, 0 | 1)
napi_value SetKeepalive(napi_env env, napi_callback_info info) {
  double arg[2];
  EnvState* state = Args(env, info, arg);
  if (WatcherBase* w = state->watchers.Find(arg[0])) w->SetKeepalive(arg[1] != 0);
  return nullptr;
}

// watcherSetPriority(id, priority): false while active or pending (libev's rule).
napi_value SetPriority(napi_env env, napi_callback_info info) {
  double arg[2];
  EnvState* state = Args(env, info, arg);
  WatcherBase* w = state->watchers.Find(arg[0]);
  int priority = static_cast<int>(arg[1]);
  if (w == nullptr || priority < EV_MINPRI || priority > EV_MAXPRI || priority != arg[1]) return Boolean(env, false);
  if (w->Active() || w->Pending()) return Boolean(env, false);
  w->SetPriority(priority);
  return Boolean(env, true);
}

// watcherSetParams(id, a, b): the kind's two parameters (see WatcherBase::SetParams).
napi_value SetParams(napi_env env, napi_callback_info info) {
  double arg[3];
  EnvState* state = Args(env, info, arg);
  if (WatcherBase* w = state->watchers.Find(arg[0])) w->SetParams(arg[1], arg[2]);
  return nullptr;
}

// watcherActive(id) / watcherPending(id): libev's own view, under the loop
// lock (JS reads the state bytes instead; these are for checks and tests).
template <bool (WatcherBase::*Query)()>
napi_value Ask(napi_env env, napi_callback_info info) {
  double arg[1];
  EnvState* state = Args(env, info, arg);
  WatcherBase* w = state->watchers.Find(arg[0]);
  return Boolean(env, w != nullptr && (w->*Query)());
}

napi_value State(napi_env env, napi_callback_info) {
  napi_value array = GetEnvState(env)->StateArray();
  return array != nullptr ? array : Undefined(env);
}

void Export(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn) == napi_ok) {
    napi_set_named_property(env, exports, name, fn);
  }
}

}  // namespace

void RegisterKind(Kind kind, KindFactory factory) { factories[kind] = factory; }

LoopCore* LoopForNewWatcher(EnvState* env, double loopId) {
  LoopCore* core = env->loops.Find(loopId);
  if (core == nullptr || core->destroyed()) {
    env->lastStatus = kStatusLoopGone;
    return nullptr;
  }
  if (env->watchers.Full()) {
    env->lastStatus = kStatusTooMany;
    return nullptr;
  }
  return core;
}

void ApplyWatcherFlags(WatcherBase* w, double flags) {
  int bits = static_cast<int>(flags);
  int priority = (bits & 7) - 2;
  if (priority >= EV_MINPRI && priority <= EV_MAXPRI) w->SetPriority(priority);
  if ((bits & kWatcherFlagUnref) != 0) w->SetKeepalive(false);
}

void InitWatcherBinding(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "watcherStart", Start);
  Export(env, exports, "watcherCreate", Create);
  Export(env, exports, "watcherStatus", Status);
  Export(env, exports, "watcherRestart", Restart);
  Export(env, exports, "watcherStop", Stop);
  Export(env, exports, "watcherClose", Close);
  Export(env, exports, "watcherFeed", Feed);
  Export(env, exports, "watcherCallInContext", CallInContext);
  Export(env, exports, "watcherClearPending", ClearPending);
  Export(env, exports, "watcherSetKeepalive", SetKeepalive);
  Export(env, exports, "watcherSetPriority", SetPriority);
  Export(env, exports, "watcherSetParams", SetParams);
  Export(env, exports, "watcherActive", Ask<&WatcherBase::Active>);
  Export(env, exports, "watcherPending", Ask<&WatcherBase::Pending>);
  Export(env, exports, "watcherState", State);
}

}  // namespace evkit
