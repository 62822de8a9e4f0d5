#pragma once
#include <napi.h>
namespace evkit {
void InitTimer(Napi::Env env, Napi::Object exports);
}
