#pragma once
#include <napi.h>
namespace evkit {
// Registers the Async kind; exports its verbs and `asyncSend(id)` (any thread).
void InitAsync(Napi::Env env, Napi::Object exports);
}
