// Probes of evkit's C API for the example addon's tests (api_probe.cc).
#pragma once

#include <napi.h>

Napi::Value ApiProbe(const Napi::CallbackInfo& info);
Napi::Value ApiLeave(const Napi::CallbackInfo& info);
Napi::Value ApiAfterDestroy(const Napi::CallbackInfo& info);
