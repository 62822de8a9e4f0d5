#pragma once
#include <napi.h>
namespace evkit {
void InitPrepareCheck(Napi::Env env, Napi::Object exports);
}
