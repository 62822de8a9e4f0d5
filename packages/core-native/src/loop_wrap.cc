#include "loop_wrap.h"

#include <cerrno>
#include <cstdint>
#include <string>

#include "env_state.h"
#include "registry.h"
#include "type_tags.h"

namespace evkit {

namespace {

void ThrowDestroyed(Napi::Env env) {
  Napi::Error err = Napi::Error::New(env, "operation on destroyed loop");
  err.Set("code", Napi::String::New(env, "ERR_EVKIT_LOOP_DESTROYED"));
  err.ThrowAsJavaScriptException();
}

bool ToPointer(Napi::Env env, Napi::Value value, struct ev_loop** out) {
  if (!value.IsBigInt()) {
    Napi::TypeError::New(env, "ptr must be a bigint").ThrowAsJavaScriptException();
    return false;
  }
  bool lossless = false;
  uint64_t raw = value.As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless || raw == 0) {
    Napi::RangeError::New(env, "ptr is not a valid address").ThrowAsJavaScriptException();
    return false;
  }
  *out = reinterpret_cast<struct ev_loop*>(static_cast<uintptr_t>(raw));
  return true;
}

// Loop.create() hands the core it made to the constructor it calls, on this
// thread and synchronously (no JS runs in between).
thread_local std::shared_ptr<LoopCore>* pendingCore = nullptr;

}  // namespace

Napi::Function LoopWrap::Init(Napi::Env env) {
  return DefineClass(
      env, "Loop",
      {
          StaticMethod<&LoopWrap::Lookup>("lookup"),
          StaticMethod<&LoopWrap::Create>("create"),
          InstanceMethod<&LoopWrap::Id>("id"),
          InstanceMethod<&LoopWrap::Run>("run"),
          InstanceMethod<&LoopWrap::Break>("break"),
          InstanceMethod<&LoopWrap::Now>("now"),
          InstanceMethod<&LoopWrap::UpdateNow>("updateNow"),
          InstanceMethod<&LoopWrap::SetCollectIntervals>("setCollectIntervals"),
          InstanceMethod<&LoopWrap::Times>("times"),
          InstanceMethod<&LoopWrap::Suspend>("suspend"),
          InstanceMethod<&LoopWrap::Resume>("resume"),
          InstanceMethod<&LoopWrap::Iteration>("iteration"),
          InstanceMethod<&LoopWrap::Depth>("depth"),
          InstanceMethod<&LoopWrap::PendingCount>("pendingCount"),
          InstanceMethod<&LoopWrap::ActiveCount>("activeCount"),
          InstanceMethod<&LoopWrap::RefCount>("refCount"),
          InstanceMethod<&LoopWrap::Backend>("backend"),
          InstanceMethod<&LoopWrap::Ptr>("ptr"),
          InstanceMethod<&LoopWrap::Destroyed>("destroyed"),
          InstanceMethod<&LoopWrap::Owns>("owns"),
          InstanceMethod<&LoopWrap::Ref>("ref"),
          InstanceMethod<&LoopWrap::Unref>("unref"),
          InstanceMethod<&LoopWrap::Verify>("verify"),
          InstanceMethod<&LoopWrap::Reinit>("reinit"),
          InstanceMethod<&LoopWrap::Destroy>("destroy"),
          InstanceMethod<&LoopWrap::SetCallbacksQueued>("setCallbacksQueued"),
          InstanceMethod<&LoopWrap::Attach>("attach"),
          InstanceMethod<&LoopWrap::Detach>("detach"),
          InstanceMethod<&LoopWrap::Attached>("attached"),
          InstanceMethod<&LoopWrap::InCallback>("inCallback"),
          InstanceMethod<&LoopWrap::SetWantSettle>("setWantSettle"),
      });
}

