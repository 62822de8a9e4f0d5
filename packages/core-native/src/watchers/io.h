#pragma once
#include <napi.h>
namespace evkit {
void InitIo(Napi::Env env, Napi::Object exports);
}
