#include "env_state.h"

#include <vector>

#include "loop_core.h"
#include "watcher.h"

namespace evkit {
namespace {

void SetFunctionRef(napi_env env, Napi::Object hooks, const char* name, napi_ref* ref) {
  Napi::Value fn = hooks.Get(name);
  if (!fn.IsFunction()) return;
  if (*ref != nullptr) napi_delete_reference(env, *ref);
  napi_create_reference(env, fn, 1, ref);
}

thread_local EnvState* thisThreadEnv = nullptr;

}  // namespace

EnvState::EnvState(napi_env env) : env_(env) { thisThreadEnv = this; }

EnvState::~EnvState() {
  if (thisThreadEnv == this) thisThreadEnv = nullptr;
}

EnvState* EnvState::OfThisThread() { return thisThreadEnv; }

void EnvState::SetHooks(Napi::Object hooks) {
  SetFunctionRef(env_, hooks, "dispatch", &dispatch_);
  SetFunctionRef(env_, hooks, "deliver", &deliver_);
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
  // Persistent watchers whose loop is gone, or that nothing collected yet.
  for (uint32_t i = 0; i < watchers.size(); i++) {
    if (WatcherBase* w = watchers.At(i)) delete w;
  }
  for (napi_ref* ref : {&dispatch_, &deliver_, &drain_, &heartbeat_, &settle_, &syserr_, &stateArray_}) {
    if (*ref != nullptr) napi_delete_reference(env_, *ref);
    *ref = nullptr;
  }
}

uint8_t* EnvState::StateBytes() {
  if (state_ == nullptr) {
    napi_value array;
    if (napi_create_arraybuffer(env_, IdTable<WatcherBase>::kCapacity, reinterpret_cast<void**>(&state_),
                                &array) != napi_ok) {
      return nullptr;
    }
    napi_create_reference(env_, array, 1, &stateArray_);
  }
  return state_;
}

napi_value EnvState::StateArray() {
  if (StateBytes() == nullptr) return nullptr;
  napi_value buffer = nullptr, array = nullptr;
  napi_get_reference_value(env_, stateArray_, &buffer);
  napi_create_typedarray(env_, napi_uint8_array, IdTable<WatcherBase>::kCapacity, buffer, 0, &array);
  return array;
}

EnvState* GetEnvState(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  auto* holder = static_cast<std::shared_ptr<EnvState>*>(data);
  return holder != nullptr ? holder->get() : nullptr;
}

}  // namespace evkit
