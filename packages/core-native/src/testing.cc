// Test-only helpers, exported as `binding.testing` (not part of any public
// API): native stand-ins for what other native code would do with evkit.
#include "testing.h"

#include <cstdint>
#include <mutex>
#include <unordered_set>

#include "ev_config.h"

namespace evkit {
namespace {

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

}  // namespace

Napi::Object TestingExports(Napi::Env env, Napi::Object exports) {
  Napi::Value existing = exports.Get("testing");
  Napi::Object testing = existing.IsObject() ? existing.As<Napi::Object>() : Napi::Object::New(env);
  testing.Set("rawLoopNew", Napi::Function::New<RawLoopNew>(env, "rawLoopNew"));
  testing.Set("rawLoopDestroy", Napi::Function::New<RawLoopDestroy>(env, "rawLoopDestroy"));
  testing.Set("rawLoopRunNowait", Napi::Function::New<RawLoopRunNowait>(env, "rawLoopRunNowait"));
  exports.Set("testing", testing);
  return testing;
}

}  // namespace evkit
