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
  SetFunctionRef(env_, hooks, "settle", &settle_);
  SetFunctionRef(env_, hooks, "syserr", &syserr_);
  Napi::Value main = hooks.Get("isMainThread");
  if (main.IsBoolean()) isMainThread = main.As<Napi::Boolean>().Value();
}

void EnvState::Teardown() {
  exiting = true;
  std::vector<LoopCore*> all(cores.begin(), cores.end());
  for (LoopCore* core : all) core->Destroy();
  for (napi_ref* ref : {&dispatch_, &drain_, &heartbeat_, &settle_, &syserr_}) {
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