// new Loop(owner: object, flags: number, foreignPtr?: bigint)
LoopWrap::LoopWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LoopWrap>(info) {
  Napi::Env env = info.Env();
  EnvState* state = GetEnvState(env);
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "Loop(owner: object, flags: number, ptr?: bigint)")
        .ThrowAsJavaScriptException();
    return;
  }
  if (pendingCore != nullptr) {
    // From Loop.create(), which made the core.
    core_ = std::move(*pendingCore);
    pendingCore = nullptr;
  } else if (info.Length() > 2 && !info[2].IsUndefined()) {
    struct ev_loop* foreign = nullptr;
    if (!ToPointer(env, info[2], &foreign)) return;
    core_ = LoopCore::WrapForeign(state, foreign);
  } else {
    int64_t flags = info[1].As<Napi::Number>().Int64Value();
    if (flags < 0 || flags > UINT32_MAX) {
      Napi::RangeError::New(env, "flags out of range").ThrowAsJavaScriptException();
      return;
    }
    int errnum = 0;
    core_ = LoopCore::Create(state, static_cast<unsigned>(flags), &errnum);
    if (!core_) {
      // Only for raw binding users: @evkit/loop creates loops with
      // Loop.create(), which returns the errno instead.
      Napi::Error err = Napi::Error::New(env, "ev_loop_new failed");
      err.Set("code", Napi::String::New(env, "ERR_EVKIT_LOOP_NEW"));
      err.Set("errno", Napi::Number::New(env, errnum));
      err.ThrowAsJavaScriptException();
      return;
    }
  }
  core_->SetOwner(info[0]);
  Tag(env, info.This(), kLoopTag);
}

// Loop.create(owner, flags): a new binding.Loop, or the errno ev_loop_new
// failed with (0: none known), from which JS builds the user's error.
Napi::Value LoopWrap::Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value self = info.This();
  if (!self.IsFunction()) return Napi::Number::New(env, EINVAL);
  Napi::Function ctor = self.As<Napi::Function>();
  bool valid = info.Length() >= 2 && info[0].IsObject() && info[1].IsNumber();
  int64_t flags = valid ? info[1].As<Napi::Number>().Int64Value() : -1;
  if (flags < 0 || flags > UINT32_MAX) {
    // Misuse of the raw binding: the constructor says what is wrong.
    return ctor.New({info[0], info[1]});
  }
  int errnum = 0;
  std::shared_ptr<LoopCore> core = LoopCore::Create(GetEnvState(env), static_cast<unsigned>(flags), &errnum);
  if (!core) return Napi::Number::New(env, errnum);
  pendingCore = &core;
  Napi::Object loop = ctor.New({info[0], info[1]});
  pendingCore = nullptr;
  return loop;
}

LoopWrap::~LoopWrap() {
  // A loop the GC collected is destroyed (its watchers were collected first or
  // are detached now).
  if (core_) core_->Destroy();
}

// The number watchers name this loop by (0 once destroyed).
Napi::Value LoopWrap::Id(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), core_ && !core_->destroyed() ? core_->id() : 0);
}

// Loop.lookup(ptr): the owner object of a live evkit loop of this thread, or
// the string "unknown" / "other-thread".
Napi::Value LoopWrap::Lookup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  struct ev_loop* loop = nullptr;
  if (!ToPointer(env, info[0], &loop)) return env.Undefined();
  std::shared_ptr<LoopCore> core;
  switch (registry::Find(loop, GetEnvState(env), &core)) {
    case registry::Found::kOtherThread:
      return Napi::String::New(env, "other-thread");
    case registry::Found::kYes:
      if (!core->destroyed()) {
        napi_value owner = core->Owner();
        if (owner != nullptr) return Napi::Value(env, owner);
      }
      return Napi::String::New(env, "unknown");
    case registry::Found::kNo:
    default:
      return Napi::String::New(env, "unknown");
  }
}

LoopCore* LoopWrap::Live(const Napi::CallbackInfo& info) {
  if (!core_ || core_->destroyed()) {
    ThrowDestroyed(info.Env());
    return nullptr;
  }
  return core_.get();
}

