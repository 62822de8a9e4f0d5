#pragma once
#include <napi.h>
namespace evkit {
void InitStat(Napi::Env env, Napi::Object exports);
}
