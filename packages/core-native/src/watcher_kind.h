// KindWatcher<Self, EvT>: WatcherBase with the kind's libev watcher inside,
// and the helpers a kind's binding functions share. Every kind registers a
// factory (RegisterKind) and, for its own verbs, functions that take the
// watcher's id first (KindFunction).
#pragma once

#include <napi.h>

#include <cstdlib>
#include <type_traits>
#include <utility>

#include "env_state.h"
#include "watcher.h"

namespace evkit {

// The kinds, numbered as binding.ts WatcherKind.
enum Kind : int {
  kKindPrepare = 1,
  kKindCheck,
  kKindIdle,
  kKindTimer,
  kKindPeriodic,
  kKindSignal,
  kKindAsync,
  kKindFork,
  kKindStat,
  kKindIo,
  kKindCleanup,
  kKindCount,
};

// Makes an inactive watcher of its kind from (a, b), the kind's two numeric
// parameters; null when they are unusable (the JS layer validates first) or
// the table is full, with the reason in *status.
using KindFactory = WatcherBase* (*)(LoopCore* core, double a, double b, int* status);
void RegisterKind(Kind kind, KindFactory factory);

// For a kind with its own create function (stat): the live loop `loopId`
// names, with room for one more watcher; else null, with env->lastStatus set.
LoopCore* LoopForNewWatcher(EnvState* env, double loopId);
// flags, as JS packs them: bits 0-2 the libev priority + 2, bit 3 unref.
constexpr int kWatcherFlagUnref = 8;
void ApplyWatcherFlags(WatcherBase* w, double flags);

static_assert(kKindCount <= EnvState::kMaxKinds, "EnvState::watcherBlocks has a pool per kind");

template <class Self, class EvT>
class KindWatcher : public WatcherBase {
 public:
  // A kind's watchers are all one size: they come from their env's pool of
  // blocks of that size (see BlockPool), not from malloc. Out of memory, a
  // `new` of a kind gives null (the binding has no C++ exceptions).
  static void* operator new(size_t size) noexcept { return Allocate(Self::kKind, size); }
  static void operator delete(void* block, size_t size) { Free(Self::kKind, block, size); }

  // The live watcher of this kind that info[0] names, or null.
  static Self* From(const Napi::CallbackInfo& info) {
    if (info.Length() < 1 || !info[0].IsNumber()) return nullptr;
    WatcherBase* w = GetEnvState(info.Env())->watchers.Find(info[0].As<Napi::Number>().DoubleValue());
    return w != nullptr && w->kind() == Self::kKind ? static_cast<Self*>(w) : nullptr;
  }

 protected:
  KindWatcher(LoopCore* core, bool persistent) : WatcherBase(core, Self::kKind, persistent) {
    // WatcherBase::Of and w() rely on it (a layout fact: folded at compile time).
    if (reinterpret_cast<ev_watcher*>(&ev_) != w()) std::abort();
    ev_init(&ev_, nullptr);
    ev_.cb = reinterpret_cast<decltype(ev_.cb)>(&WatcherBase::Trampoline);
    SetWatcherData(&ev_, core);
  }

  // A kind that overrides OnLeavingLoop calls Leave() first in its own
  // destructor, while its part of the object exists.
  ~KindWatcher() override { Leave(); }

  EvT ev_;

 private:
  // Kinds provide `StartIn(struct ev_loop*)` and a static
  // `StopIn(struct ev_loop*, EvT*)`: stopping must not need the kind's members,
  // because it also runs while the object is being destroyed.
  // StartIn may return void (it cannot fail) or int (0, or its failure status).
  int EvStart(struct ev_loop* loop) final {
    if constexpr (std::is_void_v<decltype(std::declval<Self&>().StartIn(loop))>) {
      static_cast<Self*>(this)->StartIn(loop);
      return 0;
    } else {
      return static_cast<Self*>(this)->StartIn(loop);
    }
  }
  void EvStop(struct ev_loop* loop) final { Self::StopIn(loop, &ev_); }
};

// A kind's verb as a binding function: `fn(id, ...args)`, a no-op returning
// undefined for an id that names no live watcher of that kind.
template <class Self, Napi::Value (Self::*Method)(const Napi::CallbackInfo&)>
Napi::Value KindCall(const Napi::CallbackInfo& info) {
  Self* self = Self::From(info);
  return self != nullptr ? (self->*Method)(info) : info.Env().Undefined();
}

template <class Self, Napi::Value (Self::*Method)(const Napi::CallbackInfo&)>
void ExportKindFunction(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New<KindCall<Self, Method>>(env, name));
}

// Numeric argument i of a binding call, or `fallback`.
inline double NumberArg(const Napi::CallbackInfo& info, size_t i, double fallback = 0.) {
  return info.Length() > i && info[i].IsNumber() ? info[i].As<Napi::Number>().DoubleValue() : fallback;
}

}  // namespace evkit