Napi::Value LoopWrap::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LoopCore* core = Live(info);
  if (core == nullptr) return env.Undefined();
  if (core->attached()) {
    Napi::Error err = Napi::Error::New(env, "run() on an attached loop: Node's event loop drives it");
    err.Set("code", Napi::String::New(env, "ERR_EVKIT_LOOP_ATTACHED"));
    err.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int flags = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  flags &= EVRUN_NOWAIT | EVRUN_ONCE;
  std::shared_ptr<LoopCore> keep = core_;
  keep->Run(flags);
  // libev's result counts references; evkit reports what api.md promises:
  // whether active watchers (or queued callbacks) remain.
  bool more = !keep->destroyed() && (keep->activeCount() > 0 || keep->callbacksQueued());
  // A libev system error (a failing backend) stopped the run: its status
  // comes back with the result, and JS builds the error.
  std::string msg;
  int err = 0;
  bool syserr = keep->TakeSyserr(&msg, &err);
  napi_value stashed = keep->TakeStashedException();
  if (stashed != nullptr) {
    // The exception a callback's error hook let escape (the user's own value).
    napi_throw(env, stashed);
    return env.Undefined();
  }
  if (!syserr) return Napi::Boolean::New(env, more);
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set(0u, Napi::Boolean::New(env, more));
  out.Set(1u, Napi::String::New(env, msg));
  out.Set(2u, Napi::Number::New(env, err));
  return out;
}

void LoopWrap::Break(const Napi::CallbackInfo& info) {
  if (LoopCore* core = Live(info)) {
    int how = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : EVBREAK_ONE;
    if (how != EVBREAK_CANCEL && how != EVBREAK_ONE && how != EVBREAK_ALL) how = EVBREAK_ONE;
    core->Break(how);
  }
}

// Reads a libev value under the loop lock.
template <class T>
static Napi::Value Read(const Napi::CallbackInfo& info, LoopCore* core, T (*get)(struct ev_loop*)) {
  if (core == nullptr) return info.Env().Undefined();
  LoopCore::Lock lock(core);
  return Napi::Number::New(info.Env(), static_cast<double>(get(core->loop())));
}

Napi::Value LoopWrap::Now(const Napi::CallbackInfo& info) {
  return Read(info, Live(info), +[](struct ev_loop* l) { return ev_now(l); });
}

void LoopWrap::UpdateNow(const Napi::CallbackInfo& info) {
  if (LoopCore* core = Live(info)) {
    LoopCore::Lock lock(core);
    ev_now_update(core->loop());
  }
}

// setCollectIntervals(io, timeout): seconds, validated by JS (finite, >= 0);
// a negative value leaves that one as it is.
void LoopWrap::SetCollectIntervals(const Napi::CallbackInfo& info) {
  LoopCore* core = Live(info);
  if (core == nullptr || info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber()) return;
  double io = info[0].As<Napi::Number>().DoubleValue();
  double timeout = info[1].As<Napi::Number>().DoubleValue();
  LoopCore::Lock lock(core, /*wake=*/true);
  if (io >= 0 && io < 1e9) ev_set_io_collect_interval(core->loop(), io);
  if (timeout >= 0 && timeout < 1e9) ev_set_timeout_collect_interval(core->loop(), timeout);
}

// suspend(): whether the loop was suspended (false inside one of its callbacks
// or when suspended already).
Napi::Value LoopWrap::Suspend(const Napi::CallbackInfo& info) {
  LoopCore* core = Live(info);
  return Napi::Boolean::New(info.Env(), core != nullptr && core->Suspend());
}

// resume(): null, or why an attached loop could not be attached again.
Napi::Value LoopWrap::Resume(const Napi::CallbackInfo& info) {
  LoopCore* core = Live(info);
  std::string error;
  if (core == nullptr || core->Resume(&error) || error.empty()) return info.Env().Null();
  return Napi::String::New(info.Env(), error);
}

// times(): [seconds in the poll, seconds in callbacks] since the loop was made.
Napi::Value LoopWrap::Times(const Napi::CallbackInfo& info) {
  LoopCore* core = Live(info);
  if (core == nullptr) return info.Env().Undefined();
  LoopCore::Lock lock(core);
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, static_cast<double>(core->pollNs()) / 1e9);
  out.Set(1u, static_cast<double>(core->callbackNs()) / 1e9);
  return out;
}

Napi::Value LoopWrap::Iteration(const Napi::CallbackInfo& info) {
  return Read(info, Live(info), +[](struct ev_loop* l) { return ev_iteration(l); });
}

