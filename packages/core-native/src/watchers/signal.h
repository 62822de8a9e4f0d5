#pragma once
#include <napi.h>
namespace evkit {
void InitSignal(Napi::Env env, Napi::Object exports);
}
