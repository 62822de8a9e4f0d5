// Test-only helpers, exported as `binding.testing` (not part of any public
// API): native stand-ins for what other native code would do with evkit.
#include "testing.h"

#include <cstdint>

#include "ev_config.h"

namespace evkit {
namespace {

// A bare ev_loop made the way foreign native code would, for the
// `new Loop({ ptr, unsafeForeignPointer: true })` tests.
Napi::Value RawLoopNew(const Napi::CallbackInfo& info) {
  struct ev_loop* loop = ev_loop_new(EVFLAG_NOENV);
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(reinterpret_cast<uintptr_t>(loop)));
}

void RawLoopDestroy(const Napi::CallbackInfo& info) {
  bool lossless = false;
  uint64_t raw = info[0].IsBigInt() ? info[0].As<Napi::BigInt>().Uint64Value(&lossless) : 0;
  if (raw != 0) ev_loop_destroy(reinterpret_cast<struct ev_loop*>(static_cast<uintptr_t>(raw)));
}

// Runs a raw loop once without blocking: proves watchers evkit started on it
// are driven by whoever owns the loop.
Napi::Value RawLoopRunNowait(const Napi::CallbackInfo& info) {
  bool lossless = false;
  uint64_t raw = info[0].IsBigInt() ? info[0].As<Napi::BigInt>().Uint64Value(&lossless) : 0;
  if (raw == 0) return info.Env().Undefined();
  struct ev_loop* loop = reinterpret_cast<struct ev_loop*>(static_cast<uintptr_t>(raw));
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