Napi::Value LoopWrap::Depth(const Napi::CallbackInfo& info) {
  // An attached loop's ev_run is on its own thread: from JS it is depth 1
  // inside a callback, 0 outside, as in blocking mode.
  LoopCore* core = Live(info);
  if (core != nullptr && core->attached()) {
    return Napi::Number::New(info.Env(), core->InCallback() ? 1 : 0);
  }
  if (core == nullptr) return info.Env().Undefined();
  // Detached by a callback of a pass the JS thread ran for the attached loop:
  // that pass is not a blocking run.
  return Napi::Number::New(info.Env(), ev_depth(core->loop()) - core->jsPassRuns());
}

Napi::Value LoopWrap::PendingCount(const Napi::CallbackInfo& info) {
  return Read(info, Live(info), +[](struct ev_loop* l) { return ev_pending_count(l); });
}

Napi::Value LoopWrap::ActiveCount(const Napi::CallbackInfo& info) {
  LoopCore* core = Live(info);
  if (core == nullptr) return info.Env().Undefined();
  core->SettleCounts();
  return Napi::Number::New(info.Env(), core->activeCount());
}

Napi::Value LoopWrap::RefCount(const Napi::CallbackInfo& info) {
  LoopCore* core = Live(info);
  if (core == nullptr) return info.Env().Undefined();
  core->SettleCounts();
  return Napi::Number::New(info.Env(), core->refCount());
}

Napi::Value LoopWrap::Backend(const Napi::CallbackInfo& info) {
  LoopCore* core = Live(info);
  return core ? Napi::Number::New(info.Env(), ev_backend(core->loop())) : info.Env().Undefined();
}

Napi::Value LoopWrap::Ptr(const Napi::CallbackInfo& info) {
  uint64_t raw = 0;
  if (core_ && !core_->destroyed()) raw = reinterpret_cast<uintptr_t>(core_->loop());
  return Napi::BigInt::New(info.Env(), raw);
}

Napi::Value LoopWrap::Destroyed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !core_ || core_->destroyed());
}

Napi::Value LoopWrap::Owns(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), core_ && core_->owns());
}

void LoopWrap::Ref(const Napi::CallbackInfo& info) {
  if (LoopCore* core = Live(info)) core->UserRef();
}

// unref(): false when no ref() is outstanding (nothing changed).
Napi::Value LoopWrap::Unref(const Napi::CallbackInfo& info) {
  LoopCore* core = Live(info);
  if (core == nullptr) return info.Env().Undefined();
  return Napi::Boolean::New(info.Env(), core->UserUnref());
}

void LoopWrap::Verify(const Napi::CallbackInfo& info) {
  if (LoopCore* core = Live(info)) core->Verify();
}

// reinit(): 0, or the errno that kept it from re-creating the wake-up fd.
Napi::Value LoopWrap::Reinit(const Napi::CallbackInfo& info) {
  LoopCore* core = Live(info);
  if (core == nullptr) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), core->Reinit());
}

// attach(): null, or why the loop could not be attached (JS builds the error).
Napi::Value LoopWrap::Attach(const Napi::CallbackInfo& info) {
  LoopCore* core = Live(info);
  if (core == nullptr) return info.Env().Undefined();
  std::string error;
  if (core->Attach(&error)) return info.Env().Null();
  return Napi::String::New(info.Env(), error);
}

void LoopWrap::Detach(const Napi::CallbackInfo& info) {
  if (LoopCore* core = Live(info)) core->Detach();
}

Napi::Value LoopWrap::Attached(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), core_ && !core_->destroyed() && core_->attached());
}

Napi::Value LoopWrap::InCallback(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), core_ && !core_->destroyed() && core_->InCallback());
}

void LoopWrap::SetWantSettle(const Napi::CallbackInfo& info) {
  if (LoopCore* core = Live(info)) core->SetWantSettle(info[0].ToBoolean().Value());
}

void LoopWrap::Destroy(const Napi::CallbackInfo&) {
  if (core_) core_->Destroy();
}

void LoopWrap::SetCallbacksQueued(const Napi::CallbackInfo& info) {
  if (LoopCore* core = Live(info)) core->SetCallbacksQueued(info[0].ToBoolean().Value());
}

}  // namespace evkit
