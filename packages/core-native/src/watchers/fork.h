#pragma once
#include <napi.h>
namespace evkit {
void InitFork(Napi::Env env, Napi::Object exports);
}
