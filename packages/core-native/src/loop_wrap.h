// The JS handle of a LoopCore (binding.Loop). @evkit/loop wraps it; every
// argument has been validated there, so checks here only keep the process
// safe against misuse of the raw binding.
#pragma once

#include <napi.h>

#include <memory>

#include "loop_core.h"

namespace evkit {

class LoopWrap : public Napi::ObjectWrap<LoopWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit LoopWrap(const Napi::CallbackInfo& info);
  ~LoopWrap() override;


 private:
  static Napi::Value Lookup(const Napi::CallbackInfo& info);
  static Napi::Value Create(const Napi::CallbackInfo& info);
  LoopCore* Live(const Napi::CallbackInfo& info);

  Napi::Value Id(const Napi::CallbackInfo& info);
  Napi::Value Run(const Napi::CallbackInfo& info);
  void Break(const Napi::CallbackInfo& info);
  Napi::Value Now(const Napi::CallbackInfo& info);
  void UpdateNow(const Napi::CallbackInfo& info);
  void SetCollectIntervals(const Napi::CallbackInfo& info);
  Napi::Value Times(const Napi::CallbackInfo& info);
  Napi::Value Suspend(const Napi::CallbackInfo& info);
  Napi::Value Resume(const Napi::CallbackInfo& info);
  Napi::Value Iteration(const Napi::CallbackInfo& info);
  Napi::Value Depth(const Napi::CallbackInfo& info);
  Napi::Value PendingCount(const Napi::CallbackInfo& info);
  Napi::Value ActiveCount(const Napi::CallbackInfo& info);
  Napi::Value RefCount(const Napi::CallbackInfo& info);
  Napi::Value Backend(const Napi::CallbackInfo& info);
  Napi::Value Ptr(const Napi::CallbackInfo& info);
  Napi::Value Destroyed(const Napi::CallbackInfo& info);
  Napi::Value Owns(const Napi::CallbackInfo& info);
  void Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);
  void Verify(const Napi::CallbackInfo& info);
  Napi::Value Reinit(const Napi::CallbackInfo& info);
  void Destroy(const Napi::CallbackInfo& info);
  void SetCallbacksQueued(const Napi::CallbackInfo& info);
  Napi::Value Attach(const Napi::CallbackInfo& info);
  void Detach(const Napi::CallbackInfo& info);
  Napi::Value Attached(const Napi::CallbackInfo& info);
  Napi::Value InCallback(const Napi::CallbackInfo& info);
  void SetWantSettle(const Napi::CallbackInfo& info);

  std::shared_ptr<LoopCore> core_;
};

}  // namespace evkit
