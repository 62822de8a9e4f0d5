#include "env_state.h"

#include <vector>

#include "loop_core.h"

namespace evkit {
namespace {

void SetFunctionRef(napi_env env, Napi::Object hooks, const char* name, napi_ref* ref) {
  Napi::Value fn = hooks.Get(name);
  if (!fn.IsFunction()) return;
  if (*ref != nullptr) napi_delete_reference(env, *ref);
  napi_create_reference(env, fn, 1, ref);
}

}  // namespace

void EnvState::SetHooks(Napi::Object hooks) {
  SetFunctionRef(env_, hooks, "dispatch", &dispatch_);
  SetFunctionRef(env_, hooks, "drain", &drain_);
  SetFunctionRef(env_, hooks, "heartbeat", &heartbeat_);
  Napi::Value main = hooks.Get("isMainThread");
  if (main.IsBoolean()) isMainThread = main.As<Napi::Boolean>().Value();
}

EnvState::CallResult EnvState::Call(napi_ref fnRef, napi_value recv, size_t argc,
                                    napi_value* argv, napi_value* result,
                                    napi_value* thrown) noexcept {
  if (exiting || fnRef == nullptr) return CallResult::kJsDead;
  napi_value fn = nullptr;
  if (napi_get_reference_value(env_, fnRef, &fn) != napi_ok || fn == nullptr) {
    return CallResult::kJsDead;
  }
  napi_status status = napi_call_function(env_, recv, fn, argc, argv, result);
  if (status == napi_ok) return CallResult::kOk;
  // The JS hooks catch every exception a user callback throws, so reaching
  // here means JS cannot run (worker terminating, process.exit in a worker)
  // or the error path itself failed. Termination leaves no exception value.
  napi_value exc = nullptr;
  bool pending = false;
  napi_is_exception_pending(env_, &pending);
  if (pending) napi_get_and_clear_last_exception(env_, &exc);
  napi_valuetype type = napi_undefined;
  if (exc != nullptr) napi_typeof(env_, exc, &type);
  if (exc == nullptr || type == napi_undefined) return CallResult::kJsDead;
  *thrown = exc;
  return CallResult::kThrew;
}

EnvState::CallResult EnvState::CallDispatch(napi_value recv, uint32_t revents, bool active,
                                            napi_value* thrown) noexcept {
  napi_value argv[2];
  napi_create_uint32(env_, revents, &argv[0]);
  napi_get_boolean(env_, active, &argv[1]);
  napi_value result;
  return Call(dispatch_, recv, 2, argv, &result, thrown);
}

EnvState::CallResult EnvState::CallDrain(napi_value recv, bool* more,
                                         napi_value* thrown) noexcept {
  napi_value result = nullptr;
  CallResult r = Call(drain_, recv, 0, nullptr, &result, thrown);
  if (r == CallResult::kOk && result != nullptr) napi_get_value_bool(env_, result, more);
  return r;
}

EnvState::CallResult EnvState::CallHeartbeat() noexcept {
  napi_value undefined, result, thrown;
  napi_get_undefined(env_, &undefined);
  return Call(heartbeat_, undefined, 0, nullptr, &result, &thrown);
}

void EnvState::Teardown() {
  exiting = true;
  std::vector<LoopCore*> all(cores.begin(), cores.end());
  for (LoopCore* core : all) core->Destroy();
  for (napi_ref* ref : {&dispatch_, &drain_, &heartbeat_}) {
    if (*ref != nullptr) napi_delete_reference(env_, *ref);
    *ref = nullptr;
  }
}

EnvState* GetEnvState(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  auto* holder = static_cast<std::shared_ptr<EnvState>*>(data);
  return holder != nullptr ? holder->get() : nullptr;
}

}  // namespace evkit
